import Glibc
import SRSConfig
import SRSIO
import SRSKernel
import SRSRTMP
import Synchronization

/// One live stream (vhost/app/stream): its message ring, its publisher, its players' fan-outs,
/// its statistics and its features.
///
/// Isolation: a loop-confined class. The ring, the fan-outs, the membership counts and the
/// statistics are thread-safe and read from any loop; everything else (the features, the
/// ingest state) belongs to `loop` and is touched only there: callers on other loops go
/// through `execute`, which keeps their order. A stream is made on the loop of its first
/// client and moves to its publisher's loop when a publish starts (`move`), so the publisher
/// hands batches to `submit` inline, without a hop. Players never wait for the source: they
/// read the ring and are woken per loop by `LoopFanout`s.
///
/// The source names no feature: every per-stream feature is a `StreamFeature` built by the
/// server's modules from the vhost config (`StreamFeatureModules`).
public final class LiveSource: @unchecked Sendable {
    public let key: String
    /// The stream's id in the HTTP API.
    public let id: Int
    /// When the source was created (ms since 1970), SRS's `live_ms`.
    public let createdWallMs: Int64
    public let vhost: String
    public let app: String
    public let stream: String
    /// Index of the loop that owns the source's confined state (its publisher's, once moved).
    private let loopIndex: Atomic<Int>
    public let ring: MessageRing
    /// One fan-out per loop of the server, indexed by loop index.
    let fanouts: [LoopFanout]
    /// Counters for logs, the API and metrics.
    let statistics = StreamStatistics()
    /// The current or last publisher, for the API (any thread).
    let lastPublisher = LockedValue<StreamPublisher?>(nil)
    private let membership = LockedValue(Membership())
    private unowned let registry: StreamRegistry
    private let modules: [StreamFeatureModule]

    private struct Membership {
        /// A feature keeps the source registered after everyone left (a playlist continues
        /// on the next publish, as SRS does).
        var keepWhenIdle = false
        /// Somebody published the stream: only then does a feature keep it. Players of a name
        /// nobody ever published leave nothing behind (no ghost streams).
        var everPublished = false
        var alive = true
        var publisherId: Int?
        var players = 0

        /// Nobody on it, and nothing keeps it: the source is retired.
        var isUnused: Bool { players == 0 && publisherId == nil && !(keepWhenIdle && everPublished) }
    }

    // Loop-confined.
    private var features: StreamFeatureSet
    private var publisher: StreamPublisher?
    /// `reduce_sequence_header`: an unchanged sequence header is not sent again.
    private var reduceSequenceHeader: Bool
    /// `mix_correct`: a publisher's audio and video put back in timestamp order (nil: off).
    private var mixQueue: MixQueue?
    /// queue_length applies while someone plays; with no player the ring keeps what a new
    /// player starts from: the GOP cache (and fast_cache) of a stream with video, a few seconds
    /// of an audio-only one. 1,000 unwatched 100 kbps publishers held 589 MB with 30 s rings;
    /// 4,000 held 349 MB with three seconds beside the GOP, 213 MB with the GOP alone
    /// (docs/performance.md).
    private var ringHoldsQueue = true
    private var queueLengthMs: Int64
    private var idleSpanMs: Int64
    private var idleVideoSpanMs: Int64
    /// A video message was published since the stream (re)started.
    private var carriesVideo = false
    /// The audio codec is known (from a sequence header, or MP3's first frame): frames are
    /// not inspected for it any more.
    private var audioCodecKnown = false
    /// `atc` and `atc_auto` of the vhost.
    private var atcConfigured: Bool
    private var atcAuto: Bool
    private let atc = Atomic<Bool>(false)

    /// ATC (absolute time codes): the publisher's timestamps reach players, HLS and HDS
    /// untouched, so that two origins fed the same stream produce the same timestamps.
    /// On with `atc on`, or with `atc_auto on` when the publisher's metadata has
    /// `bravo_atc: "true"`; decided again at each publish. Any thread.
    var isATC: Bool { atc.load(ordering: .relaxed) }

    /// Call on `loop` (the features are made there).
    init(id: Int, key: String, request: StreamRequest, vhost config: VhostConfig, loop: EventLoop, loops: [EventLoop],
         registry: StreamRegistry, modules: [StreamFeatureModule]) {
        self.id = id
        self.key = key
        var now = timeval()
        gettimeofday(&now, nil)
        createdWallMs = Int64(now.tv_sec) * 1000 + Int64(now.tv_usec) / 1000
        vhost = request.vhost
        app = request.app
        stream = request.stream
        loopIndex = Atomic(loop.index)
        self.registry = registry
        self.modules = modules
        reduceSequenceHeader = config.reduceSequenceHeader
        atcConfigured = config.atc
        atcAuto = config.atcAuto
        mixQueue = config.mixCorrect ? MixQueue() : nil
        queueLengthMs = Int64(config.queueLengthSeconds * 1000)
        idleSpanMs = Self.idleSpan(config)
        idleVideoSpanMs = Self.idleVideoSpan(config)
        let ring = MessageRing(limits: LiveSource.ringLimits(config))
        self.ring = ring
        fanouts = loops.map { LoopFanout(loop: $0, ring: ring, flushIntervalMs: Self.flushInterval(config)) }
        features = StreamFeatureSet()
        features.build(modules: modules, source: self, vhost: config)
        let keep = features.keepsStreamWhenIdle
        membership.withLock { $0.keepWhenIdle = keep }
    }

    /// The loop that owns the source's confined state now.
    public var loop: EventLoop { fanouts[loopIndex.load(ordering: .acquiring)].loop }

    /// Runs `work` on the source's loop: inline when already there, else in order. Work that
    /// reaches a loop the source has left follows it to the new one.
    func execute(_ work: @escaping @Sendable () -> Void) {
        let target = loop
        target.execute { [self] in
            if target === loop { work() } else { execute(work) }
        }
    }

    /// Runs `work` on the source's loop later, never within this call.
    func post(_ work: @escaping @Sendable () -> Void) {
        loop.post { [self] in execute(work) }
    }

    /// Runs `work` on the source's loop after `milliseconds` (wherever the source is then).
    func schedule(afterMilliseconds milliseconds: Int, _ work: @escaping @Sendable () -> Void) {
        loop.schedule(afterMilliseconds: milliseconds) { [self] in execute(work) }
    }

    /// Moves the confined state to `newLoop` (the publisher's) once the work queued on the
    /// current loop ran; `done` then runs on `newLoop`. The publisher sends nothing meanwhile
    /// (its reading is held), so its batches stay in order.
    func move(to newLoop: EventLoop, then done: @escaping @Sendable () -> Void) {
        execute { [self] in
            if loop !== newLoop {
                log.info(Server.serverContextId, "\(key) moves from loop \(loop.index) to its publisher's loop \(newLoop.index)")
                loopIndex.store(newLoop.index, ordering: .releasing)
            }
            newLoop.post(done)
        }
    }

    /// An unwatched audio-only stream keeps its players' start (115 frames) and fast_cache.
    private static func idleSpan(_ config: VhostConfig) -> Int64 {
        min(Int64(config.queueLengthSeconds * 1000), max(AppTuning.idleRingSpanMs, Int64(config.httpRemux.fastCache * 1000)))
    }

    /// An unwatched stream with video keeps the GOP cache and fast_cache, as SRS's GOP cache does.
    private static func idleVideoSpan(_ config: VhostConfig) -> Int64 {
        min(Int64(config.queueLengthSeconds * 1000), Int64(config.httpRemux.fastCache * 1000))
    }

    /// The span the ring keeps now.
    private var ringSpanMs: Int64 {
        ringHoldsQueue ? queueLengthMs : carriesVideo ? idleVideoSpanMs : idleSpanMs
    }

    /// Merged write: one write per mw_latency (none with min_latency), and never more often
    /// than send_min_interval.
    private static func flushInterval(_ config: VhostConfig) -> Int {
        max(config.minLatency ? 0 : config.mwLatencyMs, Int(config.sendMinIntervalMs.rounded(.up)))
    }

    static func ringLimits(_ config: VhostConfig) -> MessageRing.Limits {
        MessageRing.Limits(
            maxSpanMs: Int64(config.queueLengthSeconds * 1000), keepLastGOP: config.gopCache,
            maxMessages: AppTuning.ringMaxMessages, maxBytes: AppTuning.ringMaxBytes)
    }

    /// The names of the stream's features, in batch order. On the loop.
    var featureNames: [String] { features.names }

    /// Graceful quit: the lanes whose writes must land before the process exits. On the loop.
    func drainLanes() -> [BlockingLane] {
        features.features.compactMap { $0.drainLane() }
    }

    /// A reload changed the vhost: GOP cache, queue length, merged write and sequence-header
    /// reduction apply to this running stream, and its features are rebuilt (added, removed,
    /// or given the new settings). On the loop.
    func apply(_ config: VhostConfig) {
        loop.preconditionInLoop()
        reduceSequenceHeader = config.reduceSequenceHeader
        atcConfigured = config.atc
        atcAuto = config.atcAuto
        if config.atc { atc.store(true, ordering: .relaxed) }
        if config.mixCorrect != (mixQueue != nil) {
            if let waiting = mixQueue?.drain(), !waiting.isEmpty { ingest(waiting) }
            mixQueue = config.mixCorrect ? MixQueue() : nil
        }
        queueLengthMs = Int64(config.queueLengthSeconds * 1000)
        idleSpanMs = Self.idleSpan(config)
        idleVideoSpanMs = Self.idleVideoSpan(config)
        var limits = LiveSource.ringLimits(config)
        limits.maxSpanMs = ringSpanMs
        ring.limits = limits
        for fanout in fanouts { fanout.flushIntervalMs = Int64(Self.flushInterval(config)) }
        let change = features.reload(modules: modules, source: self, vhost: config, publisher: publisher, headers: ring.headers)
        if !change.added.isEmpty || !change.removed.isEmpty {
            log.trace(Server.serverContextId, "reload: \(key) features now \(features.names) (added \(change.added), removed \(change.removed))")
        }
        // A source kept only for a feature that is gone, and that nobody uses, is retired.
        let keep = features.keepsStreamWhenIdle
        let retire = membership.withLock { state -> Bool in
            state.keepWhenIdle = keep
            guard state.alive, state.isUnused else { return false }
            state.alive = false
            return true
        }
        if retire { retired() }
    }

    // MARK: Membership (any thread)

    /// Claims the stream for `publisher`; `.busy` when another client publishes it, `.retired`
    /// when the source was retired (look it up again).
    func tryPublish(_ publisher: StreamPublisher) -> PublishClaim {
        let claim = membership.withLock { state -> PublishClaim in
            if !state.alive { return .retired }
            if let current = state.publisherId { return .busy(current) }
            if !state.everPublished { registry.waitingPlayers.subtract(state.players, ordering: .relaxed) }  // they wait no more
            state.publisherId = publisher.clientId
            state.everPublished = true
            return .claimed
        }
        if claim == .claimed {
            lastPublisher.withLock { $0 = publisher }
            // A new publisher starts a new stream: drop the old GOP and headers before its
            // first batch (both run in order on the source's loop).
            execute { [self] in
                ring.reset()
                carriesVideo = false
                audioCodecKnown = false
                atc.store(atcConfigured, ordering: .relaxed)
                self.publisher = publisher
                features.forEach { $0.onPublish(publisher) }
            }
        }
        return claim
    }

    enum PublishClaim: Equatable {
        case claimed
        case busy(Int)
        case retired
    }

    /// Releases the stream if `clientId` publishes it. Players stay attached (they resume when
    /// a new publisher starts, as in SRS); the ring is kept until then so they can drain it,
    /// and new players of an unpublished stream start at the head (no stale GOP).
    func endPublish(clientId: Int) {
        let retire = membership.withLock { state -> Bool? in
            guard state.publisherId == clientId else { return nil }
            state.publisherId = nil
            if state.isUnused {
                state.alive = false
                return true
            }
            return false
        }
        guard let retire else { return }
        execute { [self] in
            if let waiting = mixQueue?.drain(), !waiting.isEmpty { ingest(waiting) }
            publisher = nil
            features.forEach { $0.onUnpublish() }
        }
        if retire { retired() }
    }

    /// How a player's attach went.
    enum PlayerAttach {
        /// Attached; `waiting`: nobody has ever published the stream.
        case attached(waiting: Bool)
        /// The source was retired meanwhile: fetch it again.
        case retired
        /// `maxWaiting` players already wait for this never-published stream.
        case tooManyWaiting
    }

    /// Registers a player, unless `maxWaiting` players already wait for this stream that
    /// nobody has published yet.
    func attachPlayer(maxWaiting: Int = Int.max) -> PlayerAttach {
        membership.withLock { state in
            guard state.alive else { return .retired }
            let waiting = state.publisherId == nil && !state.everPublished
            if waiting && state.players >= maxWaiting { return .tooManyWaiting }
            state.players += 1
            if waiting { registry.waitingPlayers.add(1, ordering: .relaxed) }
            return .attached(waiting: waiting)
        }
    }

    /// Nobody has ever published this stream.
    var awaitsFirstPublish: Bool { membership.withLock { $0.publisherId == nil && !$0.everPublished } }

    func detachPlayer() {
        let retire = membership.withLock { state -> Bool in
            if state.publisherId == nil && !state.everPublished { registry.waitingPlayers.subtract(1, ordering: .relaxed) }
            state.players -= 1
            if state.isUnused {
                state.alive = false
                return true
            }
            return false
        }
        if retire { retired() }
    }

    /// Removes an unused source that nobody claimed (an HTTP player refused before attaching).
    func retireIfUnused() {
        let retire = membership.withLock { state -> Bool in
            guard state.alive, state.isUnused else { return false }
            state.alive = false
            return true
        }
        if retire { retired() }
    }

    /// Later, never inline: a feature may be the one whose player just left (a relay
    /// upstream), and features are not re-entered.
    private func retired() {
        registry.remove(self)
        post { [self] in features.stopAll() }
    }

    public var publisherId: Int? { membership.withLock { $0.publisherId } }
    public var playerCount: Int { membership.withLock { $0.players } }

    /// Disconnects the current publisher (a feature's error policy).
    func kickPublisher() {
        if let publisher = publisherId { registry.kick(publisher) }
    }

    // MARK: Media

    /// Hands a publisher's batch to the source's loop, preserving order.
    func submit(_ batch: [SharedMessage]) {
        execute { [self] in
            guard mixQueue != nil else { return ingest(batch) }
            var ordered: [SharedMessage] = []
            ordered.reserveCapacity(batch.count)
            for message in batch { ordered += mixQueue!.push(message) }
            if !ordered.isEmpty { ingest(ordered) }
        }
    }

    /// Appends a batch to the ring (one lock), counts it, hands it to the features and wakes
    /// the loops that have players. On the loop.
    private func ingest(_ batch: [SharedMessage]) {
        let watched = playerCount > 0
        let video = carriesVideo || batch.contains { $0.kind == .video }
        if watched != ringHoldsQueue || video != carriesVideo {
            ringHoldsQueue = watched
            carriesVideo = video
            var limits = ring.limits
            limits.maxSpanMs = ringSpanMs
            ring.limits = limits
        }
        var accepted = batch
        if reduceSequenceHeader && batch.contains(where: \.isSequenceHeader) {
            let headers = ring.headers
            accepted = batch.filter { !($0.isSequenceHeader && Self.isCached($0, in: headers)) }
        }
        // atc_auto, decided before players can see the metadata.
        if atcAuto && !isATC, accepted.contains(where: { $0.kind == .data && StreamMetadata(payload: $0.payload)?.requestsAbsoluteTime == true }) {
            atc.store(true, ordering: .relaxed)
            log.trace(Server.serverContextId, "\(key): atc_auto: the metadata has bravo_atc, absolute time codes on")
        }
        ring.append(contentsOf: accepted)
        var bytes = 0
        var videoFrames = 0
        var audioFrames = 0
        for message in accepted {
            bytes += message.size
            if message.isSequenceHeader {
                CodecSummary.update(statistics, from: message)
                if message.kind == .audio { audioCodecKnown = true }
            } else if message.kind == .video {
                videoFrames += 1
            } else if message.kind == .audio {
                audioFrames += 1
                if !audioCodecKnown { audioCodecKnown = CodecSummary.updateFromFrame(statistics, message: message) }
            }
        }
        statistics.recordReceived(bytes: bytes, videoFrames: videoFrames, audioFrames: audioFrames)
        if !features.isEmpty {
            let headers = ring.headers  // one lock, only for streams with features
            features.forEach { $0.onMessages(accepted, headers: headers) }
        }
        for fanout in fanouts { fanout.notify() }
    }

    private static func isCached(_ message: SharedMessage, in headers: MessageRing.Headers) -> Bool {
        guard let cached = message.kind == .video ? headers.videoSequenceHeader : headers.audioSequenceHeader else { return false }
        return cached.payload.elementsEqual(message.payload)
    }
}
