import SRSHTTP

/// Answers the SRS HTTP API (`/api/...`, with JSONP) and Prometheus `/metrics` on an API port.
struct APIResponder {
    unowned let server: Server

    static func serves(_ request: HTTPRequest) -> Bool {
        request.path == "/api" || request.path.hasPrefix("/api/") || request.path == "/metrics"
    }

    func serve(_ request: HTTPRequest, on connection: HTTPConnection) {
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
        connection.respond(status: 200, body: Array(text.utf8), contentType: contentType, keepAlive: request.keepAlive, request: request)
    }
}
