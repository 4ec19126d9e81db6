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
        HTTPFetch.start(method: "POST", url: url, headers: [("Content-Type", "application/json")], body: payload, maxBodyBytes: 64 * 1024,
                        timeoutMs: hooks.timeoutMs, loop: loop, connector: connector) { [self] result in
            let took = loop.now - started
            let outcome: HookOutcome
            switch result {
            case .success(let response): outcome = Self.judge(response)
            case .failure(let failure): outcome = .failed(failure.reason)
            }
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

    /// SRS's success rule: HTTP 200 and a body of `0` or a JSON object with `"code":0`.
    static func judge(_ response: HTTPResponse) -> HookOutcome {
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

/// What one callback answered.
enum HookOutcome {
    case passed
    case rejected(String)
    case failed(String)
}

/// Hands a loop-confined object to a closure that runs on its loop.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
