import Foundation
import SRSConfig
import SRSIO
import Synchronization

/// The server: loops, listeners, live sources and clients, signals and reload.
public final class Server: @unchecked Sendable {
    private let currentConfig: Mutex<ServerConfig>
    let group: EventLoopGroup
    let streams: StreamRegistry
    private(set) var loopContexts: [LoopContext] = []
    let pithy: PithyPrint
    private let listeners = Mutex<[TCPListener]>([])
    private let connectionCount = Atomic<Int>(0)
    private let nextContextId = Atomic<Int>(100)
    private let signals = SignalWatcher()
    private let quitting = Atomic<Bool>(false)
    /// Context id of the server's own log lines.
    static let serverContextId = 0

    /// The configuration in force (replaced by a reload).
    public var config: ServerConfig { currentConfig.withLock { $0 } }

    public init(config: ServerConfig, loopCount: Int? = nil) {
        currentConfig = Mutex(config)
        group = EventLoopGroup(count: loopCount)
        streams = StreamRegistry(loops: group.loops)
        pithy = PithyPrint(intervalMs: config.pithyPrintMs)
        loopContexts = group.loops.map { LoopContext(loop: $0, server: self) }
        for context in loopContexts { context.start() }
    }

    /// The ports actually listened on (in the config's order).
    public var listeningPorts: [Int] { listeners.withLock { $0.map(\.port) } }

    public var activeConnections: Int { connectionCount.load(ordering: .relaxed) }

    func newContextId() -> Int { nextContextId.add(1, ordering: .relaxed).oldValue }

    /// Binds every `listen` address and starts accepting. Throws `ListenError` (e.g. a port in use).
    public func start() throws {
        let config = self.config
        var opened: [TCPListener] = []
        do {
            for address in config.listen {
                let listener = try TCPListener(
                    host: address.host, port: address.port, group: group,
                    onAccept: { [unowned self] fd, ip, port, loop in self.accept(fd: fd, ip: ip, port: port, loop: loop) },
                    onError: { message in log.error(Server.serverContextId, message) })
                opened.append(listener)
            }
        } catch {
            for listener in opened { listener.close() }
            throw error
        }
        listeners.withLock { $0 = opened }
        for listener in opened {
            listener.start()
            log.trace(Server.serverContextId, "RTMP listen at \(listener.host.isEmpty ? "0.0.0.0" : listener.host):\(listener.port)")
        }
    }

    private func accept(fd: Int32, ip: String, port: Int, loop: EventLoop) {
        let id = newContextId()
        let tcp = TCPConnection(fd: fd, loop: loop, peerAddress: ip, peerPort: port)
        let limit = config.maxConnections
        let count = connectionCount.add(1, ordering: .relaxed).newValue
        if count > limit {
            connectionCount.subtract(1, ordering: .relaxed)
            log.warn(id, "refuse client \(ip):\(port): \(count - 1) connections reach max_connections \(limit)")
            tcp.close(.local("max_connections"))
            return
        }
        let connection = RTMPConnection(id: id, tcp: tcp, server: self)
        let context = loopContexts[loop.index]
        log.trace(id, "RTMP client ip=\(ip):\(port), fd=\(fd), loop=\(loop.index)")
        loop.queue.async {
            context.add(connection)
            tcp.start(delegate: connection)
        }
    }

    func connectionClosed(_ connection: RTMPConnection) {
        loopContexts[connection.tcp.loop.index].remove(connection)
        connectionCount.subtract(1, ordering: .relaxed)
    }

    // MARK: Signals

    /// Installs SIGHUP (reload), SIGTERM (graceful quit) and SIGINT (quit).
    public func installSignalHandlers(onExit: @escaping @Sendable (Int32) -> Void) {
        signals.watch(SIGHUP) { [unowned self] in self.reload() }
        signals.watch(SIGTERM) { [unowned self] in self.quit(graceful: true, onExit: onExit) }
        signals.watch(SIGINT) { [unowned self] in self.quit(graceful: false, onExit: onExit) }
    }

    /// Re-reads the config file; keeps the old one when the new one is invalid. Settings that
    /// apply per client (vhost play/publish settings, max_connections, log level, pithy period)
    /// take effect for new clients and streams; listen changes need a restart for now.
    public func reload() {
        let old = config
        log.trace(Server.serverContextId, "reload: reading \(old.path)")
        do {
            let new = try ServerConfig.load(path: old.path)
            if new.listen != old.listen {
                log.warn(Server.serverContextId, "reload: listen changed from \(old.listen) to \(new.listen); restart to apply")
            }
            currentConfig.withLock { $0 = new }
            try? Logger.shared.configure(tank: new.logTank, level: new.logLevel, file: new.logFile, utcTime: new.utcTime)
            pithy.setInterval(new.pithyPrintMs)
            log.trace(Server.serverContextId, "reload: config applied, \(new.vhosts.count) vhosts")
        } catch {
            log.error(Server.serverContextId, "reload: keeping the running config, the new one is invalid: \(error)")
        }
    }

    /// Stops accepting, closes clients and calls `onExit`.
    public func quit(graceful: Bool, onExit: @escaping @Sendable (Int32) -> Void) {
        guard !quitting.exchange(true, ordering: .relaxed) else { return }
        log.trace(Server.serverContextId, graceful ? "SIGTERM: graceful quit" : "SIGINT: quit")
        for listener in listeners.withLock({ $0 }) { listener.close() }
        guard graceful else {
            onExit(0)
            return
        }
        for context in loopContexts {
            context.loop.queue.async { context.closeAll("server quit") }
        }
        let deadline = DispatchTime.now() + .milliseconds(AppTuning.gracefulQuitMs)
        DispatchQueue.global().async { [self] in
            while activeConnections > 0 && DispatchTime.now() < deadline { usleep(20_000) }
            onExit(0)
        }
    }
}
