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
    /// The checks every client passes (RTMP, HTTP, later casters).
    private(set) var admission: AdmissionPipeline!
    /// How admitted clients join and leave streams.
    private(set) var gate: StreamGate!
    /// This server's id in API answers (SRS reports its pid-based id).
    let serverId = Int(getpid())
    private let vhostIds = LockedValue<[String: Int]>([:])
    private var statisticsTimer: RepeatingTimer?
    /// Reloads run here, one at a time, off the loops (reading the file blocks).
    private let reloadLane = BlockingPool.standaloneLane(label: "srs.reload")
    private let listeners = LockedValue<[OpenListener]>([])
    private let connectionCount = Atomic<Int>(0)
    private let contextIds = ContextIdGenerator()
    /// Every ffmpeg the server runs (transcode, ingest).
    let ffmpeg = FFmpegProcesses()
    /// The `ingest` blocks' ffmpegs.
    let ingesters: IngestSupervisor
    /// The `stream_caster` blocks.
    private(set) var casters: CasterSupervisor!
    /// `heartbeat { }` reports.
    private(set) var heartbeat: Heartbeat!
    private let signals = SignalWatcher()
    private let quitting = Atomic<Bool>(false)
    /// Context id of the server's own log lines.
    static let serverContextId = 0

    /// The configuration in force (replaced by a reload).
    public var config: ServerConfig { currentConfig.withLock { $0 } }

    /// Outbound connections: callbacks, edge pulls, forwards, token checks.
    let connector: any TransportConnector

    /// `group`: the loops (one per CPU by default); `connector`: how outbound connections are
    /// opened (TCP by default). Tests give loops with a manual clock and memory transports.
    public init(config: ServerConfig, group: EventLoopGroup? = nil, connector: (any TransportConnector)? = nil) {
        currentConfig = LockedValue(config)
        self.group = group ?? EventLoopGroup()
        self.connector = connector ?? TCPConnector(pool: blockingPool)
        hooks = HookCaller(connector: self.connector)
        edge = EdgeCluster(connector: self.connector)
        let current = currentConfig
        let ids = contextIds
        ingesters = IngestSupervisor(processes: ffmpeg, pool: blockingPool, newId: { ids.make() })
        streams = StreamRegistry(
            loops: self.group.loops,
            modules: StreamFeatureModules.all(pool: blockingPool, connector: self.connector, hooks: hooks, ffmpeg: ffmpeg,
                                              settings: { current.withLock { $0 } }, newId: { ids.make() }))
        pithy = PithyPrint(intervalMs: config.pithyPrintMs)
        loopContexts = self.group.loops.map { LoopContext(loop: $0, server: self) }
        for context in loopContexts { context.start() }
        startStatisticsTimer()
        let clients = self.clients
        streams.setKicker { id in _ = clients.kick(id) }
        admission = AdmissionPipeline(config: { [unowned self] in self.config }, hooks: hooks, connector: self.connector)
        gate = StreamGate(streams: streams, clients: clients, edge: edge, hooks: hooks, newContextId: { [unowned self] in newContextId() })
        casters = CasterSupervisor(server: self)
        heartbeat = Heartbeat(server: self, loop: self.group.loops[0])
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
        statisticsTimer = RepeatingTimer(label: "srs.statistics", intervalMs: AppTuning.statisticsSampleMs) { [unowned self] in
            let now = MonotonicClock.milliseconds()
            for source in streams.all { source.statistics.sample(now: now) }
            clients.sample(now: now)
            systemStatistics.sample(now: now, disks: config.statsDisks)
            // Memory freed by clients that left goes back to the system (glibc keeps freed
            // memory in its arenas otherwise: +12 MB after 1,000 players left, FaultTests).
            ProcessLimits.releaseFreeMemory(padBytes: AppTuning.mallocTrimPadBytes)
        }
    }

    /// The ports actually listened on (in the config's order).
    public var listeningPorts: [Int] { listeners.withLock { $0.map(\.listener.port) } }

    public var activeConnections: Int { connectionCount.load(ordering: .relaxed) }

    func newContextId() -> Int { contextIds.make() }

    /// Binds every `listen` address and the HTTP API / HTTP server ports, and starts accepting.
    /// Throws `ListenError` (e.g. a port in use).
    public func start() throws {
        let endpoints = self.endpoints(config)
        var opened: [OpenListener] = []
        do {
            for endpoint in endpoints { opened.append(try open(endpoint)) }
        } catch {
            for entry in opened { entry.listener.close() }
            throw error
        }
        do {
            try casters.apply(config, strict: true)
        } catch {
            for entry in opened { entry.listener.close() }
            throw error
        }
        listeners.withLock { $0 = opened }
        for entry in opened { startAccepting(entry) }
        ingesters.apply(config, server: self)
        heartbeat.start()
    }

    /// Whether a quit began.
    var isQuitting: Bool { quitting.load(ordering: .relaxed) }

    /// What listens where: RTMP ports, then the HTTP API / server ports.
    private struct Endpoint: Equatable {
        var address: ListenAddress
        /// nil for RTMP.
        var http: HTTPRoles?

        var name: String {
            guard let http else { return "RTMP" }
            return http.api && http.files ? "HTTP API and HTTP server" : http.api ? "HTTP API" : "HTTP server"
        }
    }

    private struct OpenListener {
        var endpoint: Endpoint
        var listener: TCPListener
    }

    private func endpoints(_ config: ServerConfig) -> [Endpoint] {
        config.listen.map { Endpoint(address: $0, http: nil) } + httpEndpoints(config).map { Endpoint(address: $0.0, http: $0.1) }
    }

    private func open(_ endpoint: Endpoint) throws -> OpenListener {
        let listener: TCPListener
        if let roles = endpoint.http {
            listener = try TCPListener(
                host: endpoint.address.host, port: endpoint.address.port, group: group,
                onAccept: { [unowned self] fd, ip, port, loop in self.acceptHTTP(fd: fd, ip: ip, port: port, loop: loop, roles: roles) },
                onError: { message in log.error(Server.serverContextId, message) })
        } else {
            listener = try TCPListener(
                host: endpoint.address.host, port: endpoint.address.port, group: group,
                onAccept: { [unowned self] fd, ip, port, loop in self.acceptRTMP(fd: fd, ip: ip, port: port, loop: loop) },
                onError: { message in log.error(Server.serverContextId, message) })
        }
        return OpenListener(endpoint: endpoint, listener: listener)
    }

    private func startAccepting(_ entry: OpenListener) {
        entry.listener.start()
        let host = entry.listener.host.isEmpty ? "0.0.0.0" : entry.listener.host
        log.trace(Server.serverContextId, "\(entry.endpoint.name) listen at \(host):\(entry.listener.port)")
    }

    /// Closes the listeners a new config no longer has and opens the new ones; clients of a
    /// closed port stay connected. A port that cannot be opened is logged and skipped.
    private func applyListeners(_ config: ServerConfig) {
        let wanted = endpoints(config)
        let current = listeners.withLock { $0 }
        var kept: [OpenListener] = []
        for entry in current {
            if wanted.contains(entry.endpoint) {
                kept.append(entry)
            } else {
                // A port that changes roles (API added to the HTTP server's port) is reopened:
                // wait until the old socket is closed (this runs on the reload lane).
                entry.listener.closeAndWait(timeoutMs: 2000)
                log.trace(Server.serverContextId, "reload: stop listening at \(entry.endpoint.address) (\(entry.endpoint.name))")
            }
        }
        for endpoint in wanted where !kept.contains(where: { $0.endpoint == endpoint }) {
            do {
                let entry = try open(endpoint)
                kept.append(entry)
                startAccepting(entry)
            } catch {
                log.error(Server.serverContextId, "reload: cannot listen at \(endpoint.address) (\(endpoint.name)): \(error)")
            }
        }
        listeners.withLock { $0 = kept }
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

    /// Which protocol a listener (or a test) hands a client to.
    public enum ClientProtocol: Sendable {
        case rtmp
        case http(api: Bool, files: Bool)
    }

    private func acceptRTMP(fd: Int32, ip: String, port: Int, loop: EventLoop) {
        let tcp = TCPConnection(fd: fd, loop: loop, peerAddress: ip, peerPort: port)
        accept(tcp, as: .rtmp, detail: "fd=\(fd), ")
    }

    private func acceptHTTP(fd: Int32, ip: String, port: Int, loop: EventLoop, roles: HTTPRoles) {
        let tcp = TCPConnection(fd: fd, loop: loop, peerAddress: ip, peerPort: port)
        accept(tcp, as: .http(api: roles.api, files: roles.files), detail: "fd=\(fd), ")
    }

    /// Admits a client's transport (accepted socket, or memory in tests) under
    /// max_connections, gives it a context id and its protocol's connection, and starts it on
    /// its loop. Over the limit it is closed with a log line.
    public func accept(_ transport: any Transport, as kind: ClientProtocol, detail: String = "") {
        switch kind {
        case .rtmp:
            accept(transport, name: "RTMP", detail: detail) { [unowned self] id in RTMPConnection(id: id, tcp: transport, server: self) }
        case .http(let api, let files):
            accept(transport, name: "HTTP", detail: detail, recordKind: .api) { [unowned self] id in
                HTTPConnection(id: id, tcp: transport, server: self, roles: HTTPRoles(api: api, files: files))
            }
        }
    }

    /// The one admission of connections, whatever their protocol (`name` for the log; a
    /// stream caster's clients come here too): max_connections, a context id, the client list,
    /// then the connection `makeClient` builds starts on the transport's loop.
    func accept(_ transport: any Transport, name: String, detail: String = "", recordKind: ClientRecord.Kind = .idle,
                makeClient: (_ id: Int) -> any TransportDelegate & ServerClient & Sendable) {
        let id = newContextId()
        let ip = transport.peerAddress
        let port = transport.peerPort
        let limit = config.maxConnections
        let count = connectionCount.add(1, ordering: .relaxed).newValue
        if count > limit {
            connectionCount.subtract(1, ordering: .relaxed)
            log.warn(id, "refuse client \(ip):\(port): \(count - 1) connections reach max_connections \(limit)")
            transport.closeAsync(.local("max_connections"))
            return
        }
        transport.maxPendingBytesWhileReading = AppTuning.maxPendingBytesWhileReading
        var record = ClientRecord(id: id, ip: ip, connectedAt: transport.loop.now, connection: transport)
        record.kind = recordKind
        let loop = transport.loop
        let line = "\(name) client ip=\(ip):\(port), \(detail)loop=\(loop.index)"
        if recordKind == .api { log.info(id, line) } else { log.trace(id, line) }
        let client = makeClient(id)
        clients.add(record)
        let context = loopContexts[loop.index]
        loop.post {
            context.add(client)
            transport.start(delegate: client)
        }
    }

    func connectionClosed(_ connection: any ServerClient, loop: EventLoop) {
        clients.remove(connection.id)
        loopContexts[loop.index].remove(connection)
        connectionCount.subtract(1, ordering: .relaxed)
    }

    // MARK: Signals

    /// Installs SIGHUP (reload), SIGTERM (graceful quit), SIGINT and SIGQUIT (fast quit) and
    /// SIGUSR1 (reopen the log file).
    public func installSignalHandlers(onExit: @escaping @Sendable (Int32) -> Void) {
        signals.watch(SIGHUP) { [unowned self] in self.reload() }
        signals.watch(SIGTERM) { [unowned self] in self.quit(graceful: true, onExit: onExit) }
        signals.watch(SIGINT) { [unowned self] in self.quit(graceful: false, onExit: onExit) }
        signals.watch(SIGQUIT) { [unowned self] in self.quit(graceful: false, onExit: onExit) }
        signals.watch(SIGUSR1) { [unowned self] in self.reopenLog() }
    }

    /// SIGHUP: re-reads and validates the config file; an invalid one is refused with a log
    /// line and the server keeps running on the old one. A valid one is applied without
    /// dropping the clients it does not concern: listen ports opened and closed, running
    /// streams take their vhost's new gop_cache, queue_length, mw_latency and hls settings,
    /// publishers their new forward destinations, clients of a removed or disabled vhost (or
    /// HTTP players of a removed http_remux) are closed, everything else (hooks, security,
    /// refer, max_connections, log) applies to the next decision. Reloads are serialized.
    public func reload() {
        reloadLane.sync { reloadNow() }
    }

    /// SIGUSR1 (logrotate's postrotate, as SRS): the log file is opened again by its name, so
    /// the lines after a `mv` go to a new file. Serialized with reloads.
    func reopenLog() {
        reloadLane.async { [self] in
            let config = self.config
            do {
                try Logger.shared.configure(tank: config.logTank, level: config.logLevel, file: config.logFile, utcTime: config.utcTime)
                log.trace(Server.serverContextId, "SIGUSR1: log reopened (\(config.logTank == .file ? config.logFile : "console"))")
            } catch {
                log.error(Server.serverContextId, "SIGUSR1: cannot reopen the log: \(error)")
            }
        }
    }

    /// A reload asked from a loop (the raw API): it runs on the reload lane, later.
    func reloadSoon() {
        reloadLane.async { [self] in reloadNow() }
    }

    private func reloadNow() {
        guard !quitting.load(ordering: .relaxed) else {
            log.warn(Server.serverContextId, "reload: ignored, the server is quitting")
            return
        }
        let old = config
        log.trace(Server.serverContextId, "reload: reading \(old.path)")
        let new: ServerConfig
        do {
            new = try ServerConfig.load(path: old.path)
        } catch {
            log.error(Server.serverContextId, "reload: keeping the running config, the new one is invalid: \(error)")
            return
        }
        currentConfig.withLock { $0 = new }
        for warning in new.warnings { log.warn(Server.serverContextId, "reload: config: \(warning)") }
        ingesters.apply(new, server: self)
        try? casters.apply(new, strict: false)
        try? Logger.shared.configure(tank: new.logTank, level: new.logLevel, file: new.logFile, utcTime: new.utcTime)
        pithy.setInterval(new.pithyPrintMs)
        applyListeners(new)
        for source in streams.all {
            guard let vhost = new.vhost(named: source.vhost), vhost.enabled, old.vhost(named: source.vhost) != vhost else { continue }
            log.trace(Server.serverContextId, "reload: vhost \(vhost.name) changed; applying it to \(source.key)")
            source.execute { source.apply(vhost) }
        }
        for context in loopContexts {
            context.loop.post { context.reloaded(new) }
        }
        let added = new.vhosts.map(\.name).filter { old.vhost(named: $0) == nil }
        let removed = old.vhosts.map(\.name).filter { new.vhost(named: $0) == nil }
        log.trace(Server.serverContextId, "reload: config applied, \(new.vhosts.count) vhosts (added \(added), removed \(removed))")
    }

    /// Stops accepting, closes clients and calls `onExit`.
    public func quit(graceful: Bool, onExit: @escaping @Sendable (Int32) -> Void) {
        guard !quitting.exchange(true, ordering: .relaxed) else { return }
        log.trace(Server.serverContextId, graceful ? "SIGTERM: graceful quit" : "SIGINT or SIGQUIT: quit")
        for entry in listeners.withLock({ $0 }) { entry.listener.close() }
        casters.stopAll()
        // No ffmpeg outlives the server.
        ingesters.stopAll()
        ffmpeg.stopAll()
        guard graceful else {
            onExit(0)
            return
        }
        for context in loopContexts {
            context.loop.post { context.closeAll("server quit") }
        }
        let deadline = MonotonicClock.milliseconds() + Int64(AppTuning.gracefulQuitMs)
        let finished = Atomic<Bool>(false)
        let poll = LockedValue<RepeatingTimer?>(nil)
        let timer = RepeatingTimer(label: "srs.quit", intervalMs: AppTuning.gracefulQuitPollMs) { [self] in
            guard self.activeConnections == 0 || MonotonicClock.milliseconds() >= deadline else { return }
            guard !finished.exchange(true, ordering: .relaxed) else { return }
            poll.withLock { $0?.cancel() }
            drainStreams {
                log.trace(Server.serverContextId, "quit: \(self.activeConnections) clients left, files written")
                onExit(0)
            }
        }
        poll.withLock { $0 = timer }
    }

    /// Waits (off the loops) until every stream's pending file writes landed, then `done`.
    /// Publishers are gone by now: each HLS stream closed its last segment.
    private func drainStreams(then done: @escaping @Sendable () -> Void) {
        let sources = streams.all
        let gathered = LockedValue<(left: Int, lanes: [BlockingLane])>((sources.count, []))
        let pool = blockingPool
        let finish: @Sendable ([BlockingLane]) -> Void = { lanes in
            pool.async {
                // Bounded: a write blocked for good (a dead disk, a FIFO) must not hold the exit.
                let deadline = MonotonicClock.milliseconds() + Int64(AppTuning.gracefulQuitDrainMs)
                var stuck = 0
                for lane in lanes where !lane.drain(timeoutMs: Int(max(0, deadline - MonotonicClock.milliseconds()))) { stuck += 1 }
                if stuck > 0 { log.warn(Server.serverContextId, "quit: \(stuck) streams' files were not written within \(AppTuning.gracefulQuitDrainMs) ms") }
                done()
            }
        }
        guard !sources.isEmpty else { return finish([]) }
        for source in sources {
            source.execute {
                let lanes = source.drainLanes()
                let all = gathered.withLock { state -> [BlockingLane]? in
                    state.left -= 1
                    state.lanes += lanes
                    return state.left == 0 ? state.lanes : nil
                }
                if let all { finish(all) }
            }
        }
    }
}
