import Foundation
import SRSHTTP

/// Answers the SRS HTTP API (`/api/...`, with JSONP) and Prometheus `/metrics` on an API port.
struct APIResponder {
    unowned let server: Server

    static func serves(_ request: HTTPRequest) -> Bool {
        request.path == "/api" || request.path.hasPrefix("/api/") || request.path == "/metrics"
    }

    func serve(_ request: HTTPRequest, on connection: HTTPConnection) {
        let api = server.config.httpAPI
        // Preflights carry no credentials (browsers never send them there) and reveal nothing.
        if api.authEnabled && request.method != "OPTIONS" && !Self.authorized(request, username: api.username, password: api.password) {
            log.warn(connection.id, "HTTP API \(request.method) \(request.path) from \(connection.tcp.peerAddress): no valid credentials; 401")
            connection.respond(status: 401, body: Array("unauthorized\n".utf8), contentType: "text/plain", keepAlive: request.keepAlive, request: request,
                               extraHeaders: [("WWW-Authenticate", "Basic realm=\"SwiftSRS\"")])
            return
        }
        if request.path == "/metrics" {
            connection.respond(status: 200, body: server.metrics.render(server), contentType: "text/plain; version=0.0.4; charset=utf-8",
                               keepAlive: request.keepAlive, request: request)
            return
        }
        if request.method == "OPTIONS" {
            connection.respond(status: 200, body: [], contentType: "text/plain", keepAlive: request.keepAlive, request: request)
            return
        }
        guard ["GET", "HEAD", "DELETE", "POST", "PUT"].contains(request.method) else {
            connection.respond(status: 405, body: Array("method not allowed\n".utf8), contentType: "text/plain", keepAlive: request.keepAlive, request: request)
            return
        }
        // With credentials in force, what changes the server needs more than a GET (which any
        // page can make a browser send with its cached credentials, e.g. from an <img>).
        if api.authEnabled && request.method == "GET" && request.path.hasPrefix("/api/v1/raw") && request.queryValue("rpc") == "reload" {
            connection.respond(status: 405, body: Array("POST /api/v1/raw?rpc=reload when auth is on\n".utf8), contentType: "text/plain",
                               keepAlive: request.keepAlive, request: request)
            return
        }
        let answer = HTTPAPI(server: server).handle(method: request.method, path: request.path) { request.queryValue($0) }
        var text = answer.body.serialized
        var contentType = "application/json"
        // JSONP would hand the API to any page once a browser holds the credentials.
        if !api.authEnabled, let callback = request.queryValue("callback"), !callback.isEmpty,
            callback.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "$" })
        {
            text = "\(callback)(\(text))"
            contentType = "application/javascript"
        }
        // SRS answers errors in the JSON code with HTTP 200; keep that so old dashboards work.
        connection.respond(status: 200, body: Array(text.utf8), contentType: contentType, keepAlive: request.keepAlive, request: request)
    }

    /// HTTP Basic credentials (`Authorization: Basic base64(username:password)`), compared in
    /// constant time for a given length.
    static func authorized(_ request: HTTPRequest, username: String, password: String) -> Bool {
        guard let header = request.headers["Authorization"] else { return false }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let decoded = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)) else { return false }
        let given = Array(decoded)
        let expected = Array("\(username):\(password)".utf8)
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        for index in expected.indices {
            difference |= expected[index] ^ (index < given.count ? given[index] : 0)
        }
        return difference == 0
    }
}
