import SRSConfig
import SRSIO
import SRSKernel
import SRSRTMP

/// One RTMP client of the server: joins the sans-I/O session to its TCP connection, and to a
/// live source as publisher or player. Confined to its loop.
final class RTMPConnection: TCPConnectionDelegate, MediaFramer, ServerClient, @unchecked Sendable {
    enum Role {
        case idle
        case publisher(LiveSource, streamId: UInt32)
        case player(PlayerOutput)
    }

    let id: Int
    let tcp: TCPConnection
    unowned let server: Server
    let session: RTMPServerSession
    private(set) var role = Role.idle
    private(set) var vhost: VhostConfig?
    private var request = StreamRequest()
    private var mediaBatch: [SharedMessage] = []
    let connectedAt = MonotonicClock.milliseconds()
    private var publishStartedAt: Int64 = 0
    private var lastMediaAt: Int64 = 0
    private var closed = false
    private var headerScratch: [UInt8] = []
    /// An admission callback (on_connect, on_publish, on_play) is running: reading is held and
    /// the events that came with the same read wait here, in order.
    private var awaitingVerdict = false
    private var heldEvents: [RTMPServerEvent] = []
    /// Whether connect was accepted (on_close is due).
    private var connectAccepted = false
    private var handshakeDone = false
    /// Start of the 30 s publish/play deadline; a callback's wait does not count.
    private var idleSince = MonotonicClock.milliseconds()
    /// Relays of this client's publish (`forward`).
    private var forwarders: [Forwarder] = []

    init(id: Int, tcp: TCPConnection, server: Server) {
        self.id = id
        self.tcp = tcp
        self.server = server
        var configuration = RTMPServerSession.Configuration()
        configuration.outChunkSize = server.config.chunkSize
        configuration.serverName = ServerVersion.name
        configuration.serverVersion = ServerVersion.version
        session = RTMPServerSession(configuration: configuration)
    }

    // MARK: TCPConnectionDelegate

    func connection(_ connection: TCPConnection, didReceive bytes: UnsafeRawBufferPointer) {
        let events: [RTMPServerEvent]
        do {
            events = try session.receive(bytes)
        } catch {
            log.error(id, "RTMP protocol error from \(tcp.peerAddress): \(error); closing")
            close("protocol error")
            return
        }
        heldEvents += events
        handleHeldEvents()
        if let vhost, vhost.mrEnabled, case .publisher = role, !awaitingVerdict {
            tcp.pauseReading(milliseconds: vhost.mrLatencyMs)
        }
    }

    /// Handles queued events until one starts an admission callback.
    private func handleHeldEvents() {
        var index = 0
        while index < heldEvents.count && !awaitingVerdict && !closed {
            handle(heldEvents[index])
            index += 1
        }
        heldEvents.removeFirst(index)
        if closed { return }
        if !mediaBatch.isEmpty, case .publisher(let source, _) = role {
            source.submit(mediaBatch)
            mediaBatch.removeAll(keepingCapacity: true)
        }
        flushSessionOutput()
    }

    /// Runs the vhost's callbacks for `event`; reading is held meanwhile. `decided` runs on the
    /// loop with the verdict unless the client left; then the held events go on.
    private func admit(_ event: HTTPHooksConfig.Event, vhost: VhostConfig, body: [(String, JSONValue)],
                       decided: @escaping (HookVerdict) -> Void) {
        guard !vhost.hooks.urls(for: event).isEmpty else {
            decided(.allowed)
            return
        }
        hold(until: { [self] answer in
            server.hooks.call(event, hooks: vhost.hooks, body: body, contextId: id, loop: tcp.loop, completion: answer)
        }, decided: decided)
    }

    /// Holds the client (reading and later events) until `check` answers on the loop; the
    /// answer must come after `check` returned (HookCaller and EdgeTokenCheck guarantee it).
    private func hold(until check: (@escaping (HookVerdict) -> Void) -> Void, decided: @escaping (HookVerdict) -> Void) {
        awaitingVerdict = true
        tcp.holdReading(true)
        check { [self] verdict in
            awaitingVerdict = false
            idleSince = MonotonicClock.milliseconds()
            guard !closed else { return }
            tcp.holdReading(false)
            decided(verdict)
            guard !closed else { return }
            handleHeldEvents()
        }
    }

    /// The common fields of callback bodies.
    private func hookBody(_ request: StreamRequest, _ fields: [String]) -> [(String, JSONValue)] {
        var body: [(String, JSONValue)] = [("client_id", .number(id)), ("ip", .string(tcp.peerAddress)), ("vhost", .string(request.vhost)),
                                           ("app", .string(request.app))]
        for field in fields {
            switch field {
            case "tcUrl": body.append(("tcUrl", .string(request.tcUrl)))
            case "pageUrl": body.append(("pageUrl", .string(request.pageUrl)))
            case "stream": body.append(("stream", .string(request.stream)))
            case "param": body.append(("param", .string(request.param)))
            default: break
            }
        }
        return body
    }

    private func notify(_ event: HTTPHooksConfig.Event, _ body: [(String, JSONValue)]) {
        guard let vhost, !vhost.hooks.urls(for: event).isEmpty else { return }
        server.hooks.notify(event, hooks: vhost.hooks, body: body, contextId: id, loop: tcp.loop)
    }

    func connectionDidDrain(_ connection: TCPConnection) {
        if case .player(let output) = role { output.flush() }
    }

    func connection(_ connection: TCPConnection, didCloseWith reason: CloseReason) {
        closed = true
        switch role {
        case .publisher(let source, _):
            stopForwarding()
            source.endPublish(clientId: id)
            log.trace(id, "unpublish stream \(source.key)")
            notify(.onUnpublish, hookBody(request, ["stream", "param"]))
        case .player(let output):
            output.stop()
            log.trace(id, "stop playing \(output.source.key), sent \(output.messagesSent) messages")
            notify(.onStop, hookBody(request, ["stream", "param"]))
        case .idle:
            break
        }
        role = .idle
        if connectAccepted {
            notify(.onClose, [("client_id", .number(id)), ("ip", .string(tcp.peerAddress)), ("vhost", .string(request.vhost)),
                              ("send_bytes", .number(tcp.bytesSent)), ("recv_bytes", .number(tcp.bytesReceived)), ("app", .string(request.app))])
        }
        server.connectionClosed(self, loop: tcp.loop)
        log.trace(id, "client \(tcp.peerAddress):\(tcp.peerPort) closed (\(reason)), recv=\(tcp.bytesReceived) send=\(tcp.bytesSent) bytes")
    }

    func close(_ reason: String) {
        guard !closed else { return }
        flushSessionOutput()
        tcp.close(.local(reason))
    }

    private func flushSessionOutput() {
        if session.hasOutput && !closed { tcp.send(session.takeOutput()) }
    }

    // MARK: Events

    private func handle(_ event: RTMPServerEvent) {
        switch event {
        case .handshakeDone(let complex):
            handshakeDone = true
            log.info(id, "\(complex ? "complex" : "simple") handshake done")
        case .connect(let request):
            handleConnect(request)
        case .publish(let streamId, let request, let type):
            handlePublish(streamId: streamId, request: request, type: type)
        case .play(let streamId, let request, let start, let duration, _):
            handlePlay(streamId: streamId, request: request, start: start, duration: duration)
        case .media(let message):
            guard case .publisher = role, let kind = MediaKind(rawValue: message.typeId) else { return }
            lastMediaAt = MonotonicClock.milliseconds()
            mediaBatch.append(SharedMessage(kind: kind, timestamp: message.timestamp, payload: message.payload))
        case .metadata(let message):
            guard case .publisher = role else { return }
            mediaBatch.append(SharedMessage(kind: .data, timestamp: message.timestamp, payload: message.payload))
        case .unpublish(let name):
            if case .publisher(let source, let streamId) = role {
                stopPublishing(source)
                session.confirmUnpublish(streamId: streamId, streamName: name)
            }
        case .closeStream:
            switch role {
            case .publisher(let source, _):
                stopPublishing(source)
            case .player:
                close("player closed its stream")
            case .idle:
                break
            }
        case .pause(_, let paused, _):
            if case .player(let output) = role {
                output.paused = paused
                log.trace(id, paused ? "player paused" : "player resumed")
                if !paused { output.flush() }
            }
        case .setBufferLength(_, let milliseconds):
            log.info(id, "player buffer length \(milliseconds) ms")
        }
    }

    private func stopPublishing(_ source: LiveSource) {
        if !mediaBatch.isEmpty {
            source.submit(mediaBatch)
            mediaBatch.removeAll()
        }
        stopForwarding()
        source.endPublish(clientId: id)
        role = .idle
        log.trace(id, "unpublish stream \(source.key)")
        notify(.onUnpublish, hookBody(request, ["stream", "param"]))
    }

    /// The vhost serving `request`; the request's vhost is then renamed to it, so that every
    /// unconfigured host name lands on the same `__defaultVhost__` streams (as in SRS).
    private func resolveVhost(_ request: inout StreamRequest) -> VhostConfig? {
        guard let vhost = server.config.vhostOrDefault(request.vhost) else {
            log.warn(id, "vhost \(request.vhost) not found and no __defaultVhost__")
            return nil
        }
        guard vhost.enabled else {
            log.warn(id, "vhost \(vhost.name) is disabled")
            return nil
        }
        request.vhost = vhost.name
        return vhost
    }

    private func handleConnect(_ request: StreamRequest) {
        var request = request
        self.request = request
        log.trace(id, "connect app=\(request.app), vhost=\(request.vhost), tcUrl=\(request.tcUrl), pageUrl=\(request.pageUrl), objectEncoding=\(request.objectEncoding)")
        guard let vhost = resolveVhost(&request) else {
            session.rejectConnect("vhost \(request.vhost) is not served")
            close("connect rejected")
            return
        }
        self.vhost = vhost
        self.request = request
        server.clients.update(id) { record in
            record.vhost = vhost.name
            record.app = request.app
            record.tcUrl = request.tcUrl
            record.pageUrl = request.pageUrl
            record.swfUrl = request.swfUrl
        }
        guard ReferConfig.allows(vhost.refer.all, pageUrl: request.pageUrl) else {
            log.warn(id, "refer: pageUrl '\(request.pageUrl)' is not in \(vhost.refer.all ?? []); connect rejected")
            session.rejectConnect("refer check failed for pageUrl \(request.pageUrl)")
            close("refer rejected")
            return
        }
        if vhost.edge.isEdge && vhost.edge.tokenTraverse {
            log.trace(id, "edge token_traverse: asking the origin about tcUrl=\(request.tcUrl)")
            hold(until: { [self] answer in
                EdgeTokenCheck.run(request, origins: vhost.edge.origins, loop: tcp.loop, pool: server.blockingPool, completion: answer)
            }, decided: { [self] verdict in
                guard verdict == .allowed else {
                    if case .rejected(let why) = verdict {
                        log.warn(id, why)
                        session.rejectConnect(why)
                    }
                    close("connect rejected by the origin")
                    return
                }
                connectHooks(request, vhost: vhost)
            })
        } else {
            connectHooks(request, vhost: vhost)
        }
    }

    /// on_connect, then the connect is accepted.
    private func connectHooks(_ request: StreamRequest, vhost: VhostConfig) {
        admit(.onConnect, vhost: vhost, body: hookBody(request, ["tcUrl", "pageUrl"])) { [self] verdict in
            guard verdict == .allowed else {
                if case .rejected(let why) = verdict { session.rejectConnect(why) }
                close("connect rejected by on_connect")
                return
            }
            connectAccepted = true
            tcp.setNoDelay(vhost.tcpNodelay)
            session.acceptConnect(chunkSize: vhost.chunkSize)
        }
    }

    /// Starts a relay to each of the vhost's forward destinations (an edge: to its origins)
    /// that does not run yet, and stops those the vhost no longer lists.
    private func startForwarding(_ source: LiveSource, request: StreamRequest, vhost: VhostConfig) {
        // An edge pushes its publishers to the origins (one connection, next origin on failure).
        let upstreams: [[UpstreamAddress]] = vhost.edge.isEdge ? [vhost.edge.origins] : vhost.forward.destinations.map { [$0] }
        let upstreamVhost = vhost.edge.isEdge ? vhost.edge.upstreamVhost ?? request.vhost : request.vhost
        forwarders.removeAll { forwarder in
            guard !upstreams.contains(forwarder.destinations) else { return false }
            forwarder.stop()
            return true
        }
        for destinations in upstreams where !forwarders.contains(where: { $0.destinations == destinations }) {
            let forwarder = Forwarder(destinations: destinations, upstreamVhost: upstreamVhost, source: source, request: request, vhost: vhost,
                                      loop: tcp.loop, pool: server.blockingPool, contextId: id)
            forwarders.append(forwarder)
            forwarder.start()
        }
    }

    private func stopForwarding() {
        for forwarder in forwarders { forwarder.stop() }
        forwarders.removeAll()
    }

    /// Safe names, security rules and the page-URL list for `action`; false (and the client
    /// answered and closed) when they refuse.
    private func passesAccessRules(_ action: SecurityConfig.Action, vhost: VhostConfig, streamId: UInt32) -> Bool {
        let code = action == .publish ? "NetStream.Publish.Denied" : "NetStream.Play.Failed"
        var refusal: String?
        if let unsafe = request.unsafeNameReason {
            refusal = "\(action.rawValue) of an unsafe name: \(unsafe)"
        } else if !vhost.security.allows(action, from: tcp.peerAddress) {
            refusal = "security: \(tcp.peerAddress) may not \(action.rawValue) on vhost \(vhost.name)"
        } else if !ReferConfig.allows(action == .publish ? vhost.refer.publish : vhost.refer.play, pageUrl: request.pageUrl) {
            refusal = "refer: pageUrl '\(request.pageUrl)' may not \(action.rawValue) on vhost \(vhost.name)"
        }
        guard let refusal else { return true }
        log.warn(id, "\(refusal); rejected")
        if action == .publish {
            session.rejectPublish(streamId: streamId, code: code, description: refusal)
        } else {
            session.rejectPlay(streamId: streamId, code: code, description: refusal)
        }
        close("\(action.rawValue) denied")
        return false
    }

    private func handlePublish(streamId: UInt32, request: StreamRequest, type: String) {
        var request = request
        guard case .idle = role else {
            log.error(id, "publish while already \(roleName)")
            close("publish in the wrong state")
            return
        }
        guard let vhost = resolveVhost(&request) else {
            session.rejectPublish(streamId: streamId, code: "NetStream.Publish.Denied", description: "vhost \(request.vhost) is not served")
            close("publish rejected")
            return
        }
        self.vhost = vhost
        self.request = request
        guard passesAccessRules(.publish, vhost: vhost, streamId: streamId) else { return }
        admit(.onPublish, vhost: vhost, body: hookBody(request, ["tcUrl", "stream", "param"])) { [self] verdict in
            guard verdict == .allowed else {
                if case .rejected(let why) = verdict {
                    session.rejectPublish(streamId: streamId, code: "NetStream.Publish.Denied", description: why)
                }
                close("publish rejected by on_publish")
                return
            }
            // A reload during the wait may have changed the vhost (a removed one closed us).
            startPublishing(streamId: streamId, request: request, vhost: self.vhost ?? vhost, type: type)
        }
    }

    private func startPublishing(streamId: UInt32, request: StreamRequest, vhost: VhostConfig, type: String) {
        for _ in 0..<3 {
            let source = server.streams.fetchOrCreate(request, vhost: vhost, loop: tcp.loop)
            switch source.tryPublish(clientId: id) {
            case .claimed:
                role = .publisher(source, streamId: streamId)
                source.publisherInfo.withLock { $0 = PublisherInfo(tcUrl: request.tcUrl, clientId: id, ip: tcp.peerAddress, param: request.param) }
                let kind: ClientRecord.Kind = session.isFMLEPublisher ? .fmlePublish : .flashPublish
                registerStream(request, kind: kind)
                publishStartedAt = MonotonicClock.milliseconds()
                lastMediaAt = 0
                session.acceptPublish(streamId: streamId, streamName: request.stream)
                log.trace(id, "publish \(source.key) type=\(type) from \(tcp.peerAddress), mr=\(vhost.mrEnabled)")
                startForwarding(source, request: request, vhost: vhost)
                return
            case .busy(let other):
                log.error(id, "stream \(source.key) is already published by client \(other); rejecting")
                session.rejectPublish(streamId: streamId, description: "Stream already publishing")
                close("stream busy")
                return
            case .retired:
                continue
            }
        }
        close("stream registry contention")
    }

    private func handlePlay(streamId: UInt32, request: StreamRequest, start: Double, duration: Double) {
        var request = request
        guard case .idle = role else {
            log.error(id, "play while already \(roleName)")
            close("play in the wrong state")
            return
        }
        guard let vhost = resolveVhost(&request) else {
            session.rejectPlay(streamId: streamId, description: "vhost \(request.vhost) is not served")
            close("play rejected")
            return
        }
        self.vhost = vhost
        self.request = request
        guard passesAccessRules(.play, vhost: vhost, streamId: streamId) else { return }
        admit(.onPlay, vhost: vhost, body: hookBody(request, ["stream", "param", "pageUrl"])) { [self] verdict in
            guard verdict == .allowed else {
                if case .rejected(let why) = verdict {
                    session.rejectPlay(streamId: streamId, code: "NetStream.Play.Failed", description: why)
                }
                close("play rejected by on_play")
                return
            }
            startPlaying(streamId: streamId, request: request, vhost: self.vhost ?? vhost, start: start, duration: duration)
        }
    }

    private func startPlaying(streamId: UInt32, request: StreamRequest, vhost: VhostConfig, start: Double, duration: Double) {
        for _ in 0..<3 {
            let source = server.streams.fetchOrCreate(request, vhost: vhost, loop: tcp.loop)
            guard source.attachPlayer() else { continue }
            // atc: absolute time codes, passed through untouched.
            let jitterMode = vhost.atc ? .off : (JitterMode(rawValue: vhost.timeJitter.rawValue) ?? .full)
            playStreamId = streamId
            registerStream(request, kind: .play)
            let output = PlayerOutput(source: source, tcp: tcp, contextId: id, framer: self, jitter: jitterMode)
            role = .player(output)
            session.acceptPlay(streamId: streamId, streamName: request.stream)
            flushSessionOutput()
            log.trace(id, "play \(source.key) start=\(start) duration=\(duration) from \(tcp.peerAddress), mw=\(vhost.minLatency ? 0 : vhost.mwLatencyMs)ms")
            output.start()
            if vhost.edge.isEdge { server.edge.ensurePull(source, request: request, vhost: vhost, makeId: server.newContextId) }
            return
        }
        close("stream registry contention")
    }

    private func registerStream(_ request: StreamRequest, kind: ClientRecord.Kind) {
        server.clients.update(id) { record in
            record.kind = kind
            record.vhost = request.vhost
            record.app = request.app
            record.stream = request.stream
            record.url = request.streamURL
        }
    }

    private var roleName: String {
        switch role {
        case .idle: return "idle"
        case .publisher: return "publishing"
        case .player: return "playing"
        }
    }

    // MARK: Player framing

    private var playStreamId: UInt32 = 1

    /// RTMP chunks for `batch`: control output first, then each message as a fmt 0 header
    /// (with corrected timestamp) and its payload, split at the out chunk size.
    func pieces(for batch: [SharedMessage], jitter: inout TimestampJitter) -> [OutboundPiece] {
        let streamId = playStreamId
        let chunkSize = session.outChunkSize
        headerScratch.removeAll(keepingCapacity: true)
        // (headerStart, headerEnd, message index, payload offset, payload length)
        var layout: [(Int, Int, Int, Int, Int)] = []
        layout.reserveCapacity(batch.count * 2)
        for (index, message) in batch.enumerated() {
            let timestamp = jitter.correct(message.timestamp, kind: message.kind)
            let csid = RTMPChunkStream.forType(message.kind.rawValue)
            var offset = 0
            let size = message.size
            repeat {
                let start = headerScratch.count
                if offset == 0 {
                    ChunkEncoder.writeMessageHeader(
                        into: &headerScratch, csid: csid, timestamp: timestamp, length: size,
                        typeId: message.kind.rawValue, streamId: streamId)
                } else {
                    ChunkEncoder.writeContinuationHeader(into: &headerScratch, csid: csid, timestamp: timestamp)
                }
                let length = min(chunkSize, size - offset)
                layout.append((start, headerScratch.count, index, offset, length))
                offset += length
            } while offset < size
        }
        var pieces: [OutboundPiece] = []
        pieces.reserveCapacity(layout.count * 2 + 1)
        if session.hasOutput { pieces.append(ByteStore(session.takeOutput()).piece) }
        let store = ByteStore(headerScratch)
        let base = UnsafeRawPointer(store.pointer)
        for (headerStart, headerEnd, index, offset, length) in layout {
            pieces.append(OutboundPiece(base: base + headerStart, count: headerEnd - headerStart, owner: store))
            if length > 0, let payload = batch[index].payload.baseAddress {
                pieces.append(OutboundPiece(base: payload + offset, count: length, owner: batch[index]))
            }
        }
        return pieces
    }

    // MARK: Reload

    func reloaded(_ config: ServerConfig) {
        guard !closed, let current = vhost else { return }
        guard let updated = config.vhost(named: current.name), updated.enabled else {
            log.warn(id, "reload: vhost \(current.name) was removed or disabled; closing its client")
            close("vhost removed by reload")
            return
        }
        vhost = updated
        if case .publisher(let source, _) = role, updated.forward != current.forward || updated.edge != current.edge {
            log.trace(id, "reload: forward of \(source.key) now \(updated.edge.isEdge ? updated.edge.origins : updated.forward.destinations)")
            startForwarding(source, request: request, vhost: updated)
        }
    }

    // MARK: Timeouts (called from the loop's tick)

    func checkTimeouts(now: Int64) {
        guard !closed else { return }
        switch role {
        case .idle:
            if awaitingVerdict { return }  // the callback has its own timeout
            if !handshakeDone && now - connectedAt > AppTuning.handshakeCompleteTimeoutMs {
                log.warn(id, "handshake not done within \(AppTuning.handshakeCompleteTimeoutMs) ms (\(tcp.bytesReceived) bytes received); closing")
                close("handshake timeout")
            } else if now - idleSince > AppTuning.handshakeTimeoutMs {
                log.warn(id, "no publish or play within \(AppTuning.handshakeTimeoutMs) ms; closing")
                close("idle timeout")
            }
        case .publisher:
            guard let vhost else { return }
            if lastMediaAt == 0 {
                if now - publishStartedAt > Int64(vhost.publishFirstPacketTimeoutMs) {
                    log.warn(id, "publisher sent no media within \(vhost.publishFirstPacketTimeoutMs) ms; closing")
                    close("publish first packet timeout")
                }
            } else if now - lastMediaAt > Int64(vhost.publishNormalTimeoutMs) {
                log.warn(id, "publisher sent no media for \(vhost.publishNormalTimeoutMs) ms; closing")
                close("publish timeout")
            }
        case .player:
            if !tcp.isWritable && now - tcp.lastSendProgressTime > AppTuning.playerSendTimeoutMs {
                log.warn(id, "player accepted no bytes for \(AppTuning.playerSendTimeoutMs) ms; closing")
                close("player send timeout")
            }
        }
    }

    /// A line for the periodic statistics.
    var pithyLine: String? {
        switch role {
        case .publisher(let source, _):
            return "<- CPB \(source.key) time=\(MonotonicClock.milliseconds() - connectedAt)ms recv=\(tcp.bytesReceived) bytes"
        case .player(let output):
            return "-> PLA \(output.source.key) time=\(MonotonicClock.milliseconds() - connectedAt)ms msgs=\(output.messagesSent) dropped=\(output.messagesDropped) send=\(tcp.bytesSent) bytes"
        case .idle:
            return nil
        }
    }
}
