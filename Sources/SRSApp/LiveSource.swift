import Foundation
import Glibc
import SRSConfig
import SRSIO
import SRSKernel
import SRSRTMP
import Synchronization

/// One live stream (vhost/app/stream): an actor that runs on the loop it was created on and
/// owns the stream's message ring, its publisher and its statistics.
///
/// The publisher hands batches of messages to `submit`, which runs `ingest` on the source's
/// loop (inline when the publisher lives there, else one `async` per batch, in order). Players
/// never `await`: they read the ring directly and are woken per loop by `LoopFanout`s.
public actor LiveSource {
    public nonisolated let key: String
    /// The stream's id in the HTTP API.
    public nonisolated let id: Int
    /// When the source was created (ms since 1970), SRS's `live_ms`.
    public nonisolated let createdWallMs: Int64
    public nonisolated let vhost: String
    public nonisolated let app: String
    public nonisolated let stream: String
    /// The loop whose executor runs this actor.
    public nonisolated let loop: EventLoop
    public nonisolated let ring: MessageRing
    /// One fan-out per loop of the server, indexed by loop index.
    nonisolated let fanouts: [LoopFanout]
    private nonisolated let membership = LockedValue(Membership())
    private nonisolated let registry: StreamRegistry
    /// HLS files of this stream, when the vhost has `hls` on.
    private var hls: HLSMuxer?
    /// `reduce_sequence_header`: an unchanged sequence header is not sent again.
    private var reduceSequenceHeader: Bool
    /// What made the HLS muxer (replaced when a reload changes it).
    private var hlsConfig: HLSConfig
    /// The vhost's callbacks, read by on_hls when a segment is written (a reload replaces them).
    private nonisolated let hooksConfig: LockedValue<HTTPHooksConfig>
    private nonisolated let pool: BlockingPool
    private nonisolated let hooks: HookCaller

    private struct Membership {
        /// Sources with HLS stay registered after everyone left, so a republish continues the
        /// same playlist (with a discontinuity) as SRS does.
        var keepWhenIdle = false
        var alive = true
        var publisherId: Int?
        var players = 0
    }

    /// Counters for logs, the API and metrics.
    nonisolated let statistics = StreamStatistics()
    /// The tcUrl of the current or last publisher, for the API.
    nonisolated let publisherInfo = LockedValue<PublisherInfo>(PublisherInfo())

    public nonisolated var unownedExecutor: UnownedSerialExecutor { loop.asUnownedSerialExecutor() }

    init(
        id: Int, key: String, request: StreamRequest, vhost config: VhostConfig, loop: EventLoop, loops: [EventLoop],
        registry: StreamRegistry, pool: BlockingPool, hooks: HookCaller
    ) {
        self.id = id
        self.key = key
        var now = timeval()
        gettimeofday(&now, nil)
        createdWallMs = Int64(now.tv_sec) * 1000 + Int64(now.tv_usec) / 1000
        vhost = request.vhost
        app = request.app
        stream = request.stream
        self.loop = loop
        self.registry = registry
        self.pool = pool
        self.hooks = hooks
        reduceSequenceHeader = config.reduceSequenceHeader
        queueLengthMs = Int64(config.queueLengthSeconds * 1000)
        idleSpanMs = Self.idleSpan(config)
        hlsConfig = config.hls
        hooksConfig = LockedValue(config.hooks)
        membership.withLock { $0.keepWhenIdle = config.hls.enabled }
        let ring = MessageRing(limits: LiveSource.ringLimits(config))
        self.ring = ring
        fanouts = loops.map { LoopFanout(loop: $0, ring: ring, flushIntervalMs: Self.flushInterval(config)) }
        hls = Self.makeHLSMuxer(config, stream: (request.vhost, request.app, request.stream), loop: loop, pool: pool, hooks: hooks,
                                hooksConfig: hooksConfig, publisherInfo: publisherInfo)
    }

    private static func idleSpan(_ config: VhostConfig) -> Int64 {
        min(Int64(config.queueLengthSeconds * 1000), max(AppTuning.idleRingSpanMs, Int64(config.httpRemux.fastCache * 1000)))
    }

    /// Merged write: one write per mw_latency (none with min_latency), and never more often
    /// than send_min_interval.
    private static func flushInterval(_ config: VhostConfig) -> Int {
        max(config.minLatency ? 0 : config.mwLatencyMs, Int(config.sendMinIntervalMs.rounded(.up)))
    }

    /// The HLS muxer of a stream when its vhost has hls on, calling on_hls after each segment.
    private static func makeHLSMuxer(
        _ config: VhostConfig, stream request: (vhost: String, app: String, stream: String), loop: EventLoop, pool: BlockingPool,
        lane: BlockingLane? = nil, hooks: HookCaller, hooksConfig: LockedValue<HTTPHooksConfig>, publisherInfo: LockedValue<PublisherInfo>
    ) -> HLSMuxer? {
        if config.hls.enabled {
            let muxer = HLSMuxer(
                config: config.hls, vhost: request.vhost, app: request.app, stream: request.stream, pool: pool, lane: lane,
                contextId: { Server.serverContextId })
            do {
                let info = publisherInfo
                muxer.segmentWritten = { notice in
                    let hooksConfig = hooksConfig.withLock { $0 }
                    guard !hooksConfig.urls(for: .onHls).isEmpty else { return }
                    let publisher = info.withLock { $0 }
                    let body: [(String, JSONValue)] = [
                        ("client_id", .number(publisher.clientId ?? 0)), ("ip", .string(publisher.ip)), ("vhost", .string(request.vhost)),
                        ("app", .string(request.app)), ("stream", .string(request.stream)), ("param", .string(publisher.param)),
                        ("duration", .double(notice.duration)), ("cwd", .string(FileManager.default.currentDirectoryPath)),
                        ("file", .string(notice.file)), ("url", .string(notice.url)), ("m3u8", .string(notice.m3u8)),
                        ("m3u8_url", .string(notice.m3u8URL)), ("seq_no", .number(notice.sequence)),
                    ]
                    loop.queue.async {
                        hooks.notify(.onHls, hooks: hooksConfig, body: body, contextId: publisher.clientId ?? Server.serverContextId, loop: loop)
                    }
                }
            }
            return muxer
        }
        return nil
    }

    /// Waits until the stream's HLS files are written (graceful quit). Call off the loops.
    nonisolated func drainFiles() {
        // The lane is thread-safe; the muxer itself stays on the loop.
        let lane: BlockingLane? = loop.queue.sync { assumeIsolated { $0.hls?.lane } }
        lane?.drain()
    }

    /// A reload changed the vhost: GOP cache, queue length, merged write, sequence-header
    /// reduction and HLS (on, off, or new settings: the current segment is closed and a new
    /// muxer continues with the next publish or keyframe) apply to this running stream.
    func apply(_ config: VhostConfig) {
        reduceSequenceHeader = config.reduceSequenceHeader
        queueLengthMs = Int64(config.queueLengthSeconds * 1000)
        idleSpanMs = Self.idleSpan(config)
        var limits = LiveSource.ringLimits(config)
        limits.maxSpanMs = ringHoldsQueue ? queueLengthMs : idleSpanMs
        ring.limits = limits
        for fanout in fanouts { fanout.flushIntervalMs = Int64(Self.flushInterval(config)) }
        hooksConfig.withLock { $0 = config.hooks }
        if config.hls != hlsConfig {
            // The old muxer closes its segment; the new one writes through the same lane, goes
            // on numbering after it, keeps its playlist, and learns the codecs from the cached
            // metadata and sequence headers (the publisher will not send them again).
            let previous = hls
            previous?.onUnpublish(on: loop) {}
            hls = Self.makeHLSMuxer(config, stream: (vhost, app, stream), loop: loop, pool: pool, lane: previous?.lane, hooks: hooks,
                                    hooksConfig: hooksConfig, publisherInfo: publisherInfo)
            if let hls {
                if let previous { hls.adopt(previous) }
                if publisherId != nil { hls.onPublish() }
                let headers = ring.headers
                for header in headers.all { hls.onMessage(header, headers: headers) }
            }
            hlsConfig = config.hls
            // A source kept only for HLS that nobody uses any more is retired.
            let retire = membership.withLock { state -> Bool in
                state.keepWhenIdle = config.hls.enabled
                guard !state.keepWhenIdle, state.players == 0, state.publisherId == nil, state.alive else { return false }
                state.alive = false
                return true
            }
            if retire { registry.remove(self) }
        }
    }

    static func ringLimits(_ config: VhostConfig) -> MessageRing.Limits {
        MessageRing.Limits(
            maxSpanMs: Int64(config.queueLengthSeconds * 1000), keepLastGOP: config.gopCache,
            maxMessages: AppTuning.ringMaxMessages, maxBytes: AppTuning.ringMaxBytes)
    }

    // MARK: Membership (any thread)

    /// Claims the stream for publisher `clientId`; false when another client publishes it or
    /// the source was retired (look it up again).
    nonisolated func tryPublish(clientId: Int) -> PublishClaim {
        let claim = membership.withLock { state -> PublishClaim in
            if !state.alive { return .retired }
            if let current = state.publisherId { return .busy(current) }
            state.publisherId = clientId
            return .claimed
        }
        if claim == .claimed {
            // A new publisher starts a new stream: drop the old GOP and headers before its
            // first batch (both run in order on the source's loop).
            loop.execute { [self] in
                self.assumeIsolated { source in
                    source.ring.reset()
                    source.hls?.onPublish()
                }
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
    nonisolated func endPublish(clientId: Int) {
        let retire = membership.withLock { state -> Bool? in
            guard state.publisherId == clientId else { return nil }
            state.publisherId = nil
            if state.players == 0 && !state.keepWhenIdle {
                state.alive = false
                return true
            }
            return false
        }
        guard let retire else { return }
        loop.execute { [self] in self.assumeIsolated { $0.hlsUnpublished() } }
        if retire { registry.remove(self) }
    }

    /// Registers a player; false when the source was retired (look it up again).
    nonisolated func attachPlayer() -> Bool {
        membership.withLock { state in
            guard state.alive else { return false }
            state.players += 1
            return true
        }
    }

    nonisolated func detachPlayer() {
        let retire = membership.withLock { state -> Bool in
            state.players -= 1
            if state.players == 0 && state.publisherId == nil && !state.keepWhenIdle {
                state.alive = false
                return true
            }
            return false
        }
        if retire { registry.remove(self) }
    }

    public nonisolated var publisherId: Int? { membership.withLock { $0.publisherId } }
    public nonisolated var playerCount: Int { membership.withLock { $0.players } }

    // MARK: Media

    /// Hands a publisher's batch to the source's loop, preserving order.
    nonisolated func submit(_ batch: [SharedMessage]) {
        loop.execute { [self] in self.assumeIsolated { $0.ingest(batch) } }
    }

    /// queue_length applies while someone plays; with no player the ring keeps the GOP cache
    /// and a few seconds (audio-only start, fast_cache): 1,000 unwatched 100 kbps publishers
    /// held 589 MB with 30 s rings (docs/performance.md).
    private var ringHoldsQueue = true
    private var queueLengthMs: Int64
    private var idleSpanMs: Int64

    /// Appends a batch to the ring and wakes the loops that have players.
    func ingest(_ batch: [SharedMessage]) {
        let watched = playerCount > 0
        if watched != ringHoldsQueue {
            ringHoldsQueue = watched
            var limits = ring.limits
            limits.maxSpanMs = watched ? queueLengthMs : idleSpanMs
            ring.limits = limits
        }
        for message in batch {
            if reduceSequenceHeader && message.isSequenceHeader && isCachedHeader(message) { continue }
            ring.append(message)
            if message.isSequenceHeader {
                CodecSummary.update(statistics, from: message)
            } else if message.kind == .audio {
                CodecSummary.updateFromFrame(statistics, message: message)
            }
            statistics.recordReceived(
                bytes: message.size, video: message.kind == .video && !message.isSequenceHeader,
                audio: message.kind == .audio && !message.isSequenceHeader)
        }
        if let hls {
            let headers = ring.headers
            for message in batch { hls.onMessage(message, headers: headers) }
            if hls.applyErrorPolicy(), let publisher = publisherId { registry.kick(publisher) }
        }
        for fanout in fanouts { fanout.notify() }
    }

    private func hlsUnpublished() {
        guard let hls else { return }
        let generation = hls.generation
        hls.onUnpublish(on: loop) { [self] in
            self.assumeIsolated { source in
                // Dispose only if nobody published again meanwhile.
                if source.publisherId == nil, let hls = source.hls, hls.generation == generation { hls.dispose() }
            }
        }
    }

    private func isCachedHeader(_ message: SharedMessage) -> Bool {
        let headers = ring.headers
        guard let cached = message.kind == .video ? headers.videoSequenceHeader : headers.audioSequenceHeader else { return false }
        return cached.payload.elementsEqual(message.payload)
    }
}

/// Who publishes (or last published) a stream, for the API and callbacks.
struct PublisherInfo: Sendable {
    var tcUrl = ""
    var clientId: Int?
    var ip = ""
    var param = ""
}
