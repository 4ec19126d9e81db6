import Foundation
import SRSConfig
import SRSHTTP
import SRSIO
import SRSTLS

/// What a chain of callbacks decided.
enum HookVerdict: Sendable, Equatable {
    case allowed
    case rejected(String)
}

/// Calls `http_hooks` URLs: a JSON POST per URL, in order, each bounded by the vhost's
/// `timeout`, on the caller's loop without ever blocking it (non-blocking connect, Dispatch
/// sources, a timer). Names that are not IP literals are resolved on the blocking pool.
///
/// Outcomes of one call: HTTP 200 with `0` or `{"code":0}` passes; HTTP 200 with anything
/// else, or a 4xx, is a rejection; no connection, a timeout, a 5xx or a cut answer is a
/// failure, which rejects unless `fail_open on`.
final class HookCaller: Sendable {
    private let connector: any TransportConnector

    init(connector: any TransportConnector) {
        self.connector = connector
    }

    /// Calls every URL of `event` in order; `completion` runs on `loop` once one rejects or all
    /// passed, always later than this call returns (a refused connect can fail at once, and
    /// callers hold state across the call). With no URLs it runs with `.allowed`.
    func call(_ event: HTTPHooksConfig.Event, hooks: HTTPHooksConfig, body: [(String, JSONValue)], contextId: Int,
              loop: EventLoop, completion: @escaping (HookVerdict) -> Void) {
        let later = UncheckedBox(completion)
        let completion: (HookVerdict) -> Void = { verdict in loop.post { later.value(verdict) } }
        let urls = hooks.urls(for: event)
        guard !urls.isEmpty else {
            completion(.allowed)
            return
        }
        let payload = Array(JSONValue.object([("action", .string(event.rawValue))] + body).serialized.utf8)
        callNext(urls[...], event: event, hooks: hooks, payload: payload, contextId: contextId, loop: loop, completion: completion)
    }

    /// Fire-and-forget notification (on_close, on_unpublish, on_stop, on_hls): logged only.
    func notify(_ event: HTTPHooksConfig.Event, hooks: HTTPHooksConfig, body: [(String, JSONValue)], contextId: Int, loop: EventLoop) {
        call(event, hooks: hooks, body: body, contextId: contextId, loop: loop) { _ in }
    }

    private func callNext(_ urls: ArraySlice<String>, event: HTTPHooksConfig.Event, hooks: HTTPHooksConfig, payload: [UInt8],
                          contextId: Int, loop: EventLoop, completion: @escaping (HookVerdict) -> Void) {
        guard let url = urls.first else {
            completion(.allowed)
            return
        }
        let started = loop.now
        HookRequest.start(url: url, payload: payload, timeoutMs: hooks.timeoutMs, loop: loop, connector: connector) { [self] outcome in
            let took = loop.now - started
            switch outcome {
            case .passed:
                log.trace(contextId, "\(event.rawValue) \(url) passed in \(took) ms")
                callNext(urls.dropFirst(), event: event, hooks: hooks, payload: payload, contextId: contextId, loop: loop, completion: completion)
            case .rejected(let why):
                log.warn(contextId, "\(event.rawValue) \(url) rejected the client in \(took) ms: \(why)")
                completion(.rejected("\(event.rawValue) rejected: \(why)"))
            case .failed(let why):
                if hooks.failOpen || !event.decidesAdmission {
                    log.warn(contextId, "\(event.rawValue) \(url) failed after \(took) ms: \(why)\(event.decidesAdmission ? "; fail_open: admitted" : "")")
                    callNext(urls.dropFirst(), event: event, hooks: hooks, payload: payload, contextId: contextId, loop: loop, completion: completion)
                } else {
                    log.warn(contextId, "\(event.rawValue) \(url) failed after \(took) ms: \(why); client rejected")
                    completion(.rejected("\(event.rawValue) failed: \(why)"))
                }
            }
        }
    }
}

/// One callback POST, confined to its loop.
private final class HookRequest: TransportDelegate, @unchecked Sendable {
    enum Outcome {
        case passed
        case rejected(String)
        case failed(String)
    }

    private let loop: EventLoop
    private let request: [UInt8]
    private var completion: ((Outcome) -> Void)?
    private var parser = HTTPResponseParser(maxBodyBytes: 64 * 1024)
    private var tcp: (any Transport)?
    /// For `https://`: what runs between the HTTP bytes and the socket.
    private var tls: TLSClientSession?

    private init(loop: EventLoop, request: [UInt8], completion: @escaping (Outcome) -> Void) {
        self.loop = loop
        self.request = request
        self.completion = completion
    }

    /// Starts the call; `completion` runs once, on `loop`.
    static func start(url: String, payload: [UInt8], timeoutMs: Int, loop: EventLoop, connector: any TransportConnector,
                      completion: @escaping (Outcome) -> Void) {
        guard let target = HookURL(url) else {
            completion(.failed("bad URL \(url)"))
            return
        }
        let head = "POST \(target.path) HTTP/1.1\r\nHost: \(target.hostHeader)\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(payload.count)\r\nConnection: close\r\nUser-Agent: \(ServerVersion.name)/\(ServerVersion.version)\r\n\r\n"
        let call = HookRequest(loop: loop, request: Array(head.utf8) + payload, completion: completion)
        let box = UncheckedBox(call)
        loop.schedule(afterMilliseconds: timeoutMs) {
            box.value.finish(.failed("no answer within \(timeoutMs) ms"))
        }
        connector.open(host: target.host, port: target.port, loop: loop) { result in
            let call = box.value
            guard call.completion != nil else { return }
            switch result {
            case .success(let connection):
                call.tcp = connection
                connection.start(delegate: call)
                guard target.isTLS else {
                    connection.send(call.request)
                    return
                }
                do {
                    let tls = try TLSClientSession(host: target.host)
                    call.tls = tls
                    try tls.start()
                    try tls.write(call.request)
                    connection.send(tls.takeOutput())
                } catch {
                    call.finish(.failed("\(error)"))
                }
            case .failure(let error):
                call.finish(.failed("\(error)"))
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
                finish(.failed("\(error)"))
                return
            }
        } else {
            parser.append(bytes)
        }
        do {
            if let response = try parser.next() { finish(Self.judge(response)) }
        } catch {
            finish(.failed("bad answer: \(error.reason)"))
        }
    }

    func connectionDidDrain(_ connection: any Transport) {}

    func connection(_ connection: any Transport, didCloseWith reason: CloseReason) {
        tcp = nil
        guard completion != nil else { return }
        do {
            if let response = try parser.finish() {
                finish(Self.judge(response))
                return
            }
            finish(.failed("connection \(reason) before an answer"))
        } catch {
            finish(.failed("bad answer: \(error.reason)"))
        }
    }

    private func finish(_ outcome: Outcome) {
        guard let completion else { return }
        self.completion = nil
        tcp?.close(.local("callback done"))
        tcp = nil
        completion(outcome)
    }

    /// SRS's success rule: HTTP 200 and a body of `0` or a JSON object with `"code":0`.
    static func judge(_ response: HTTPResponse) -> Outcome {
        let text = String(decoding: response.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        switch response.status {
        case 200:
            break
        case 500...599:
            return .failed("HTTP \(response.status)")
        default:
            return .rejected("HTTP \(response.status)")
        }
        if text == "0" { return .passed }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            return .failed("answer is neither 0 nor a JSON object: '\(text.prefix(64))'")
        }
        guard let code = object["code"] as? Int else {
            return .failed("answer has no integer code: '\(text.prefix(64))'")
        }
        return code == 0 ? .passed : .rejected("code \(code)")
    }
}

/// host, port and path of an `http://` callback URL.
struct HookURL {
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

/// Hands a loop-confined object to a closure that runs on its loop.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
