import Foundation
import SRSConfig
import SRSIO
import SRSKernel

/// `heartbeat { enabled on; }`: every `interval` the server POSTs SRS's body to `url` (off the
/// loops' hot path: one non-blocking request on the first loop, bounded by
/// `AppTuning.heartbeatTimeoutMs`): `device_id`, `ip` (the `stats.network`-th local IPv4
/// address), `server`, `service`, `pid`, with `summaries` (the /api/v1/summaries data) and
/// the listen endpoints (`ports`) when asked. A reload applies to the next report; a failed
/// report is logged (once a minute at most) and the next one comes on time.
final class Heartbeat: @unchecked Sendable {
    private unowned let server: Server
    private let loop: EventLoop
    private var lastFailureLog: Int64 = -60_000
    private var started = false
    /// Reports sent and answered with any status (for the log).
    private var sent = 0

    init(server: Server, loop: EventLoop) {
        self.server = server
        self.loop = loop
    }

    /// Starts the reports (they run while the config enables them).
    func start() {
        loop.execute { [self] in
            guard !started else { return }
            started = true
            schedule()
        }
    }

    private func schedule() {
        let config = server.config.heartbeat
        let delay = Int((config.enabled ? config.interval : 1) * 1000)
        loop.schedule(afterMilliseconds: max(delay, 100)) { [weak self] in
            guard let self, !server.isQuitting else { return }
            if server.config.heartbeat.enabled { report(server.config) }
            schedule()
        }
    }

    private func report(_ config: ServerConfig) {
        let heartbeat = config.heartbeat
        var body: [(String, JSONValue)] = [
            ("device_id", .string(heartbeat.deviceId)), ("ip", .string(Self.localAddress(index: config.statsNetwork))),
            ("server", .string(String(server.serverId))), ("service", .string(String(server.serverId))), ("pid", .string(String(getpid()))),
        ]
        if heartbeat.summaries { body.append(("summaries", HTTPAPI(server: server).summariesData)) }
        if heartbeat.ports {
            body.append(("rtmp", .array(config.listen.map { .string("\($0)") })))
            if config.httpServer.enabled { body.append(("http", .array([.string("\(config.httpServer.listen)")]))) }
            if config.httpAPI.enabled { body.append(("api", .array([.string("\(config.httpAPI.listen)")]))) }
        }
        let payload = Array(JSONValue.object(body).serialized.utf8)
        HTTPFetch.start(method: "POST", url: heartbeat.url, headers: [("Content-Type", "application/json")], body: payload, maxBodyBytes: 64 * 1024,
                        timeoutMs: min(AppTuning.heartbeatTimeoutMs, max(Int(heartbeat.interval * 1000), 1000)), loop: loop,
                        connector: server.connector) { [self] result in
            switch result {
            case .success(let response):
                sent += 1
                if sent == 1 { log.trace(Server.serverContextId, "heartbeat: first report to \(heartbeat.url) answered HTTP \(response.status)") }
            case .failure(let failure):
                guard loop.now - lastFailureLog >= 60_000 else { return }
                lastFailureLog = loop.now
                log.warn(Server.serverContextId, "heartbeat to \(heartbeat.url) failed: \(failure) (logged once a minute)")
            }
        }
    }

    /// SRS's `ip` of the body: the `index`-th local IPv4 address (wrapping), non-loopback first.
    static func localAddress(index: Int) -> String {
        let addresses = NetworkInterfaces.ipv4Addresses()
        guard !addresses.isEmpty else { return "" }
        return addresses[max(index, 0) % addresses.count]
    }
}
