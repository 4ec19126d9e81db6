import SRSConfig
import SRSHTTP
import SRSIO
import SRSKernel

/// One client of `caster flv`: `POST /app/stream.flv` with an FLV body of any length
/// (chunked, or a Content-Length), published in-process as `[app]/[stream]` of the caster's
/// output once admission agrees (403 otherwise, 503 when the stream is taken). The response
/// comes when the body ends; a malformed request or FLV stream is answered and closed.
/// Confined to its loop.
final class FLVPostConnection: TransportDelegate, ServerClient, @unchecked Sendable {
    let id: Int
    let tcp: any Transport
    private unowned let server: Server
    private let config: StreamCasterConfig
    private var parser = HTTPRequestParser(streamsBodies: true)
    private var reader = FLVStreamReader()
    private var publication: CasterPublication?
    private var publishing = false
    /// Body pieces read while admission decides (reading is held, so at most one read's worth).
    private var pending: [[UInt8]] = []
    private var request: HTTPRequest?
    private var lastActivity: Int64
    private var closed = false
    private var closeWhenDrained = false
    private var messagesReceived = 0

    init(id: Int, tcp: any Transport, server: Server, config: StreamCasterConfig) {
        self.id = id
        self.tcp = tcp
        self.server = server
        self.config = config
        lastActivity = tcp.loop.now
    }

    // MARK: TransportDelegate

    func connection(_ connection: any Transport, didReceive bytes: UnsafeRawBufferPointer) {
        lastActivity = tcp.loop.now
        guard !closeWhenDrained else { return }
        let events: [HTTPRequestParser.Event]
        do {
            events = try parser.feedStreaming(bytes)
        } catch {
            log.warn(id, "bad HTTP request from \(tcp.peerAddress): \(error)")
            respond(error.status, "\(HTTPStatus.reasonPhrase(error.status))\n")
            return
        }
        for event in events where !closeWhenDrained {
            switch event {
            case .head(let head):
                start(head)
            case .body(let bytes):
                if publishing { publish(bytes) } else { pending.append(bytes) }
            case .end:
                if publishing {
                    respond(200, "")
                } else {
                    pending.append([])  // the end, after what waits
                }
            }
        }
    }

    func connectionDidDrain(_ connection: any Transport) {
        if closeWhenDrained { tcp.close(.local("response sent")) }
    }

    func connection(_ connection: any Transport, didCloseWith reason: CloseReason) {
        closed = true
        if let publication {
            log.trace(id, "FLV-POST unpublish \(publication.streamName), \(messagesReceived) messages")
            publication.end()
        }
        publication = nil
        server.connectionClosed(self, loop: tcp.loop)
    }

    func close(_ reason: String) {
        guard !closed else { return }
        tcp.close(.local(reason))
    }

    // MARK: Publishing

    private func start(_ head: HTTPRequest) {
        log.info(id, "FLV-POST \(head.method) \(head.target) from \(tcp.peerAddress)")
        guard request == nil else {
            respond(400, "one stream per connection\n")
            return
        }
        request = head
        guard head.method == "POST" else {
            respond(405, "POST an FLV stream to /app/stream.flv\n")
            return
        }
        guard let request = CasterPublication.request(output: config.output, path: head.path, query: head.query, suffix: ".flv") else {
            respond(404, "POST an FLV stream to /app/stream.flv\n")
            return
        }
        let publication = CasterPublication(server: server, loop: tcp.loop, id: id, ip: tcp.peerAddress, request: request)
        self.publication = publication
        tcp.holdReading(true)
        publication.start { [self] result in
            guard !closed else { return }
            tcp.holdReading(false)
            switch result {
            case .success(let source):
                log.trace(id, "FLV-POST publish \(source.key) from \(tcp.peerAddress)")
                publishing = true
                let waited = pending
                pending = []
                for piece in waited where !closeWhenDrained {
                    if piece.isEmpty { respond(200, "") } else { publish(piece) }
                }
            case .failure(let refusal):
                log.warn(id, "FLV-POST publish of \(publication.request.streamURL) refused: \(refusal)")
                self.publication = nil
                if case .refused = refusal { respond(403, "publish refused\n") } else { respond(503, "stream busy\n") }
            }
        }
    }

    private func publish(_ bytes: [UInt8]) {
        let tags: [FLV.Tag]
        do {
            tags = try reader.feed(bytes)
        } catch {
            log.warn(id, "FLV-POST from \(tcp.peerAddress): \(error)")
            respond(400, "bad FLV stream\n")
            return
        }
        let messages = tags.compactMap { tag -> SharedMessage? in
            guard let kind = MediaKind(rawValue: tag.type), !tag.body.isEmpty else { return nil }
            return SharedMessage(kind: kind, timestamp: Int64(tag.timestamp), payload: tag.body)
        }
        messagesReceived += messages.count
        publication?.submit(messages)
    }

    private func respond(_ status: Int, _ body: String) {
        var headers = HTTPHeaders()
        headers.add("Server", ServerVersion.signature)
        headers.add("Content-Type", "text/plain")
        headers.add("Content-Length", String(body.utf8.count))
        headers.add("Connection", "close")
        let bytes = HTTPResponseHead(status: status, headers: headers).serialize() + Array(body.utf8)
        closeWhenDrained = true
        if tcp.send(bytes) { tcp.close(.local("response sent")) }
    }

    // MARK: ServerClient

    func checkTimeouts(now: Int64) {
        guard !closed else { return }
        let limit = request == nil ? AppTuning.casterRequestTimeoutMs : AppTuning.httpIdleTimeoutMs
        if now - lastActivity > limit {
            log.warn(id, "FLV-POST client \(tcp.peerAddress) sent nothing for \(limit) ms; closing")
            close("FLV-POST idle timeout")
        }
    }

    var pithyLine: String? {
        guard publishing, let source = publication?.source else { return nil }
        return "<- FLV-POST \(source.key) msgs=\(messagesReceived) recv=\(tcp.bytesReceived) bytes"
    }

    func reloaded(_ config: ServerConfig) {}
}
