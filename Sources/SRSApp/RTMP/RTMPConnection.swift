import SRSConfig
import SRSIO
import SRSKernel
import SRSRTMP

/// One RTMP client of the server: joins the sans-I/O session to its TCP connection, and to a
/// live source as publisher or player. Confined to its loop.
final class RTMPConnection: TransportDelegate, MediaFramer, ServerClient, @unchecked Sendable {
    enum Role {
        case idle
        case publisher(LiveSource, streamId: UInt32)
        case player(PlayerOutput, StreamGate.Member)
    }

    let id: Int
    let tcp: any Transport
    unowned let server: Server
    let session: RTMPServerSession
    private(set) var role = Role.idle
    private(set) var vhost: VhostConfig?
    private var request = StreamRequest()
    private var mediaBatch: [SharedMessage] = []
    let connectedAt: Int64
    private var publishStartedAt: Int64 = 0
    private var lastMediaAt: Int64 = 0
    private var closed = false
    /// An admission callback (on_connect, on_publish, on_play) is running: reading is held and
    /// the events that came with the same read wait here, in order.
    private var awaitingVerdict = false
    private var heldEvents: [RTMPServerEvent] = []
    /// Whether connect was accepted (on_close is due).
    private var connectAccepted = false
    private var handshakeDone = false
    /// Start of the 30 s publish/play deadline; a callback's wait does not count.
    private var idleSince: Int64
    /// A module that took the connection over after connect (the bandwidth test).
    private var takeover: RTMPTakeover?

    init(id: Int, tcp: any Transport, server: Server) {
        self.id = id
        self.tcp = tcp
        self.server = server
        connectedAt = tcp.loop.now
        idleSince = connectedAt
        var configuration = RTMPServerSession.Configuration()
        configuration.outChunkSize = server.config.chunkSize
        configuration.serverName = ServerVersion.name
        configuration.serverVersion = ServerVersion.version
        session = RTMPServerSession(configuration: configuration)
    }

    // MARK: TransportDelegate

    func connection(_ connection: any Transport, didReceive bytes: UnsafeRawBufferPointer) {
        let events: [RTMPServerEvent]
        do {
            events = try session.receive(bytes)
        } catch {
            log.error(id, "\(error.wrapped("RTMP client \(tcp.peerAddress):\(tcp.peerPort)")); closing")
            close("protocol error")
            return
        }
        if heldEvents.isEmpty && !awaitingVerdict {
            handle(events)  // the usual case: nothing waits for a verdict, no copy into heldEvents
        } else {
            heldEvents += events
            handleHeldEvents()
        }
        takeover?.received()
        if let vhost, vhost.mrEnabled, case .publisher = role, !awaitingVerdict {
            tcp.pauseReading(milliseconds: vhost.mrLatencyMs)
        }
    }

    /// Handles a read's events in order; those after one that starts an admission callback
    /// wait in `heldEvents`.
    private func handle(_ events: [RTMPServerEvent]) {
        for (index, event) in events.enumerated() {
            if awaitingVerdict || closed {
                if !closed { heldEvents += events[index...] }
                break
            }
            handle(event)
        }
        finishHandling()
    }

    /// Handles queued events until one starts an admission callback.
    private func handleHeldEvents() {
        var index = 0
        while index < heldEvents.count && !awaitingVerdict && !closed {
            handle(heldEvents[index])
            index += 1
        }
        heldEvents.removeFirst(index)
        finishHandling()
    }

    /// Hands the publisher's media of the handled events to its source and sends what the
    /// session has to say.
    private func finishHandling() {
        if closed { return }
        if !mediaBatch.isEmpty, case .publisher(let source, _) = role {
            source.submit(mediaBatch)
            mediaBatch.removeAll(keepingCapacity: true)
        }
        flushSessionOutput()
    }

    /// Asks the admission pipeline about `action`; reading (and later events) is held while an
    /// origin or a callback decides. `decided` runs on the loop unless the client left; then
    /// the held events go on.
    private func admit(_ action: AdmissionRequest.Action, _ request: StreamRequest, decided: @escaping (AdmissionVerdict) -> Void) {
        let asked = AdmissionRequest(action: action, clientId: id, ip: tcp.peerAddress, stream: request)
        let verdict = server.admission.admit(asked, loop: tcp.loop) { [self] verdict in
            awaitingVerdict = false
            idleSince = tcp.loop.now
            guard !closed else { return }
            tcp.holdReading(false)
            decided(verdict)
            guard !closed else { return }
            handleHeldEvents()
        }
        if let verdict {
            decided(verdict)
        } else {
            awaitingVerdict = true
            tcp.holdReading(true)
        }
    }

    private func notify(_ event: HTTPHooksConfig.Event, _ body: HookBody.Fields) {
        guard let vhost, !vhost.hooks.urls(for: event).isEmpty else { return }
        server.hooks.notify(event, hooks: vhost.hooks, body: body, contextId: id, loop: tcp.loop)
    }

    /// The client as a stream member (API record, logs, callbacks).
    private func member(_ request: StreamRequest, vhost: VhostConfig, kind: ClientRecord.Kind) -> StreamGate.Member {
        StreamGate.Member(clientId: id, ip: tcp.peerAddress, request: request, vhost: vhost, kind: kind, url: request.streamURL)
    }

    func connectionDidDrain(_ connection: any Transport) {
        if case .player(let output, _) = role { output.flush() }
    }

    func connection(_ connection: any Transport, didCloseWith reason: CloseReason) {
        closed = true
        switch role {
        case .publisher(let source, _):
            server.gate.unpublished(source, clientId: id)
        case .player(let output, let member):
            server.gate.left(output, member: member, vhost: vhost ?? member.vhost, loop: tcp.loop)
        case .idle:
            break
        }
        role = .idle
        takeover?.closed()
        takeover = nil
        if connectAccepted {
            notify(.onClose, HookBody.close(clientId: id, ip: tcp.peerAddress, request, sent: tcp.bytesSent, received: tcp.bytesReceived))
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
            guard case .publisher = role else { return }
            lastMediaAt = tcp.loop.now
            mediaBatch.append(message)
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
            if case .player(let output, _) = role {
                output.paused = paused
                log.trace(id, paused ? "player paused" : "player resumed")
                if !paused { output.flush() }
            }
        case .setBufferLength(_, let milliseconds):
            log.info(id, "player buffer length \(milliseconds) ms")
        case .call:
            takeover?.handle(event)
        }
    }

    private func stopPublishing(_ source: LiveSource) {
        if !mediaBatch.isEmpty {
            source.submit(mediaBatch)
            mediaBatch.removeAll()
        }
        server.gate.unpublished(source, clientId: id)
        role = .idle
    }

    private func handleConnect(_ request: StreamRequest) {
        self.request = request
        log.trace(id, "connect app=\(request.app), vhost=\(request.vhost), tcUrl=\(request.tcUrl), pageUrl=\(request.pageUrl), objectEncoding=\(request.objectEncoding)")
        server.clients.update(id) { record in
            record.app = request.app
            record.tcUrl = request.tcUrl
            record.pageUrl = request.pageUrl
            record.swfUrl = request.swfUrl
        }
        admit(.connect, request) { [self] verdict in
            switch verdict {
            case .refused(let refusal):
                session.rejectConnect(refusal.reason)
                close("connect refused")
            case .admitted(let vhost, let request):
                self.vhost = vhost
                self.request = request
                server.clients.update(id) { $0.vhost = vhost.name }
                let context = RTMPTakeoverContext(id: id, session: session, tcp: tcp, flush: { [unowned self] in flushSessionOutput() },
                                                  close: { [unowned self] in close($0) })
                switch RTMPTakeovers.decide(vhost: vhost, request: request, context: context) {
                case .refuse(let reason):
                    session.rejectConnect(reason)
                    close("connect refused: \(reason)")
                    return
                case .takeOver(let takeover):
                    self.takeover = takeover
                case nil:
                    break
                }
                connectAccepted = true
                tcp.setNoDelay(vhost.tcpNodelay)
                session.acceptConnect(chunkSize: vhost.chunkSize)
                if let takeover {
                    flushSessionOutput()
                    takeover.start()
                }
            }
        }
    }

    private func handlePublish(streamId: UInt32, request: StreamRequest, type: String) {
        admitStream(.publish, request) { [self] refusal in
            session.rejectPublish(streamId: streamId, code: "NetStream.Publish.Denied", description: refusal.reason)
        } start: { [self] request, vhost in
            startPublishing(streamId: streamId, request: request, vhost: vhost, type: type)
        }
    }

    /// Publish and play: only from an idle client; admission decides; a refusal is answered by
    /// `refuse` and closes the client; an admitted client starts with the vhost in force then
    /// (a reload during a callback's wait may have changed it).
    private func admitStream(_ action: AdmissionRequest.Action, _ request: StreamRequest, refuse: @escaping (AdmissionRefusal) -> Void,
                             start: @escaping (StreamRequest, VhostConfig) -> Void) {
        guard case .idle = role, takeover == nil else {
            log.error(id, "\(action.rawValue) while already \(takeover == nil ? roleName : "taken over (bandwidth test)")")
            close("\(action.rawValue) in the wrong state")
            return
        }
        self.request = request
        admit(action, request) { [self] verdict in
            switch verdict {
            case .refused(let refusal):
                refuse(refusal)
                close("\(action.rawValue) refused")
            case .admitted(let admitted, let request):
                let vhost = server.config.vhost(named: admitted.name) ?? admitted
                self.vhost = vhost
                self.request = request
                start(request, vhost)
            }
        }
    }

    private func startPublishing(streamId: UInt32, request: StreamRequest, vhost: VhostConfig, type: String) {
        let kind: ClientRecord.Kind = session.isFMLEPublisher ? .fmlePublish : .flashPublish
        switch server.gate.publish(member(request, vhost: vhost, kind: kind), loop: tcp.loop) {
        case .claimed(let source):
            role = .publisher(source, streamId: streamId)
            publishStartedAt = tcp.loop.now
            lastMediaAt = 0
            let accept: @Sendable () -> Void = { [self] in
                session.acceptPublish(streamId: streamId, streamName: request.stream)
                log.trace(id, "publish \(source.key) type=\(type) from \(tcp.peerAddress), mr=\(vhost.mrEnabled)")
            }
            guard source.loop !== tcp.loop else { return accept() }
            // The stream moves to this loop first (no hop per batch); the client waits for
            // its answer and sends nothing to the stream meanwhile.
            awaitingVerdict = true
            tcp.holdReading(true)
            source.move(to: tcp.loop) { [self] in
                awaitingVerdict = false
                guard !closed else { return }
                tcp.holdReading(false)
                accept()
                handleHeldEvents()
            }
        case .busy:
            session.rejectPublish(streamId: streamId, description: "Stream already publishing")
            close("stream busy")
        case .contention:
            close("stream registry contention")
        }
    }

    private func handlePlay(streamId: UInt32, request: StreamRequest, start: Double, duration: Double) {
        admitStream(.play, request) { [self] refusal in
            session.rejectPlay(streamId: streamId, code: "NetStream.Play.Failed", description: refusal.reason)
        } start: { [self] request, vhost in
            startPlaying(streamId: streamId, request: request, vhost: vhost, start: start, duration: duration)
        }
    }

    private func startPlaying(streamId: UInt32, request: StreamRequest, vhost: VhostConfig, start: Double, duration: Double) {
        let member = member(request, vhost: vhost, kind: .play)
        let source: LiveSource
        switch server.gate.join(player: member, loop: tcp.loop, limits: server.config) {
        case .joined(let joined):
            source = joined
        case .tooManyWaiting(let reason):
            session.rejectPlay(streamId: streamId, code: "NetStream.Play.Failed", description: reason)
            flushSessionOutput()
            close("too many waiting players")
            return
        case .notPublished, .contention:
            close("stream registry contention")
            return
        }
        playStreamId = streamId
        let output = PlayerOutput(source: source, tcp: tcp, contextId: id, framer: self, jitter: vhost.jitterMode)
        role = .player(output, member)
        session.acceptPlay(streamId: streamId, streamName: request.stream)
        flushSessionOutput()
        output.start()
        server.gate.playing(source, member: member, detail: "start=\(start) duration=\(duration) mw=\(vhost.minLatency ? 0 : vhost.mwLatencyMs)ms")
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
    /// (with corrected timestamp) and its payload, split at the out chunk size. Headers and
    /// the chunks of small payloads (`AppTuning.playerCopiedChunkBytes`) are written in place
    /// into a store sized for the worst case; larger payloads are borrowed (`BatchPieces`).
    func pieces(for batch: [SharedMessage], jitter: inout TimestampJitter) -> [OutboundPiece] {
        let streamId = playStreamId
        let chunkSize = session.outChunkSize
        let copyLimit = AppTuning.playerCopiedChunkBytes
        var storeRoom = 0
        var borrowedChunks = 0
        for message in batch {
            let chunks = max(1, (message.size + chunkSize - 1) / chunkSize)
            storeRoom += ChunkEncoder.maxMessageHeaderSize + (chunks - 1) * ChunkEncoder.maxContinuationHeaderSize
            if message.size <= copyLimit { storeRoom += message.size } else { borrowedChunks += chunks }
        }
        var pieces = BatchPieces(storeRoom: storeRoom, leading: session.hasOutput ? [ByteStore(session.takeOutput()).piece] : [],
                                 borrowed: borrowedChunks)
        for message in batch {
            let timestamp = jitter.correct(message.timestamp, kind: message.kind)
            let csid = RTMPChunkStream.forType(message.kind.rawValue)
            let payload = message.payload
            let copied = payload.count <= copyLimit
            var offset = 0
            repeat {
                pieces.advance(offset == 0
                    ? ChunkEncoder.writeMessageHeader(to: pieces.cursor, csid: csid, timestamp: timestamp, length: payload.count,
                                                      typeId: message.kind.rawValue, streamId: streamId)
                    : ChunkEncoder.writeContinuationHeader(to: pieces.cursor, csid: csid, timestamp: timestamp))
                let length = min(chunkSize, payload.count - offset)
                if length > 0, let base = payload.baseAddress {
                    if copied {
                        pieces.copy(base + offset, count: length)
                    } else {
                        pieces.borrow(base + offset, count: length)
                    }
                }
                offset += length
            } while offset < payload.count
        }
        return pieces.finish()
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
    }

    // MARK: Timeouts (called from the loop's tick)

    func checkTimeouts(now: Int64) {
        guard !closed else { return }
        switch role {
        case .idle:
            if awaitingVerdict || takeover != nil { return }  // the callback and the takeover have their own timeouts
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
            return "<- CPB \(source.key) time=\(tcp.loop.now - connectedAt)ms recv=\(tcp.bytesReceived) bytes"
        case .player(let output, _):
            return "-> PLA \(output.source.key) time=\(tcp.loop.now - connectedAt)ms msgs=\(output.messagesSent) dropped=\(output.messagesDropped) send=\(tcp.bytesSent) bytes"
        case .idle:
            return nil
        }
    }
}
