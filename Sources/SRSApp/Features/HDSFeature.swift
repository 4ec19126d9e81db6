import Foundation
import SRSConfig
import SRSIO
import SRSKernel

/// HDS as a stream feature (SRS 2.0's `hds { }`): the kernel's `HDSFragmenter` cuts the
/// stream; the f4m manifest, the bootstrap and the fragments are written under
/// `hds_path/[app]/` on a blocking lane (each to a temporary name, then renamed), where the
/// HTTP server serves them. Fragments that leave `hds_window` are deleted. A republish goes on
/// numbering, and its timestamps continue the last fragment's unless the stream is ATC.
/// Confined to the stream's loop.
final class HDSFeature: StreamFeature {
    static func module(pool: BlockingPool) -> StreamFeatureModule {
        StreamFeatureModule(name: "hds", isWanted: { $0.hds.enabled }, make: { source, vhost in
            HDSFeature(source: source, config: vhost.hds, lane: pool.makeLane(label: "srs.hds.\(source.key)"))
        })
    }

    private unowned let source: LiveSource
    private var config: HDSConfig
    private let lane: BlockingLane
    private var fragmenter: HDSFragmenter
    private let directory: String
    private var timestampOffset: Int64 = 0
    private var rebasePending = false
    private var publishing = false

    init(source: LiveSource, config: HDSConfig, lane: BlockingLane) {
        self.source = source
        self.config = config
        self.lane = lane
        fragmenter = HDSFragmenter(fragmentSeconds: config.fragment, windowSeconds: config.window, maxFragmentBytes: AppTuning.hdsMaxFragmentBytes)
        directory = HLSMuxer.join(config.path, source.app)
    }

    func onPublish(_ publisher: StreamPublisher) {
        publishing = true
        fragmenter.reset()
        rebasePending = fragmenter.endMs != nil
        let manifest = Array(HDSFragmenter.manifest(stream: source.stream).utf8)
        let path = HLSMuxer.join(directory, source.stream + ".f4m")
        lane.async {
            do {
                try HLSMuxer.writeAtomically(manifest, to: path)
            } catch {
                log.error(publisher.clientId, "HDS manifest write failed: \(error)")
            }
        }
        log.trace(publisher.clientId, "HDS \(source.key): manifest \(path), fragments of \(config.fragment)s, window \(config.window)s")
    }

    func onMessages(_ batch: [SharedMessage], headers: MessageRing.Headers) {
        guard publishing else { return }
        for message in batch {
            if rebasePending && !message.isSequenceHeader && (message.kind == .video || message.kind == .audio) {
                rebasePending = false
                timestampOffset = source.isATC ? 0 : (fragmenter.endMs ?? 0) + AppTuning.hlsRepublishGapMs - message.timestamp
            }
            if let done = fragmenter.add(message, timestamp: message.timestamp + timestampOffset) { write(done) }
        }
    }

    func onUnpublish() {
        guard publishing else { return }
        publishing = false
        if let done = fragmenter.flush() { write(done) }
    }

    /// HDS keeps the stream registered while nobody publishes, so a republish goes on
    /// numbering (players hold the last bootstrap), as SRS does.
    var keepsStreamWhenIdle: Bool { true }

    /// New durations apply in place (numbering and window go on); another path starts over.
    func apply(_ vhost: VhostConfig) -> Bool {
        guard vhost.hds != config else { return true }
        guard vhost.hds.path == config.path else { return false }
        config = vhost.hds
        fragmenter.reconfigure(fragmentSeconds: config.fragment, windowSeconds: config.window)
        return true
    }

    func stop() { onUnpublish() }

    func drainLane() -> BlockingLane? { lane }

    private func write(_ done: (closed: HDSFragmenter.Fragment, removed: [Int])) {
        let fragment = done.closed
        let name = source.stream
        let directory = self.directory
        let bootstrap = fragmenter.bootstrap()
        let context = source.lastPublisher.withLock { $0?.clientId } ?? Server.serverContextId
        log.info(context, "HDS fragment \(fragment.index) at \(fragment.startMs) ms, \(fragment.durationMs) ms, \(fragment.bytes.count) bytes")
        let removed = done.removed
        lane.async {
            do {
                try HLSMuxer.writeAtomically(fragment.bytes, to: HLSMuxer.join(directory, "\(name)Seg1-Frag\(fragment.index)"))
                try HLSMuxer.writeAtomically(bootstrap, to: HLSMuxer.join(directory, name + ".abst"))
            } catch {
                log.error(context, "HDS write failed: \(error)")
            }
            for index in removed { try? FileManager.default.removeItem(atPath: HLSMuxer.join(directory, "\(name)Seg1-Frag\(index)")) }
        }
    }
}
