import SRSConfig
import SRSIO
import SRSRTMP

/// token_traverse: asks an origin whether it accepts a client's connect (its tcUrl with the
/// token, pageUrl, swfUrl, app), before the edge accepts the client. The first origin that
/// answers decides; origins that cannot be reached are skipped; no answer at all rejects.
/// Confined to its loop.
final class EdgeTokenCheck: @unchecked Sendable {
    private let request: StreamRequest
    private let origins: [UpstreamAddress]
    private let loop: EventLoop
    private let connector: any TransportConnector
    private var index = 0
    private var upstream: UpstreamRTMPClient?
    private var completion: ((HookVerdict) -> Void)?

    private init(request: StreamRequest, origins: [UpstreamAddress], loop: EventLoop, connector: any TransportConnector, completion: @escaping (HookVerdict) -> Void) {
        self.request = request
        self.origins = origins
        self.loop = loop
        self.connector = connector
        self.completion = completion
    }

    /// Runs the check; `completion` runs once, on `loop`, after this call returned.
    static func run(_ request: StreamRequest, origins: [UpstreamAddress], loop: EventLoop, connector: any TransportConnector,
                    completion: @escaping (HookVerdict) -> Void) {
        let check = EdgeTokenCheck(request: request, origins: origins, loop: loop, connector: connector, completion: completion)
        let box = UncheckedBox(check)
        loop.schedule(afterMilliseconds: AppTuning.edgeTokenTimeoutMs) {
            box.value.finish(.rejected("token_traverse: no origin answered within \(AppTuning.edgeTokenTimeoutMs) ms"))
        }
        loop.post { box.value.tryOrigin() }
    }

    private func tryOrigin() {
        guard completion != nil else { return }
        guard index < origins.count else {
            finish(.rejected("token_traverse: no origin could be reached"))
            return
        }
        let origin = origins[index]
        let session = RTMPClientSession(tcUrl: request.tcUrl, app: request.app, streamName: "token", mode: .play)
        session.pageUrl = request.pageUrl
        session.swfUrl = request.swfUrl
        let client = UpstreamRTMPClient(
            address: origin, session: session, loop: loop, connector: connector,
            onEvents: { [unowned self] events in
                for event in events {
                    switch event {
                    case .connected:
                        finish(.allowed)
                        return
                    case .status(let code, "error", let description):
                        finish(.rejected("origin \(origin) refused the connect: \(code) \(description)"))
                        return
                    default:
                        break
                    }
                }
            },
            onEnd: { [unowned self] end in
                upstream = nil
                switch end {
                case .closed(.peerClosed), .protocolError:
                    // An origin that rejects by closing (SRS does after Connect.Rejected) has said no.
                    finish(.rejected("origin \(origin) refused the connect: \(end)"))
                case .connectFailed, .closed:
                    // Not reachable (a refused connect shows as a socket error): the next origin decides.
                    index += 1
                    tryOrigin()
                }
            })
        upstream = client
        client.start()
    }

    private func finish(_ verdict: HookVerdict) {
        guard let completion else { return }
        self.completion = nil
        upstream?.close("token check done")
        upstream = nil
        completion(verdict)
    }
}
