import SRSConfig
import SRSIO
import SRSKernel

/// HLS as a stream feature: one `HLSMuxer` per stream, on_hls after each segment, the files
/// disposed `hls_dispose` seconds after the last publish, `hls_on_error` applied. A reload that
/// changes the `hls` block closes the current segment and continues with a new muxer (same
/// write lane, numbering and playlist). Confined to the stream's loop.
final class HLSFeature: StreamFeature, @unchecked Sendable {
    static func module(pool: BlockingPool, hooks: HookCaller) -> StreamFeatureModule {
        StreamFeatureModule(name: "hls", isWanted: { $0.hls.enabled }, make: { source, vhost in
            HLSFeature(source: source, vhost: vhost, pool: pool, hooks: hooks)
        })
    }

    private unowned let source: LiveSource
    private let hooks: HookCaller
    private var vhost: VhostConfig
    private var muxer: HLSMuxer
    private var publisher: StreamPublisher?

    init(source: LiveSource, vhost: VhostConfig, pool: BlockingPool, hooks: HookCaller) {
        self.source = source
        self.hooks = hooks
        self.vhost = vhost
        let lane = pool.makeLane(label: "srs.hls.\(source.key)")
        muxer = HLSMuxer(config: vhost.hls, vhost: source.vhost, app: source.app, stream: source.stream, lane: lane, contextId: { Server.serverContextId })
        watch(muxer)
    }

    var keepsStreamWhenIdle: Bool { true }

    func onPublish(_ publisher: StreamPublisher) {
        self.publisher = publisher
        muxer.onPublish()
    }

    func onMessages(_ batch: [SharedMessage], headers: MessageRing.Headers) {
        muxer.keepsAbsoluteTime = source.isATC
        for message in batch { muxer.onMessage(message, headers: headers) }
        if muxer.applyErrorPolicy() { source.kickPublisher() }
    }

    func onUnpublish() {
        muxer.onUnpublish()
        guard vhost.hls.dispose > 0 else { return }
        let generation = muxer.generation
        let current = ObjectIdentifier(muxer)
        source.schedule(afterMilliseconds: Int(vhost.hls.dispose * 1000)) { [self] in
            // Dispose only if nobody published again meanwhile and no reload replaced the muxer.
            if source.publisherId == nil, ObjectIdentifier(muxer) == current, muxer.generation == generation { muxer.dispose() }
        }
    }

    func apply(_ vhost: VhostConfig) -> Bool {
        defer { self.vhost = vhost }
        guard vhost.hls != self.vhost.hls else { return true }
        // The old muxer closes its segment; the new one writes through the same lane, goes on
        // numbering after it, keeps its playlist, and learns the codecs from the cached
        // metadata and sequence headers (the publisher will not send them again).
        let previous = muxer
        previous.onUnpublish()
        let next = HLSMuxer(config: vhost.hls, vhost: source.vhost, app: source.app, stream: source.stream, lane: previous.lane,
                            contextId: { Server.serverContextId })
        next.adopt(previous)
        watch(next)
        muxer = next
        if source.publisherId != nil { next.onPublish() }
        let headers = source.ring.headers
        for header in headers.all { next.onMessage(header, headers: headers) }
        return true
    }

    func stop() { muxer.onUnpublish() }

    func drainLane() -> BlockingLane? { muxer.lane }

    /// on_hls: the muxer reports each written segment from its lane; the callback starts on
    /// the stream's loop with the hooks in force then.
    private func watch(_ muxer: HLSMuxer) {
        let source = self.source
        let feature = WeakFeature(self)
        muxer.segmentWritten = { notice in
            source.post { feature.value?.segmentWritten(notice) }
        }
    }

    private func segmentWritten(_ notice: HLSSegmentNotice) {
        guard let publisher, !vhost.hooks.urls(for: .onHls).isEmpty else { return }
        hooks.notify(.onHls, hooks: vhost.hooks, body: HookBody.hls(publisher, segment: notice), contextId: publisher.clientId, loop: source.loop)
    }
}

/// A weak reference to a loop-confined feature, handed to a closure that hops back to its loop.
private struct WeakFeature: @unchecked Sendable {
    weak var value: HLSFeature?
    init(_ value: HLSFeature) { self.value = value }
}
