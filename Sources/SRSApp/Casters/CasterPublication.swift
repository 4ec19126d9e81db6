import Foundation
import SRSConfig
import SRSIO
import SRSKernel
import SRSRTMP

/// One publish by a stream caster (an MPEG-TS UDP port, an RTSP pusher, an FLV POST): asked of
/// the same admission pipeline as an RTMP publisher (security, on_publish) and claimed through
/// the stream gate, in-process, then fed with the caster's messages until it ends. Confined to
/// its loop.
final class CasterPublication {
    /// Why the publish did not start.
    enum Refusal: Error, CustomStringConvertible {
        /// Admission refused (security, a callback, no such vhost).
        case refused(String)
        /// Another client publishes the stream, or it could not be claimed.
        case busy(String)

        var description: String {
            switch self {
            case .refused(let reason), .busy(let reason): reason
            }
        }
    }

    let id: Int
    let request: StreamRequest
    private unowned let server: Server
    private let loop: EventLoop
    private let ip: String
    private let kind: ClientRecord.Kind
    private(set) var source: LiveSource?
    private var ended = false

    /// `id`: the context id of the client (or of the caster's publish).
    init(server: Server, loop: EventLoop, id: Int, ip: String, request: StreamRequest, kind: ClientRecord.Kind = .fmlePublish) {
        self.server = server
        self.loop = loop
        self.id = id
        self.ip = ip
        self.request = request
        self.kind = kind
    }

    /// Asks admission, then claims the stream; `decided` runs on the loop, later or within
    /// this call, unless `end` came first.
    func start(_ decided: @escaping (Result<LiveSource, Refusal>) -> Void) {
        let asked = AdmissionRequest(action: .publish, clientId: id, ip: ip, stream: request)
        let verdict: (AdmissionVerdict) -> Void = { [self] verdict in
            guard !ended else { return }
            switch verdict {
            case .refused(let refusal):
                decided(.failure(.refused(refusal.reason)))
            case .admitted(let admitted, let request):
                let vhost = server.config.vhost(named: admitted.name) ?? admitted
                claim(request: request, vhost: vhost, decided)
            }
        }
        if let immediate = server.admission.admit(asked, loop: loop, completion: verdict) { verdict(immediate) }
    }

    private func claim(request: StreamRequest, vhost: VhostConfig, _ decided: (Result<LiveSource, Refusal>) -> Void) {
        let member = StreamGate.Member(clientId: id, ip: ip, request: request, vhost: vhost, kind: kind, url: request.streamURL)
        switch server.gate.publish(member, loop: loop) {
        case .claimed(let source):
            self.source = source
            decided(.success(source))
        case .busy(let key, let other):
            decided(.failure(.busy("\(key) is published by client \(other)")))
        case .contention:
            decided(.failure(.busy("the stream could not be claimed")))
        }
    }

    /// Hands messages to the stream (dropped until the publish started).
    func submit(_ messages: [SharedMessage]) {
        guard let source, !messages.isEmpty else { return }
        source.submit(messages)
    }

    /// Ends the publish (idempotent).
    func end() {
        guard !ended else { return }
        ended = true
        if let source { server.gate.unpublished(source, clientId: id) }
        source = nil
    }

    /// What a client's URL path names (`/app/stream` plus `suffix`, the app possibly several
    /// segments; the query goes with the stream) published as the caster's `output`; nil when
    /// the path lacks an app or a stream.
    static func request(output: String, path: String, query: String, suffix: String = "") -> StreamRequest? {
        let components = path.split(separator: "/")
        guard components.count >= 2, let last = components.last, last.hasSuffix(suffix), last.count > suffix.count else { return nil }
        let stream = String(last.dropLast(suffix.count)) + (query.isEmpty ? "" : "?" + query)
        return request(output: output, app: components.dropLast().joined(separator: "/"), stream: stream)
    }

    /// The stream for log lines: the claimed source's key, else the URL asked for.
    var streamName: String { source?.key ?? request.streamURL }

    /// What a caster publishes for `output` (an RTMP URL, `[app]` and `[stream]` replaced by
    /// the client's): `rtmp://host[:port]/app[?vhost=v]/stream[?params]`.
    static func request(output: String, app: String = "", stream: String = "") -> StreamRequest {
        let url = output.replacingOccurrences(of: "[app]", with: app).replacingOccurrences(of: "[stream]", with: stream)
        var request = StreamRequest()
        let slash = url.lastIndex(of: "/") ?? url.endIndex
        request.parseConnect(tcUrl: String(url[..<slash]), app: nil)
        request.parseStreamName(slash < url.endIndex ? String(url[url.index(after: slash)...]) : "")
        return request
    }
}

extension SharedMessage {
    /// A demuxed message as the live source takes it.
    init(_ message: DemuxedMessage) {
        self.init(kind: message.kind, timestamp: message.timestamp, payload: message.body)
    }
}
