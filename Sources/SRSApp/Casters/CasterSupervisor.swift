import SRSConfig
import SRSIO
import SRSKernel

/// The server's stream casters: started with the server, matched to the config on reload (a
/// changed or removed caster stops, a new one starts, the others run on), stopped at quit.
final class CasterSupervisor: Sendable {
    private struct Running: @unchecked Sendable {
        let config: StreamCasterConfig
        let caster: any StreamCaster
    }

    private unowned let server: Server
    private let running = LockedValue<[Running]>([])

    init(server: Server) { self.server = server }

    /// Makes the running casters match `config`; `strict`: a port that cannot be bound is an
    /// error (at start), else it is logged (reload).
    func apply(_ config: ServerConfig, strict: Bool) throws {
        let wanted = config.casters.filter { $0.enabled && $0.kind != .gb28181 }
        let stopping = running.withLock { running -> [Running] in
            let stopping = running.filter { current in !wanted.contains { Self.same($0, current.config) } }
            running.removeAll { current in !wanted.contains { Self.same($0, current.config) } }
            return stopping
        }
        for old in stopping { old.caster.stop() }
        let loops = server.group.loops
        for (index, caster) in wanted.enumerated() where !running.withLock({ $0.contains { Self.same($0.config, caster) } }) {
            let started = make(caster, loop: loops[index % loops.count])
            do {
                try started.start()
                running.withLock { $0.append(Running(config: caster, caster: started)) }
            } catch {
                if strict { throw ServerError("stream_caster at \(caster.file):\(caster.line)", "\(error)") }
                log.error(Server.serverContextId, "stream_caster at \(caster.file):\(caster.line): \(error)")
            }
        }
    }

    private func make(_ config: StreamCasterConfig, loop: EventLoop) -> any StreamCaster {
        switch config.kind {
        case .rtsp:
            let ports = RTPPortPool(min: config.rtpPortMin, max: config.rtpPortMax)
            return TCPCaster(config: config, server: server) { [unowned server] id, transport in
                RTSPConnection(id: id, tcp: transport, server: server, config: config, ports: ports)
            }
        case .flv:
            return TCPCaster(config: config, server: server) { [unowned server] id, transport in
                FLVPostConnection(id: id, tcp: transport, server: server, config: config)
            }
        case .mpegtsOverUDP, .gb28181:
            return MPEGTSCaster(config: config, server: server, loop: loop)
        }
    }

    /// The ports bound now (tests ask for port 0).
    var ports: [Int] { running.withLock { $0.compactMap { $0.caster.port } } }

    func stopAll() {
        let all = running.withLock { running -> [Running] in
            defer { running = [] }
            return running
        }
        for entry in all { entry.caster.stop() }
    }

    private static func same(_ a: StreamCasterConfig, _ b: StreamCasterConfig) -> Bool {
        a.kind == b.kind && a.output == b.output && a.listen == b.listen && a.rtpPortMin == b.rtpPortMin && a.rtpPortMax == b.rtpPortMax
    }
}
