import SRSConfig
import SRSHTTP
import SRSIO
import SRSKernel
import SRSRTMP

/// Serves the live streams of the vhosts' `http_remux` mounts (FLV, TS, AAC, MP3): the
/// request passes the admission pipeline as a play (its Referer is the pageUrl), joins the
/// stream through the gate, and the connection becomes a player of the stream's ring.
struct LiveStreamResponder {
    unowned let server: Server

    /// Serves `request` as a live stream when it matches a vhost's http_remux mount.
    /// The live stream a request names through an `http_remux` mount (the Host's vhost
    /// first, then the default vhost), if any.
    func match(_ request: HTTPRequest) -> (vhost: VhostConfig, mount: RemuxMount.Match)? {
        guard request.method == "GET" || request.method == "HEAD" else { return nil }
        let config = server.config
        // SRS's `?vhost=` names the vhost when the Host cannot (an IP address, a console).
        let hostVhost = (request.queryValue("vhost") ?? request.host).flatMap { config.vhost(named: $0) }
        let candidates = [hostVhost, config.vhost(named: VhostConfig.defaultVhostName)].compactMap { $0 }
        for vhost in candidates where vhost.enabled && vhost.httpRemux.enabled {
            for mount in vhost.httpRemux.mounts {
                if let match = RemuxMount.match(template: mount, path: request.path) { return (vhost, match) }
            }
        }
        return nil
    }

    /// Admits the request as a player of the matched stream and starts playing.
    func play(_ request: HTTPRequest, vhost: VhostConfig, mount: RemuxMount.Match, on connection: HTTPConnection) {
        startPlaying(request, vhost: vhost, app: mount.app, stream: mount.stream, format: mount.format, on: connection)
    }

    private func startPlaying(_ request: HTTPRequest, vhost: VhostConfig, app: String, stream: String, format: RemuxMount.Format,
                              on connection: HTTPConnection) {
        var streamRequest = StreamRequest()
        streamRequest.schema = "http"
        streamRequest.host = request.host ?? ""
        streamRequest.vhost = vhost.name
        streamRequest.app = app
        streamRequest.stream = stream
        streamRequest.param = request.query.isEmpty ? "" : "?" + request.query
        streamRequest.tcUrl = "http://\(request.headers["Host"] ?? "")/\(app)"
        streamRequest.pageUrl = request.headers["Referer"] ?? ""
        let asked = AdmissionRequest(action: .play, clientId: connection.id, ip: connection.tcp.peerAddress, stream: streamRequest, connectsToo: true)
        let decided: (AdmissionVerdict) -> Void = { [self] verdict in
            switch verdict {
            case .refused(let refusal):
                let status = refusal.kind == .vhostNotServed ? 404 : 403
                connection.respond(status: status, body: Array("\(HTTPStatus.reasonPhrase(status))\n".utf8), contentType: "text/plain",
                                   keepAlive: false, request: request)
            case .admitted(let admitted, let streamRequest):
                attachPlayer(request, streamRequest: streamRequest, vhost: server.config.vhost(named: admitted.name) ?? admitted, format: format,
                             on: connection)
            }
        }
        // A callback decides later: requests after this one wait meanwhile.
        if let verdict = server.admission.admit(asked, loop: connection.tcp.loop, completion: { verdict in
            connection.resumeRequests { decided(verdict) }
        }) {
            decided(verdict)
        } else {
            connection.suspendRequests()
        }
    }

    private func attachPlayer(_ request: HTTPRequest, streamRequest: StreamRequest, vhost: VhostConfig, format: RemuxMount.Format,
                              on connection: HTTPConnection) {
        let tcp = connection.tcp
        let member = StreamGate.Member(clientId: connection.id, ip: tcp.peerAddress, request: streamRequest, vhost: vhost,
                                       kind: format == .flv ? .flvPlay : .httpPlay, url: request.path)
        let source: LiveSource
        switch server.gate.join(player: member, loop: tcp.loop, requirePublisher: !vhost.httpRemux.hstrs, limits: server.config) {
        case .joined(let joined):
            source = joined
        case .notPublished:
            connection.respond(status: 404, body: Array("stream not published\n".utf8), contentType: "text/plain", keepAlive: false,
                               request: request)
            return
        case .tooManyWaiting(let reason):
            connection.respond(status: 503, body: Array("\(reason)\n".utf8), contentType: "text/plain", keepAlive: false, request: request)
            return
        case .contention:
            connection.close("stream registry contention")
            return
        }
        let framer: MediaFramer
        switch format {
        case .flv: framer = FLVFramer()
        case .ts: framer = TSFramer(source: source)
        case .aac: framer = AudioFramer(codec: .aac)
        case .mp3: framer = AudioFramer(codec: .mp3)
        case .mp4: framer = MP4Framer(source: source)
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
        let fastCacheMs = format == .aac || format == .mp3 ? Int64(vhost.httpRemux.fastCache * 1000) : 0
        let output = PlayerOutput(source: source, tcp: tcp, contextId: connection.id, framer: framer, jitter: vhost.jitterMode, fastCacheMs: fastCacheMs)
        connection.becomePlayer(output, framer: framer, member: member, vhost: vhost)
        if request.method == "HEAD" {
            connection.close("HEAD of a live stream")
            return
        }
        output.start()
        server.gate.playing(source, member: member, detail: "over HTTP (\(format)), hstrs=\(vhost.httpRemux.hstrs)")
    }
}
