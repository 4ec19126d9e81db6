import SRSKernel
import Foundation
import SRSConfig
import SRSIO
import Synchronization

/// The server: loops, listeners, live sources and clients, signals and reload.
public final class Server: @unchecked Sendable {
    private let currentConfig: LockedValue<ServerConfig>
    let group: EventLoopGroup
    let streams: StreamRegistry
    private(set) var loopContexts: [LoopContext] = []
    let pithy: PithyPrint
    /// Every client, for the API.
    let clients = ClientRegistry()
    let systemStatistics = SystemStatistics()
    /// Prometheus `/metrics` on the API port.
    let metrics = MetricsExporter()
    /// Disk reads and other blocking work.
    let blockingPool = BlockingPool()
    /// `http_hooks` calls.
    let hooks: HookCaller
    /// Edge vhosts' pulls from their origins.
    let edge: EdgeCluster
    /// This server's id in API answers (SRS reports its pid-based id).
    let serverId = Int(getpid())
    private let vhostIds = LockedValue<[String: Int]>([:])
    private var statisticsTimer: DispatchSourceTimer?
    private let listeners = LockedValue<[TCPListener]>([])
    private let connectionCount = Atomic<Int>(0)
    private let nextContextId = Atomic<Int>(100)
    private let signals = SignalWatcher()
    private let quitting = Atomic<Bool>(false)
    /// Context id of the server's own log lines.
    static let serverContextId = 0

    /// The configuration in force (replaced by a reload).
    public var config: ServerConfig { currentConfig.withLock { $0 } }

    public init(config: ServerConfig, loopCount: Int? = nil) {
        currentConfig = LockedValue(config)
        group = EventLoopGroup(count: loopCount)
        hooks = HookCaller(pool: blockingPool)
        edge = EdgeCluster(pool: blockingPool)
        streams = StreamRegistry(loops: group.loops, pool: blockingPool, hooks: hooks)
        pithy = PithyPrint(intervalMs: config.pithyPrintMs)
        loopContexts = group.loops.map { LoopContext(loop: $0, server: self) }
        for context in loopContexts { context.start() }
        startStatisticsTimer()
        let clients = self.clients
        streams.setKicker { id in _ = clients.kick(id) }
    }

    /// The API id of a vhost, stable for the life of the process.
    func vhostId(_ name: String) -> Int {
        vhostIds.withLock { ids in
            if let id = ids[name] { return id }
            let id = serverId + 1 + ids.count
            ids[name] = id
            return id
        }
    }

    /// Samples byte counters and CPU every `AppTuning.statisticsSampleMs` for the 30 s rates.
    private func startStatisticsTimer() {
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "srs.statistics"))
        let interval = AppTuning.statisticsSampleMs
        timer.schedule(deadline: .now() + .milliseconds(interval), repeating: .milliseconds(interval))
        timer.setEventHandler { [unowned self] in
            let now = MonotonicClock.milliseconds()
            for source in streams.all { source.statistics.sample(now: now) }
            clients.sample(now: now)
            systemStatistics.sample(now: now)
        }
        timer.activate()
        statisticsTimer = timer
    }

    /// The ports actually listened on (in the config's order).
    public var listeningPorts: [Int] { listeners.withLock { $0.map(\.port) } }

    public var activeConnections: Int { connectionCount.load(ordering: .relaxed) }

    func newContextId() -> Int { nextContextId.add(1, ordering: .relaxed).oldValue }

    /// Binds every `listen` address and the HTTP API / HTTP server ports, and starts accepting.
    /// Throws `ListenError` (e.g. a port in use).
    public func start() throws {
        let config = self.config
        var opened: [(TCPListener, String)] = []
        do {
            for address in config.listen {
                let listener = try TCPListener(
                    host: address.host, port: address.port, group: group,
                    onAccept: { [unowned self] fd, ip, port, loop in self.acceptRTMP(fd: fd, ip: ip, port: port, loop: loop) },
                    onError: { message in log.error(Server.serverContextId, message) })
                opened.append((listener, "RTMP"))
            }
            for (address, roles) in httpEndpoints(config) {
                let listener = try TCPListener(
                    host: address.host, port: address.port, group: group,
                    onAccept: { [unowned self] fd, ip, port, loop in self.acceptHTTP(fd: fd, ip: ip, port: port, loop: loop, roles: roles) },
                    onError: { message in log.error(Server.serverContextId, message) })
                let name = roles.api && roles.files ? "HTTP API and HTTP server" : roles.api ? "HTTP API" : "HTTP server"
                opened.append((listener, name))
            }
        } catch {
            for (listener, _) in opened { listener.close() }
            throw error
        }
        listeners.withLock { $0 = opened.map(\.0) }
        for (listener, name) in opened {
            listener.start()
            log.trace(Server.serverContextId, "\(name) listen at \(listener.host.isEmpty ? "0.0.0.0" : listener.host):\(listener.port)")
        }
    }

    /// The HTTP listeners: the API and the file/stream server share a port when configured so.
    private func httpEndpoints(_ config: ServerConfig) -> [(ListenAddress, HTTPRoles)] {
        var endpoints: [(ListenAddress, HTTPRoles)] = []
        if config.httpAPI.enabled { endpoints.append((config.httpAPI.listen, HTTPRoles(api: true, files: false))) }
        if config.httpServer.enabled {
            if let index = endpoints.firstIndex(where: { $0.0.port == config.httpServer.listen.port }) {
                endpoints[index].1.files = true
            } else {
                endpoints.append((config.httpServer.listen, HTTPRoles(api: false, files: true)))
            }
        }
        return endpoints
    }

    /// Admits a client under max_connections; false (and the socket closed) when over.
    private func admit(_ tcp: TCPConnection, id: Int) -> Bool {
        let limit = config.maxConnections
        let count = connectionCount.add(1, ordering: .relaxed).newValue
        if count > limit {
            connectionCount.subtract(1, ordering: .relaxed)
            log.warn(id, "refuse client \(tcp.peerAddress):\(tcp.peerPort): \(count - 1) connections reach max_connections \(limit)")
            tcp.close(.local("max_connections"))
            return false
        }
        return true
    }

    private func acceptHTTP(fd: Int32, ip: String, port: Int, loop: EventLoop, roles: HTTPRoles) {
        let id = newContextId()
        let tcp = TCPConnection(fd: fd, loop: loop, peerAddress: ip, peerPort: port)
        guard admit(tcp, id: id) else { return }
        let connection = HTTPConnection(id: id, tcp: tcp, server: self, roles: roles)
        var record = ClientRecord(id: id, ip: ip, connection: tcp)
        record.kind = .api
        clients.add(record)
        let context = loopContexts[loop.index]
        log.info(id, "HTTP client ip=\(ip):\(port), fd=\(fd), loop=\(loop.index)")
        loop.queue.async {
            context.add(connection)
            tcp.start(delegate: connection)
        }
    }

    private func acceptRTMP(fd: Int32, ip: String, port: Int, loop: EventLoop) {
        let id = newContextId()
        let tcp = TCPConnection(fd: fd, loop: loop, peerAddress: ip, peerPort: port)
        guard admit(tcp, id: id) else { return }
        let connection = RTMPConnection(id: id, tcp: tcp, server: self)
        clients.add(ClientRecord(id: id, ip: ip, connection: tcp))
        let context = loopContexts[loop.index]
        log.trace(id, "RTMP client ip=\(ip):\(port), fd=\(fd), loop=\(loop.index)")
        loop.queue.async {
            context.add(connection)
            tcp.start(delegate: connection)
        }
    }

    func connectionClosed(_ connection: any ServerClient, loop: EventLoop) {
        clients.remove(connection.id)
        loopContexts[loop.index].remove(connection)
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
