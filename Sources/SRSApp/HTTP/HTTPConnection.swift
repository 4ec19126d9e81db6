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

/// One HTTP/1.1 client: API requests, static files, or one live stream (HTTP-FLV and the other
/// remux formats), in which case it becomes a player of the stream's ring. Confined to its loop.
final class HTTPConnection: TCPConnectionDelegate, ServerClient, @unchecked Sendable {
    let id: Int
    let tcp: TCPConnection
    unowned let server: Server
    let roles: HTTPRoles
    private var parser = HTTPRequestParser()
    private var closed = false
    private var closeWhenDrained = false
    private var lastActivity = MonotonicClock.milliseconds()
    private var partialSince: Int64?
    /// Set while a file read runs on the blocking pool: later requests wait.
    private var busy = false
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

    init(id: Int, tcp: TCPConnection, server: Server, roles: HTTPRoles) {
        self.id = id
        self.tcp = tcp
        self.server = server
        self.roles = roles
    }

    // MARK: TCPConnectionDelegate

    func connection(_ connection: TCPConnection, didReceive bytes: UnsafeRawBufferPointer) {
        lastActivity = MonotonicClock.milliseconds()
        if player != nil { return }  // a live stream's client has nothing more to say
        let requests: [HTTPRequest]
        do {
            requests = try parser.feed(bytes)
        } catch {
            log.warn(id, "bad HTTP request from \(tcp.peerAddress): \(error)")
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

    func connectionDidDrain(_ connection: TCPConnection) {
        if let player {
            player.flush()
        } else if closeWhenDrained {
            tcp.close(.local("response sent"))
        } else {
            serveQueued()
        }
    }

    func connection(_ connection: TCPConnection, didCloseWith reason: CloseReason) {
        closed = true
        if let player, let playing {
            server.gate.left(player, member: playing.member, vhost: playing.vhost, loop: tcp.loop)
        }
        player = nil
        playing = nil
        framer = nil
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

    private func handle(_ request: HTTPRequest) {
        log.info(id, "HTTP \(request.method) \(request.target) from \(tcp.peerAddress)")
        if roles.api && (request.path == "/api" || request.path.hasPrefix("/api/")) {
            serveAPI(request)
        } else if roles.api && request.path == "/metrics" {
            respond(status: 200, body: server.metrics.render(server), contentType: "text/plain; version=0.0.4; charset=utf-8",
                    keepAlive: request.keepAlive, request: request)
        } else if roles.files {
            if request.method == "OPTIONS" && server.config.httpAPI.crossdomain {
                respond(status: 200, body: [], contentType: "text/plain", keepAlive: request.keepAlive, request: request)
            } else if !serveLiveStream(request) {
                serveFile(request)
            }
        } else {
            respond(status: 404, body: Array("not found\n".utf8), contentType: "text/plain", keepAlive: request.keepAlive)
        }
    }

    /// Sends a complete response; closes afterwards unless `keepAlive`.
    private func respond(
        status: Int, body: [UInt8], contentType: String, keepAlive: Bool, request: HTTPRequest? = nil,
        extraHeaders: [(String, String)] = []
    ) {
        var headers = HTTPHeaders()
        headers.add("Server", ServerVersion.signature)
        headers.add("Content-Type", contentType)
        var body = body
        if let request, body.count > 256, let accept = request.headers["Accept-Encoding"], accept.contains("gzip"),
            contentType.hasPrefix("application/json") || contentType.hasPrefix("application/javascript") || contentType.hasPrefix("text/"),
            let compressed = Gzip.compress(body)
        {
            body = compressed
            headers.add("Content-Encoding", "gzip")
        }
        headers.add("Content-Length", String(body.count))
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
        if !keepAlive {
            closeWhenDrained = true
            if complete { tcp.close(.local("response sent")) }
        }
    }

    private func addCORS(_ headers: inout HTTPHeaders) {
        headers.add("Access-Control-Allow-Origin", "*")
        headers.add("Access-Control-Allow-Methods", "GET, POST, HEAD, PUT, DELETE, OPTIONS")
        headers.add("Access-Control-Allow-Headers", "Cache-Control, X-Proxy-Authorization, X-Requested-With, Content-Type")
        headers.add("Access-Control-Expose-Headers", "Server, range, Content-Length, Content-Range")
    }

    // MARK: API

    private func serveAPI(_ request: HTTPRequest) {
        if request.method == "OPTIONS" {
            respond(status: 200, body: [], contentType: "text/plain", keepAlive: request.keepAlive, request: request)
            return
        }
        guard ["GET", "HEAD", "DELETE", "POST", "PUT"].contains(request.method) else {
            respond(status: 405, body: Array("method not allowed\n".utf8), contentType: "text/plain", keepAlive: request.keepAlive, request: request)
            return
        }
        let answer = HTTPAPI(server: server).handle(method: request.method, path: request.path) { request.queryValue($0) }
        var text = answer.body.serialized
        var contentType = "application/json"
        if let callback = request.queryValue("callback"), !callback.isEmpty,
            callback.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "$" })
        {
            text = "\(callback)(\(text))"
            contentType = "application/javascript"
        }
        // SRS answers errors in the JSON code with HTTP 200; keep that so old dashboards work.
        respond(status: 200, body: Array(text.utf8), contentType: contentType, keepAlive: request.keepAlive, request: request)
    }

    // MARK: Live streams

    /// Serves `request` as a live stream when it matches a vhost's http_remux mount.
    private func serveLiveStream(_ request: HTTPRequest) -> Bool {
        guard request.method == "GET" || request.method == "HEAD" else { return false }
        let config = server.config
        let hostVhost = request.host.flatMap { config.vhost(named: $0) }
        let candidates = [hostVhost, config.vhost(named: VhostConfig.defaultVhostName)].compactMap { $0 }
        for vhost in candidates where vhost.enabled && vhost.httpRemux.enabled {
            guard let match = RemuxMount.match(template: vhost.httpRemux.mount, path: request.path) else { continue }
            startPlaying(request, vhost: vhost, app: match.app, stream: match.stream, format: match.format)
            return true
        }
        return false
    }

    private func startPlaying(_ request: HTTPRequest, vhost: VhostConfig, app: String, stream: String, format: RemuxMount.Format) {
        var streamRequest = StreamRequest()
        streamRequest.schema = "http"
        streamRequest.host = request.host ?? ""
        streamRequest.vhost = vhost.name
        streamRequest.app = app
        streamRequest.stream = stream
        streamRequest.param = request.query.isEmpty ? "" : "?" + request.query
        streamRequest.tcUrl = "http://\(request.headers["Host"] ?? "")/\(app)"
        streamRequest.pageUrl = request.headers["Referer"] ?? ""
        let asked = AdmissionRequest(action: .play, clientId: id, ip: tcp.peerAddress, stream: streamRequest, connectsToo: true)
        let decided: (AdmissionVerdict) -> Void = { [self] verdict in
            switch verdict {
            case .refused(let refusal):
                let status = refusal.kind == .vhostNotServed ? 404 : 403
                respond(status: status, body: Array("\(HTTPStatus.reasonPhrase(status))\n".utf8), contentType: "text/plain", keepAlive: false,
                        request: request)
            case .admitted(let admitted, let streamRequest):
                attachPlayer(request, streamRequest: streamRequest, vhost: server.config.vhost(named: admitted.name) ?? admitted, format: format)
            }
        }
        // A callback decides later: requests after this one wait meanwhile.
        if let verdict = server.admission.admit(asked, loop: tcp.loop, completion: { [self] verdict in
            busy = false
            guard !closed else { return }
            decided(verdict)
            serveQueued()
        }) {
            decided(verdict)
        } else {
            busy = true
        }
    }

    private func attachPlayer(_ request: HTTPRequest, streamRequest: StreamRequest, vhost: VhostConfig, format: RemuxMount.Format) {
        let member = StreamGate.Member(clientId: id, ip: tcp.peerAddress, request: streamRequest, vhost: vhost,
                                       kind: format == .flv ? .flvPlay : .httpPlay, url: request.path)
        let source: LiveSource
        switch server.gate.join(player: member, loop: tcp.loop, requirePublisher: !vhost.httpRemux.hstrs) {
        case .joined(let joined):
            source = joined
        case .notPublished:
            respond(status: 404, body: Array("stream not published\n".utf8), contentType: "text/plain", keepAlive: false, request: request)
            return
        case .contention:
            close("stream registry contention")
            return
        }
        let framer: MediaFramer
        switch format {
        case .flv: framer = FLVFramer()
        case .ts: framer = TSFramer(source: source)
        case .aac: framer = AudioFramer(codec: .aac)
        case .mp3: framer = AudioFramer(codec: .mp3)
        }
        var headers = HTTPHeaders()
        headers.add("Server", ServerVersion.signature)
        headers.add("Content-Type", format.contentType)
        headers.add("Cache-Control", "no-cache")
        headers.add("Access-Control-Allow-Origin", "*")
        headers.add("Connection", "close")
        var head = HTTPResponseHead(status: 200, headers: headers)
        head.version = request.version
        tcp.send(head.serialize())
        self.framer = framer
        let jitterMode: JitterMode = vhost.atc ? .off : (JitterMode(rawValue: vhost.timeJitter.rawValue) ?? .full)
        let fastCacheMs = format == .aac || format == .mp3 ? Int64(vhost.httpRemux.fastCache * 1000) : 0
        let output = PlayerOutput(source: source, tcp: tcp, contextId: id, framer: framer, jitter: jitterMode, fastCacheMs: fastCacheMs)
        player = output
        playing = (member, vhost)
        if request.method == "HEAD" {
            close("HEAD of a live stream")
            return
        }
        output.start()
        server.gate.playing(source, member: member, detail: "over HTTP (\(format)), hstrs=\(vhost.httpRemux.hstrs)")
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

    // MARK: Static files

    private func serveFile(_ request: HTTPRequest) {
        guard request.method == "GET" || request.method == "HEAD" else {
            respond(status: 405, body: Array("method not allowed\n".utf8), contentType: "text/plain", keepAlive: request.keepAlive, request: request)
            return
        }
        let config = server.config
        var root = config.httpServer.dir
        var path = request.path
        if let vhost = request.host.flatMap({ config.vhost(named: $0) }) ?? config.vhost(named: VhostConfig.defaultVhostName),
            vhost.httpStatic.enabled
        {
            var mount = vhost.httpStatic.mount.replacingOccurrences(of: "[vhost]", with: "")
            if !mount.hasPrefix("/") { mount = "/" + mount }
            if path.hasPrefix(mount) {
                root = vhost.httpStatic.dir
                path = "/" + path.dropFirst(mount.count)
            }
        }
        guard var resolved = StaticPath.resolve(root: root, requestPath: path) else {
            respond(status: 403, body: Array("forbidden\n".utf8), contentType: "text/plain", keepAlive: false, request: request)
            return
        }
        if path.hasSuffix("/") { resolved += resolved.hasSuffix("/") ? "index.html" : "/index.html" }
        let file = resolved
        busy = true
        let range = request.headers["Range"]
        server.blockingPool.run({ StaticFile.read(file, range: range) }, on: tcp.loop) { [self] result in
            busy = false
            guard !closed else { return }
            switch result {
            case .notFound:
                respond(status: 404, body: Array("not found\n".utf8), contentType: "text/plain", keepAlive: request.keepAlive, request: request)
            case .tooLarge:
                respond(status: 413, body: Array("file larger than \(AppTuning.maxStaticFileBytes) bytes\n".utf8), contentType: "text/plain", keepAlive: false, request: request)
            case .unsatisfiable(let size):
                respond(status: 416, body: [], contentType: MIMEType.forPath(file), keepAlive: request.keepAlive, request: request,
                        extraHeaders: [("Content-Range", "bytes */\(size)")])
            case .content(let bytes, let size, let range):
                var headers: [(String, String)] = [("Accept-Ranges", "bytes")]
                if file.hasSuffix(".m3u8") { headers.append(("Cache-Control", "no-cache")) }
                if let range { headers.append(("Content-Range", "bytes \(range.lowerBound)-\(range.upperBound)/\(size)")) }
                respond(status: range == nil ? 200 : 206, body: bytes, contentType: MIMEType.forPath(file), keepAlive: request.keepAlive,
                        request: request, extraHeaders: headers)
            }
            serveQueued()
        }
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
        if let since = partialSince, tcp.isWritable, !readingHeld,
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
