import SRSConfig
import SRSHTTP
import SRSIO

/// Serves files of `http_server`'s `dir` and the vhosts' `http_static` mounts (MIME types,
/// ranges, FLV `?start=` and MP4 `?range=` seeking, no escape from the root), read on the
/// blocking pool; large files piece by piece.
struct StaticFileResponder {
    unowned let server: Server

    func serve(_ request: HTTPRequest, on connection: HTTPConnection) {
        guard request.method == "GET" || request.method == "HEAD" else {
            connection.respond(status: 405, body: Array("method not allowed\n".utf8), contentType: "text/plain", keepAlive: request.keepAlive, request: request)
            return
        }
        guard let file = filePath(for: request) else {
            connection.respond(status: 403, body: Array("forbidden\n".utf8), contentType: "text/plain", keepAlive: false, request: request)
            return
        }
        connection.suspendRequests()
        let server = self.server
        server.blockingPool.run({ StaticFile.open(file, request: request) }, on: connection.tcp.loop) { result in
            connection.resumeRequests { Self.answer(result, file: file, request: request, server: server, on: connection) }
        }
    }

    /// The file a request names: under the vhost's `http_static` mount, else under the HTTP
    /// server's folder (`index.html` for a folder); nil when the path would leave the folder.
    func filePath(for request: HTTPRequest) -> String? {
        let config = server.config
        var root = config.httpServer.dir
        var path = request.path
        // The console's pages are the server's own, whatever the folder holds.
        if path.hasPrefix(ConsolePages.mount), let console = ConsolePages.directory {
            return StaticPath.resolve(root: console, requestPath: "/" + path.dropFirst(ConsolePages.mount.count)).map {
                path.hasSuffix("/") ? $0 + ($0.hasSuffix("/") ? "" : "/") + "index.html" : $0
            }
        }
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
        guard var resolved = StaticPath.resolve(root: root, requestPath: path) else { return nil }
        if path.hasSuffix("/") { resolved += resolved.hasSuffix("/") ? "index.html" : "/index.html" }
        return resolved
    }

    private static func answer(_ result: StaticFile.Result, file: String, request: HTTPRequest, server: Server, on connection: HTTPConnection) {
        switch result {
        case .notFound where request.path == "/" || request.path == "/console":
            // No index.html of the folder's own: the console (as SRS serves its pages from `/`).
            connection.respond(status: 302, body: Array("see \(ConsolePages.mount)\n".utf8), contentType: "text/plain", keepAlive: request.keepAlive,
                               request: request, extraHeaders: [("Location", ConsolePages.mount)])
        case .notFound:
            connection.respond(status: 404, body: Array("not found\n".utf8), contentType: "text/plain", keepAlive: request.keepAlive, request: request)
        case .badRequest(let reason):
            connection.respond(status: 400, body: Array("\(reason)\n".utf8), contentType: "text/plain", keepAlive: request.keepAlive, request: request)
        case .unsatisfiable(let size):
            connection.respond(status: 416, body: [], contentType: MIMEType.forPath(file), keepAlive: request.keepAlive, request: request,
                    extraHeaders: [("Content-Range", "bytes */\(size)")])
        case .content(let response):
            var headers: [(String, String)] = [("Accept-Ranges", "bytes")]
            if file.hasSuffix(".m3u8") || file.hasSuffix(".abst") || file.hasSuffix(".f4m") { headers.append(("Cache-Control", "no-cache")) }
            if let range = response.range { headers.append(("Content-Range", "bytes \(range.lowerBound)-\(range.upperBound)/\(response.size)")) }
            connection.respond(status: response.range == nil ? 200 : 206, body: response.prefix, contentType: MIMEType.forPath(file),
                    keepAlive: request.keepAlive, request: request, extraHeaders: headers, streamedBody: response.body)
        }
    }
}
