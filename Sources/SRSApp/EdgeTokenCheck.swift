import Dispatch
import SRSConfig
import SRSIO
import SRSRTMP

/// token_traverse: asks an origin whether it accepts a client's connect (its tcUrl with the
/// token, pageUrl, swfUrl, app), before the edge accepts the client. The first origin that
/// answers decides; origins that cannot be reached are skipped; no answer at all rejects.
/// Confined to its loop.
final class EdgeTokenCheck: TCPConnectionDelegate, @unchecked Sendable {
    private let request: StreamRequest
    private let origins: [UpstreamAddress]
    private let loop: EventLoop
    private let pool: BlockingPool
    private var index = 0
    private var tcp: TCPConnection?
    private var session: RTMPClientSession?
    private var completion: ((HookVerdict) -> Void)?

    private init(request: StreamRequest, origins: [UpstreamAddress], loop: EventLoop, pool: BlockingPool, completion: @escaping (HookVerdict) -> Void) {
        self.request = request
        self.origins = origins
        self.loop = loop
        self.pool = pool
        self.completion = completion
    }

    /// Runs the check; `completion` runs once, on `loop`.
    static func run(_ request: StreamRequest, origins: [UpstreamAddress], loop: EventLoop, pool: BlockingPool,
                    completion: @escaping (HookVerdict) -> Void) {
        let check = EdgeTokenCheck(request: request, origins: origins, loop: loop, pool: pool, completion: completion)
        let box = UncheckedBox(check)
        loop.queue.asyncAfter(deadline: .now() + .milliseconds(AppTuning.edgeTokenTimeoutMs)) {
            box.value.finish(.rejected("token_traverse: no origin answered within \(AppTuning.edgeTokenTimeoutMs) ms"))
        }
        check.tryOrigin()
    }

    private func tryOrigin() {
        guard completion != nil else { return }
        guard index < origins.count else {
            finish(.rejected("token_traverse: no origin could be reached"))
            return
        }
        let origin = origins[index]
        TCPConnection.open(host: origin.host, port: origin.port, loop: loop, pool: pool) { [self] result in
            guard completion != nil else { return }
            guard case .success(let connection) = result else {
                index += 1
                tryOrigin()
                return
            }
            let session = RTMPClientSession(tcUrl: request.tcUrl, app: request.app, streamName: "token", mode: .play)
            session.pageUrl = request.pageUrl
            session.swfUrl = request.swfUrl
            tcp = connection
            self.session = session
            connection.start(delegate: self)
            connection.send(session.start())
        }
    }

    private func finish(_ verdict: HookVerdict) {
        guard let completion else { return }
        self.completion = nil
        tcp?.close(.local("token check done"))
        tcp = nil
        completion(verdict)
    }

    func connection(_ connection: TCPConnection, didReceive bytes: UnsafeRawBufferPointer) {
        guard connection === tcp, let session else { return }
        do {
            for event in try session.receive(bytes) {
                switch event {
                case .connected:
                    finish(.allowed)
                    return
                case .status(let code, "error", let description):
                    finish(.rejected("origin \(origins[index]) refused the connect: \(code) \(description)"))
                    return
                default:
                    break
                }
            }
        } catch {
            finish(.rejected("origin \(origins[index]) refused the connect: \(error.context)"))
            return
        }
        if session.hasOutput { connection.send(session.takeOutput()) }
    }

    func connectionDidDrain(_ connection: TCPConnection) {}

    func connection(_ connection: TCPConnection, didCloseWith reason: CloseReason) {
        guard connection === tcp, completion != nil else { return }
        tcp = nil
        // Closed before answering: an origin that rejects by closing (SRS does after
        // Connect.Rejected) has said no; a refused TCP connect means try the next origin.
        if case .peerClosed = reason {
            finish(.rejected("origin \(origins[index]) closed the connection instead of accepting"))
        } else {
            index += 1
            tryOrigin()
        }
    }
}
