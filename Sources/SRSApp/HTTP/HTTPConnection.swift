import CZlib
import Foundation
import SRSConfig
import SRSHTTP
import SRSIO
import SRSKernel
import SRSRTMP

/// What an HTTP listener serves: the API, files and live streams, or both (port sharing).
struct HTTPRoles: Sendable, Equatable {
    var api: Bool
    var files: Bool
}

/// One HTTP/1.1 client: parses its requests, answers them one at a time in order (pipelining
/// with bounds), and routes each to a responder: `APIResponder`, `LiveStreamResponder` (the
/// connection then becomes a player of the stream's ring until the client leaves) or
/// `StaticFileResponder`. Confined to its loop.
final class HTTPConnection: TransportDelegate, ServerClient, @unchecked Sendable {
    let id: Int
    let tcp: any Transport
    unowned let server: Server
    let roles: HTTPRoles
    private var parser = HTTPRequestParser()
    private var closed = false
    private var closeWhenDrained = false
    private var lastActivity: Int64
    private var partialSince: Int64?
    /// Set while a file read runs on the blocking pool, or a file is sent: later requests wait.
    private var busy = false
    /// The rest of a large file being sent, and whether the connection stays open after it.
    private var fileBody: (body: FileResponseBody, keepAlive: Bool)?
    private var fileReadPending = false
    /// Pipelined requests not served yet. The next one is served only once the previous
    /// response is written, and reading stops while `AppTuning.maxQueuedHTTPRequests` wait,
    /// so a client that sends requests and reads nothing holds one response in memory.
    private var queued: [HTTPRequest] = []
    private var readingHeld = false
    /// The live stream this client plays, if any.
    private var player: PlayerOutput?
    private var framer: MediaFramer?
    /// What the live player plays, and the vhost in force (a reload may change it), for on_stop.
    private var playing: (member: StreamGate.Member, vhost: VhostConfig)?

    init(id: Int, tcp: any Transport, server: Server, roles: HTTPRoles) {
        self.id = id
        self.tcp = tcp
        self.server = server
        self.roles = roles
        lastActivity = tcp.loop.now
    }

    // MARK: TransportDelegate

    func connection(_ connection: any Transport, didReceive bytes: UnsafeRawBufferPointer) {
        lastActivity = tcp.loop.now
        if player != nil { return }  // a live stream's client has nothing more to say
        let requests: [HTTPRequest]
        do {
            requests = try parser.feed(bytes)
        } catch {
            log.warn(id, "bad HTTP request from \(tcp.peerAddress): \(error)")
            // An answer now would land inside the file being sent.
            if fileBody != nil { return close("bad request while a file is sent") }
            // The reason may quote the client's bytes: it goes to the log, not back to the client.
            respond(status: error.status, body: Array("\(HTTPStatus.reasonPhrase(error.status))\n".utf8), contentType: "text/plain", keepAlive: false)
            return
        }
        partialSince = parser.hasPartialRequest ? (partialSince ?? lastActivity) : nil
        queued += requests
        serveQueued()
        if !readingHeld && queued.count >= AppTuning.maxQueuedHTTPRequests {
            readingHeld = true
            tcp.holdReading(true)
        }
    }

    func connectionDidDrain(_ connection: any Transport) {
        if let player {
            player.flush()
        } else if fileBody != nil {
            sendFileBody()
        } else if closeWhenDrained {
            tcp.close(.local("response sent"))
        } else {
            serveQueued()
        }
    }

    func connection(_ connection: any Transport, didCloseWith reason: CloseReason) {
        closed = true
        if let player, let playing {
            server.gate.left(player, member: playing.member, vhost: playing.vhost, loop: tcp.loop)
        }
        player = nil
        playing = nil
        framer = nil
        fileBody = nil
        server.connectionClosed(self, loop: tcp.loop)
    }

    func close(_ reason: String) {
        guard !closed else { return }
        tcp.close(.local(reason))
    }

    // MARK: Requests

    private func serveQueued() {
        while !busy && !closed && player == nil && !queued.isEmpty && tcp.isWritable {
            let request = queued.removeFirst()
            handle(request)
        }
        // A live player's client has nothing more to say: its reading only watches for the close.
        if readingHeld && !closed && (queued.count < AppTuning.maxQueuedHTTPRequests || player != nil) {
            readingHeld = false
            tcp.holdReading(false)
        }
    }

    /// Routes one request: the API (and /metrics) on an API port; live streams of the
    /// http_remux mounts, then static files on a file port.
    private func handle(_ request: HTTPRequest) {
        log.info(id, "HTTP \(request.method) \(request.target) from \(tcp.peerAddress)")
        // The API port's root answers SRS's URL list; on a port shared with files, `/` is a page.
        if roles.api && (APIResponder.serves(request) || (request.path == "/" && !roles.files)) {
            APIResponder(server: server).serve(request, on: self)
        } else if roles.files {
            if request.method == "OPTIONS" && server.config.httpAPI.crossdomain {
                respond(status: 200, body: [], contentType: "text/plain", keepAlive: request.keepAlive, request: request)
            } else if request.path == ConsolePages.mount + "api.json" {
                // Where the console finds the API (the HTTP server knows its port).
                let api = server.config.httpAPI
                let body = "{\"enabled\":\(api.enabled),\"port\":\(api.listen.port)}\n"
                respond(status: 200, body: Array(body.utf8), contentType: "application/json", keepAlive: request.keepAlive, request: request,
                        extraHeaders: [("Cache-Control", "no-cache")])
            } else if let live = LiveStreamResponder(server: server).match(request) {
                playUnlessAFileIsThere(request, live: live)
            } else {
                StaticFileResponder(server: server).serve(request, on: self)
            }
        } else {
            respond(status: 404, body: Array("not found\n".utf8), contentType: "text/plain", keepAlive: request.keepAlive)
        }
    }

    /// A file on disk wins over a live mount, which would only wait for a publisher: the HLS
    /// segments `live/s-0.ts` under a `[app]/[stream].ts` mount, a recording under `.flv`. The
    /// file is looked for on the blocking pool.
    private func playUnlessAFileIsThere(_ request: HTTPRequest, live: (vhost: VhostConfig, mount: RemuxMount.Match)) {
        let files = StaticFileResponder(server: server)
        guard let file = files.filePath(for: request) else {
            LiveStreamResponder(server: server).play(request, vhost: live.vhost, mount: live.mount, on: self)
            return
        }
        suspendRequests()
        server.blockingPool.run({ StaticFile.isFile(file) }, on: tcp.loop) { [self] isFile in
            resumeRequests {
                if isFile {
                    files.serve(request, on: self)
                } else {
                    LiveStreamResponder(server: server).play(request, vhost: live.vhost, mount: live.mount, on: self)
                }
            }
        }
    }

    // MARK: For responders

    /// Later requests wait until `resumeRequests` (a callback or a file read is running).
    func suspendRequests() { busy = true }

    /// Runs `body` unless the client left meanwhile, then serves the requests that waited.
    func resumeRequests(_ body: () -> Void) {
        busy = false
        guard !closed else { return }
        body()
        serveQueued()
    }

    /// The connection becomes a live player: its output runs until the client leaves.
    func becomePlayer(_ output: PlayerOutput, framer: MediaFramer, member: StreamGate.Member, vhost: VhostConfig) {
        // A player sends no more requests: the parser's and the queue's buffers can go.
        parser = HTTPRequestParser()
        queued = []
        self.framer = framer
        player = output
        playing = (member, vhost)
    }

    /// Sends a response: `body`, then `streamedBody` piece by piece when given (later requests
    /// wait for it); closes afterwards unless `keepAlive`.
    func respond(
        status: Int, body: [UInt8], contentType: String, keepAlive: Bool, request: HTTPRequest? = nil,
        extraHeaders: [(String, String)] = [], streamedBody: FileResponseBody? = nil
    ) {
        var headers = HTTPHeaders()
        headers.add("Server", ServerVersion.signature)
        headers.add("Content-Type", contentType)
        var body = body
        if let request, streamedBody == nil, body.count > 256, let accept = request.headers["Accept-Encoding"], accept.contains("gzip"),
            contentType.hasPrefix("application/json") || contentType.hasPrefix("application/javascript") || contentType.hasPrefix("text/"),
            let compressed = Gzip.compress(body)
        {
            body = compressed
            headers.add("Content-Encoding", "gzip")
        }
        headers.add("Content-Length", String(body.count + (streamedBody?.remaining ?? 0)))
        for (name, value) in extraHeaders { headers.add(name, value) }
        if let request, roles.api, server.config.httpAPI.crossdomain, request.headers["Origin"] != nil || request.path.hasPrefix("/api") {
            addCORS(&headers)
        }
        headers.add("Connection", keepAlive ? "keep-alive" : "close")
        var head = HTTPResponseHead(status: status, headers: headers)
        head.version = request?.version ?? .http11
        var bytes = head.serialize()
        if request?.method != "HEAD" { bytes += body }
        let complete = tcp.send(bytes)
        if let streamedBody, request?.method != "HEAD", streamedBody.remaining > 0 {
            fileBody = (streamedBody, keepAlive)
            busy = true
            if complete { sendFileBody() }
            return
        }
        if !keepAlive {
            closeWhenDrained = true
            if complete { tcp.close(.local("response sent")) }
        }
    }

    /// Sends the next piece of the file being answered once the previous one is written;
    /// when the file is done, the connection closes or serves the requests that waited.
    private func sendFileBody() {
        guard let (body, keepAlive) = fileBody, !fileReadPending, !closed, tcp.isWritable else { return }
        guard body.remaining > 0 else {
            fileBody = nil
            if keepAlive {
                resumeRequests {}
            } else {
                tcp.close(.local("response sent"))
            }
            return
        }
        fileReadPending = true
        server.blockingPool.run({ body.readChunk() }, on: tcp.loop) { [self] chunk in
            fileReadPending = false
            guard !closed, fileBody != nil else { return }
            guard let chunk else {
                log.warn(id, "file read failed while sending it; closing")
                close("file read failed")
                return
            }
            if tcp.send(chunk) { sendFileBody() }
        }
    }

    private func addCORS(_ headers: inout HTTPHeaders) {
        headers.add("Access-Control-Allow-Origin", "*")
        headers.add("Access-Control-Allow-Methods", "GET, POST, HEAD, PUT, DELETE, OPTIONS")
        headers.add("Access-Control-Allow-Headers", "Cache-Control, X-Proxy-Authorization, X-Requested-With, Content-Type, Authorization")
        headers.add("Access-Control-Expose-Headers", "Server, range, Content-Length, Content-Range")
    }

    // MARK: Reload

    func reloaded(_ config: ServerConfig) {
        guard !closed, let playing else { return }
        guard let updated = config.vhost(named: playing.vhost.name), updated.enabled, updated.httpRemux.enabled else {
            log.warn(id, "reload: vhost \(playing.vhost.name) or its http_remux was removed; closing the HTTP player")
            close("http_remux removed by reload")
            return
        }
        self.playing = (playing.member, updated)
    }

    // MARK: ServerClient

    func checkTimeouts(now: Int64) {
        guard !closed else { return }
        if let player {
            if !tcp.isWritable && now - tcp.lastSendProgressTime > AppTuning.playerSendTimeoutMs {
                log.warn(id, "HTTP player of \(player.source.key) accepted no bytes for \(AppTuning.playerSendTimeoutMs) ms; closing")
                close("player send timeout")
            }
            return
        }
        // The rest of a partial request may wait in the socket while this server is not
        // reading (responses ahead of it being written, or 32 requests queued): its clock
        // runs only while reading is on, from the last response progress.
        if let since = partialSince, tcp.isWritable, !readingHeld, fileBody == nil,
           now - max(since, tcp.lastSendProgressTime) > AppTuning.httpRequestTimeoutMs {
            log.warn(id, "HTTP request not complete within \(AppTuning.httpRequestTimeoutMs) ms; closing")
            respond(status: 408, body: [], contentType: "text/plain", keepAlive: false)
        } else if !tcp.isWritable {
            // A response is being written: the client must keep reading it, however long it is.
            if now - tcp.lastSendProgressTime > AppTuning.playerSendTimeoutMs {
                log.warn(id, "HTTP client accepted no bytes of its response for \(AppTuning.playerSendTimeoutMs) ms; closing")
                close("HTTP send timeout")
            }
        } else if !busy && now - max(lastActivity, tcp.lastSendProgressTime) > AppTuning.httpIdleTimeoutMs {
            close("HTTP keep-alive idle timeout")
        }
    }

    var pithyLine: String? {
        guard let player else { return nil }
        return "-> HTTP \(player.source.key) msgs=\(player.messagesSent) dropped=\(player.messagesDropped) send=\(tcp.bytesSent) bytes"
    }
}
