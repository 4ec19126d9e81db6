import SRSConfig
import SRSIO
import SRSKernel
import SRSRTMP

/// An edge's pull of one stream from its origins: one upstream RTMP play connection shared by
/// every player of the stream on this server (RTMP and HTTP alike). It publishes into the
/// local source, so players read the ring as for any stream.
///
/// Origin choice: it stays on the origin that works. When the upstream fails, players stay
/// attached and it moves to the next origin at once; once every origin failed in a row it
/// waits with backoff (`AppTuning.edgeRetryMinMs` doubling to `edgeRetryMaxMs`). The new
/// origin's metadata, sequence headers and GOP reach players as normal messages. It stops
/// `AppTuning.edgeIdleGraceMs` after the last player left. Confined to the source's loop.
final class EdgePuller: @unchecked Sendable {
    let id: Int
    let source: LiveSource
    private let request: StreamRequest
    private let edge: EdgeConfig
    private let connector: any TransportConnector
    private unowned let cluster: EdgeCluster
    /// The source's loop when the pull was made (a pulled stream does not move).
    let loop: EventLoop
    private var originIndex = 0
    private var failuresInARow = 0
    private var upstream: UpstreamRTMPClient?
    private var batch: [SharedMessage] = []
    private var tickId: Int?
    private var idleSince: Int64?
    private(set) var stopped = false

    init(id: Int, source: LiveSource, request: StreamRequest, edge: EdgeConfig, connector: any TransportConnector, cluster: EdgeCluster) {
        self.id = id
        self.source = source
        loop = source.loop
        self.request = request
        self.edge = edge
        self.connector = connector
        self.cluster = cluster
    }

    /// The play session on `origin`: the app with `?vhost=` unless it is the default vhost,
    /// the stream with the client's parameters (tokens may hold `/`, so nothing is re-parsed).
    static func upstreamSession(_ origin: UpstreamAddress, request: StreamRequest, upstreamVhost: String?) -> RTMPClientSession {
        let vhost = upstreamVhost ?? request.vhost
        let app = vhost == VhostConfig.defaultVhostName ? request.app : "\(request.app)?vhost=\(vhost)"
        return RTMPClientSession(tcUrl: "rtmp://\(origin)/\(app)", app: app, streamName: request.stream + request.param, mode: .play)
    }

    /// Claims the stream and connects. Call on the source's loop.
    func start() {
        let origin = edge.origins[originIndex]
        let publisher = StreamPublisher(origin: .edgePull, clientId: id, ip: origin.host, request: request)
        guard source.tryPublish(publisher) == .claimed else {
            log.trace(id, "edge: \(source.key) is published here; no pull")
            finish()
            return
        }
        tickId = loop.addTickHandler { [weak self] in self?.tick() }
        connect()
    }

    private func connect() {
        guard !stopped else { return }
        let origin = edge.origins[originIndex]
        let session = Self.upstreamSession(origin, request: request, upstreamVhost: edge.upstreamVhost)
        log.trace(id, "edge: pull \(source.key) from \(session.tcUrl)/\(session.streamName)")
        let client = UpstreamRTMPClient(
            address: origin, session: session, loop: loop, connector: connector,
            onEvents: { [unowned self] events in received(events) },
            onEnd: { [unowned self] end in
                upstream = nil
                failed("\(end)")
            })
        upstream = client
        client.start()
    }

    private func received(_ events: [RTMPClientSession.Event]) {
        for event in events {
            switch event {
            case .media(let message):
                guard let kind = MediaKind(rawValue: message.typeId) else { continue }
                batch.append(SharedMessage(kind: kind, timestamp: message.timestamp, payload: message.payload))
            case .started:
                failuresInARow = 0
                log.trace(id, "edge: playing \(source.key) from \(edge.origins[originIndex])")
            case .status(let code, let level, let description):
                if level == "error" {
                    upstream?.close("origin refused")
                    upstream = nil
                    failed("origin refused: \(code) \(description)")
                    return
                }
            case .connected, .call:
                break
            }
        }
        if !batch.isEmpty {
            source.submit(batch)
            batch.removeAll(keepingCapacity: true)
        }
    }

    /// The upstream failed: the next origin at once, or backoff once all failed in a row.
    private func failed(_ why: String) {
        guard !stopped else { return }
        failuresInARow += 1
        let origin = edge.origins[originIndex]
        originIndex = (originIndex + 1) % edge.origins.count
        var delay = 0
        if failuresInARow >= edge.origins.count {
            let rounds = failuresInARow / edge.origins.count - 1
            delay = min(AppTuning.edgeRetryMinMs << min(rounds, 10), AppTuning.edgeRetryMaxMs)
        }
        log.warn(id, "edge: upstream \(origin) of \(source.key) failed: \(why); next \(edge.origins[originIndex]) in \(delay) ms")
        loop.schedule(afterMilliseconds: delay) { [self] in connect() }
    }

    private func tick() {
        let now = loop.now
        if source.playerCount > 0 {
            idleSince = nil
        } else if let since = idleSince {
            if now - since >= AppTuning.edgeIdleGraceMs {
                log.trace(id, "edge: no player of \(source.key) for \(AppTuning.edgeIdleGraceMs) ms; stop pulling")
                stop()
            }
        } else {
            idleSince = now
        }
    }

    /// Stops pulling and releases the stream. Call on the source's loop.
    func stop() {
        guard !stopped else { return }
        stopped = true
        if let tickId { loop.removeTickHandler(tickId) }
        tickId = nil
        upstream?.close("edge pull stopped")
        upstream = nil
        // Out of the cluster first: a player arriving now starts a new pull, which claims
        // the stream after this one released it (both run on this loop, in order).
        finish()
        source.endPublish(clientId: id)
    }

    private func finish() {
        stopped = true
        cluster.remove(self)
    }
}

/// The edge pulls of the server, one per stream.
final class EdgeCluster: Sendable {
    private let pullers = LockedValue<[ObjectIdentifier: EdgePuller]>([:])
    private let connector: any TransportConnector

    init(connector: any TransportConnector) {
        self.connector = connector
    }

    /// Starts pulling `source` from the vhost's origins unless a pull of it runs already.
    /// `makeId` gives the pull its context id.
    func ensurePull(_ source: LiveSource, request: StreamRequest, vhost: VhostConfig, makeId: () -> Int) {
        let puller: EdgePuller? = pullers.withLock { pullers in
            let key = ObjectIdentifier(source)
            if pullers[key] != nil { return nil }
            let puller = EdgePuller(id: makeId(), source: source, request: request, edge: vhost.edge, connector: connector, cluster: self)
            pullers[key] = puller
            return puller
        }
        guard let puller else { return }
        let box = UncheckedBox(puller)
        puller.loop.post { box.value.start() }
    }

    func remove(_ puller: EdgePuller) {
        pullers.withLock { pullers in
            let key = ObjectIdentifier(puller.source)
            if pullers[key] === puller { pullers[key] = nil }
        }
    }

    var count: Int { pullers.withLock { $0.count } }
}
