import Foundation
import SRSHTTP
import SRSIO
import SRSTLS

/// Why an outbound HTTP request got no response.
struct HTTPFetchFailure: Error, CustomStringConvertible {
    let reason: String
    var description: String { reason }
}

/// One outbound HTTP/1.1 request (`Connection: close`) and its response, over TCP or TLS
/// (`https://`, the server's certificate verified): callbacks POST with it, the HLS ingester
/// GETs playlists and segments. Bounded by `timeoutMs` and `maxBodyBytes`; never blocks its
/// loop (names that are not IP literals are resolved on the blocking pool by the connector).
/// Confined to its loop.
final class HTTPFetch: TransportDelegate, @unchecked Sendable {
    typealias Completion = (Result<HTTPResponse, HTTPFetchFailure>) -> Void

    private let loop: EventLoop
    private let request: [UInt8]
    private var completion: Completion?
    private var parser: HTTPResponseParser
    private var tcp: (any Transport)?
    /// For `https://`: what runs between the HTTP bytes and the socket.
    private var tls: TLSClientSession?

    private init(loop: EventLoop, request: [UInt8], maxBodyBytes: Int, completion: @escaping Completion) {
        self.loop = loop
        self.request = request
        self.completion = completion
        parser = HTTPResponseParser(maxBodyBytes: maxBodyBytes)
    }

    /// Sends `method url` with `headers` and `body`; `completion` runs once, on `loop`, with
    /// the response (whatever its status) or why there is none.
    static func start(method: String, url: String, headers: [(String, String)] = [], body: [UInt8] = [], maxBodyBytes: Int,
                      timeoutMs: Int, loop: EventLoop, connector: any TransportConnector, completion: @escaping Completion) {
        guard let target = HTTPURL(url) else {
            completion(.failure(HTTPFetchFailure(reason: "bad URL \(url)")))
            return
        }
        var head = "\(method) \(target.path) HTTP/1.1\r\nHost: \(target.hostHeader)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if method == "POST" || !body.isEmpty { head += "Content-Length: \(body.count)\r\n" }
        head += "Connection: close\r\nUser-Agent: \(ServerVersion.name)/\(ServerVersion.version)\r\n\r\n"
        let fetch = HTTPFetch(loop: loop, request: Array(head.utf8) + body, maxBodyBytes: maxBodyBytes, completion: completion)
        let box = UncheckedBox(fetch)
        loop.schedule(afterMilliseconds: timeoutMs) {
            box.value.finish(.failure(HTTPFetchFailure(reason: "no answer within \(timeoutMs) ms")))
        }
        connector.open(host: target.host, port: target.port, loop: loop) { result in
            let fetch = box.value
            guard fetch.completion != nil else { return }
            switch result {
            case .success(let connection):
                fetch.tcp = connection
                connection.start(delegate: fetch)
                guard target.isTLS else {
                    connection.send(fetch.request)
                    return
                }
                do {
                    let tls = try TLSClientSession(host: target.host)
                    fetch.tls = tls
                    try tls.start()
                    try tls.write(fetch.request)
                    connection.send(tls.takeOutput())
                } catch {
                    fetch.finish(.failure(HTTPFetchFailure(reason: "\(error)")))
                }
            case .failure(let error):
                fetch.finish(.failure(HTTPFetchFailure(reason: "\(error)")))
            }
        }
    }

    func connection(_ connection: any Transport, didReceive bytes: UnsafeRawBufferPointer) {
        if let tls {
            do {
                let plaintext = try tls.receive(bytes)
                let output = tls.takeOutput()
                if !output.isEmpty { connection.send(output) }
                plaintext.withUnsafeBytes { parser.append($0) }
            } catch {
                finish(.failure(HTTPFetchFailure(reason: "\(error)")))
                return
            }
        } else {
            parser.append(bytes)
        }
        do {
            if let response = try parser.next() { finish(.success(response)) }
        } catch {
            finish(.failure(HTTPFetchFailure(reason: "bad answer: \(error.reason)")))
        }
    }

    func connectionDidDrain(_ connection: any Transport) {}

    func connection(_ connection: any Transport, didCloseWith reason: CloseReason) {
        tcp = nil
        guard completion != nil else { return }
        do {
            if let response = try parser.finish() {
                finish(.success(response))
                return
            }
            finish(.failure(HTTPFetchFailure(reason: "connection \(reason) before an answer")))
        } catch {
            finish(.failure(HTTPFetchFailure(reason: "bad answer: \(error.reason)")))
        }
    }

    private func finish(_ outcome: Result<HTTPResponse, HTTPFetchFailure>) {
        guard let completion else { return }
        self.completion = nil
        tcp?.close(.local("request done"))
        tcp = nil
        completion(outcome)
    }
}

/// host, port and path of an `http://` or `https://` URL.
struct HTTPURL {
    var host: String
    var port: Int
    var path: String
    /// `https://`: the call goes over TLS, the server's certificate verified.
    var isTLS: Bool

    init?(_ text: String) {
        if text.hasPrefix("http://") {
            isTLS = false
        } else if text.hasPrefix("https://") {
            isTLS = true
        } else {
            return nil
        }
        let rest = text.dropFirst(isTLS ? 8 : 7)
        let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        var authority = rest[..<slash]
        path = slash < rest.endIndex ? String(rest[slash...]) : "/"
        if path.hasPrefix("?") { path = "/" + path }
        port = isTLS ? 443 : 80
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let value = Int(after.dropFirst()), (1...65535).contains(value) else { return nil }
                port = value
            }
        } else {
            if let colon = authority.lastIndex(of: ":") {
                guard let value = Int(authority[authority.index(after: colon)...]), (1...65535).contains(value) else { return nil }
                port = value
                authority = authority[..<colon]
            }
            host = String(authority)
        }
        guard !host.isEmpty else { return nil }
    }

    var hostHeader: String { (host.contains(":") ? "[\(host)]" : host) + (port == (isTLS ? 443 : 80) ? "" : ":\(port)") }
}

