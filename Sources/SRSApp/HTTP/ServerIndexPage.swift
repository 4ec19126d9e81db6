import SRSConfig
import SRSHLS
import SRSHTTP

/// The page at `/` of the HTTP server when its folder has no `index.html`: what this server
/// offers (the streams being published now, each with its RTMP, HTTP-FLV and HLS URLs as
/// this server serves them) and where its API is. Built from the live registries on request.
enum ServerIndexPage {
    static func html(server: Server, requestHost: String?) -> [UInt8] {
        let config = server.config
        let host = (requestHost ?? "127.0.0.1").split(separator: ":").first.map(String.init) ?? "127.0.0.1"
        let rtmpPort = config.listen.first?.port ?? 1935
        let httpPort = config.httpServer.listen.port
        let api = config.httpAPI.enabled ? "http://\(host):\(config.httpAPI.listen.port)/api/v1/" : nil
        let published = server.streams.all.filter { $0.publisherId != nil }.sorted { ($0.vhost, $0.app, $0.stream) < ($1.vhost, $1.app, $1.stream) }
        var rows = ""
        for source in published {
            guard let vhost = config.vhost(named: source.vhost) else { continue }
            let vhostQuery = vhost.name == VhostConfig.defaultVhostName ? "" : "?vhost=\(vhost.name)"
            var links = [link("rtmp://\(host):\(rtmpPort)/\(source.app)/\(source.stream)\(vhostQuery)")]
            if config.httpServer.enabled, vhost.httpRemux.enabled {
                links.append(link("http://\(host):\(httpPort)\(mountPath(vhost.httpRemux.mount, vhost: vhost.name, app: source.app, stream: source.stream))"))
            }
            if config.httpServer.enabled, vhost.hls.enabled, samePath(vhost.hls.path, config.httpServer.dir) {
                links.append(link("http://\(host):\(httpPort)/\(render(vhost.hls.m3u8File, vhost: vhost.name, app: source.app, stream: source.stream))"))
            }
            let codecs = source.statistics.codecInfo
            let media = [codecs.video.map { "\($0.codec) \($0.width)x\($0.height)" }, codecs.audio.map { "\($0.codec) \($0.sampleRate) Hz" }]
                .compactMap { $0 }.joined(separator: ", ")
            rows += "<tr><td>\(escape(source.vhost))</td><td>\(escape(source.app))/\(escape(source.stream))</td><td>\(escape(media))</td><td>\(links.joined(separator: "<br>"))</td></tr>\n"
        }
        let streams = published.isEmpty
            ? "<p>No stream is being published. Publish one with<br><code>ffmpeg -re -i input.flv -c copy -f flv rtmp://\(escape(host)):\(rtmpPort)/live/livestream</code></p>"
            : "<table><tr><th>vhost</th><th>stream</th><th>media</th><th>play</th></tr>\n\(rows)</table>"
        let page = """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>\(ServerVersion.signature)</title>
            <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}</style>
            </head><body>
            <h1>\(escape(ServerVersion.signature))</h1>
            <p>SRS \(ServerVersion.compatibleSRS) compatible live streaming server. RTMP on port \(rtmpPort)\(config.httpServer.enabled ? ", HTTP on \(httpPort)" : "")\(api.map { ", HTTP API at \(link($0))" } ?? "").</p>
            <h2>Streams</h2>
            \(streams)
            </body></html>

            """
        return Array(page.utf8)
    }

    private static func mountPath(_ mount: String, vhost: String, app: String, stream: String) -> String {
        var path = mount
        if path.hasPrefix("[vhost]") { path.removeFirst("[vhost]".count) }
        path = render(path, vhost: vhost, app: app, stream: stream)
        return path.hasPrefix("/") ? path : "/" + path
    }

    /// `template` with the stream's `[vhost] [app] [stream]` (HLS's path template).
    private static func render(_ template: String, vhost: String, app: String, stream: String) -> String {
        var path = PathTemplate()
        path.vhost = vhost
        path.app = app
        path.stream = stream
        return path.render(template)
    }

    private static func samePath(_ a: String, _ b: String) -> Bool {
        func normal(_ path: String) -> String {
            var path = path.hasPrefix("./") ? String(path.dropFirst(2)) : path
            while path.hasSuffix("/") { path.removeLast() }
            return path
        }
        return normal(a) == normal(b)
    }

    private static func link(_ url: String) -> String { "<a href=\"\(escape(url))\">\(escape(url))</a>" }

    private static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}
