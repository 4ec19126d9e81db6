import Foundation
import SRSConfig
import SRSHLS
import SRSIO
import SRSKernel
import Synchronization

/// HLS for one live stream: muxes its messages to MPEG-TS on the stream's loop, cuts
/// segments (HLSSegmenter), keeps the playlist window (HLSPlaylist), and writes files on a
/// blocking lane: each segment and playlist to a temporary name, then renamed, so readers
/// never see a partial file; segments are deleted only after they left the playlist.
/// Confined to the stream's loop (owned by the stream's HLSFeature).
final class HLSMuxer {
    let config: HLSConfig
    let contextId: () -> Int
    private let vhost: String
    private let app: String
    private let stream: String
    /// Where the files are written, in order (drained by a graceful quit).
    let lane: BlockingLane
    private let converter = FLVToTSConverter()
    private var segmenter: HLSSegmenter
    private var playlist: HLSPlaylist
    private var segmentBytes: [UInt8] = []
    /// Bytes of the last segment written, to size the next one's buffer.
    private var lastSegmentSize = 0
    private var nextSequence = 0

    /// Takes over from the muxer a reload replaces: the numbering and, when the playlist stays
    /// at the same path, its segments (so they still leave the window and get cleaned up).
    func adopt(_ previous: HLSMuxer) {
        nextSequence = previous.nextSequence
        if previous.m3u8Path == m3u8Path {
            for segment in previous.playlist.segments { playlist.append(segment) }
        }
    }
    private var configured = false
    /// Decides the PMT's tracks, waiting for announced ones (MP3 after video).
    private var planner = TSTrackPlanner(waitLimitMs: AppTuning.announcedTrackWaitMs)
    /// Media held while the planner waits.
    private var held: [SharedMessage] = []
    /// The converter was configured at least once (its continuity counters then carry on).
    private var everConfigured = false
    private var streamHasVideo = false
    private var discontinuityPending = false
    private var failed = false
    private var publishGeneration = 0
    private let m3u8Path: String
    private var segmentTimestampMs: Int64 = 0
    private var segmentDiscontinuity = false
    /// Added to a publish's timestamps so that they continue the previous publish's: players
    /// that ignore #EXT-X-DISCONTINUITY (FFmpeg) still see monotonic time.
    private var timestampOffset: Int64 = 0
    private var lastTimestamp: Int64?
    private var rebasePending = false
    /// ATC (`LiveSource.isATC`): timestamps are not rebased after a republish.
    var keepsAbsoluteTime = false
    /// Called on the blocking lane after a segment and the playlist were written (on_hls).
    var segmentWritten: (@Sendable (HLSSegmentNotice) -> Void)?

    /// `lane`: where the stream's files are written (a muxer that a reload replaces hands its
    /// lane to the next one, so writes stay in order).
    init(config: HLSConfig, vhost: String, app: String, stream: String, lane: BlockingLane, contextId: @escaping () -> Int) {
        self.config = config
        self.vhost = vhost
        self.app = app
        self.stream = stream
        self.contextId = contextId
        self.lane = lane
        segmenter = HLSSegmenter(fragment: config.fragment, audioOverflowRatio: config.audioOverflowRatio, waitKeyframe: config.waitKeyframe)
        playlist = HLSPlaylist(window: config.window, minimumTargetDuration: config.fragment * config.targetDurationRatio)
        var template = PathTemplate()
        template.vhost = vhost
        template.app = app
        template.stream = stream
        m3u8Path = Self.join(config.path, template.render(config.m3u8File))
    }

    static func join(_ root: String, _ relative: String) -> String {
        root.hasSuffix("/") ? root + relative : root + "/" + relative
    }

    // MARK: Publish lifecycle

    /// A publisher started: a fresh muxer state, and a discontinuity if segments exist.
    func onPublish() {
        publishGeneration += 1
        configured = false
        planner = TSTrackPlanner(waitLimitMs: AppTuning.announcedTrackWaitMs)
        held.removeAll()
        failed = false
        segmenter.reset()
        segmentBytes.removeAll()
        discontinuityPending = !playlist.segments.isEmpty
        rebasePending = lastTimestamp != nil
    }

    /// The publisher left (or the muxer is replaced): close the current segment.
    func onUnpublish() {
        if configured && !segmentBytes.isEmpty && segmenter.currentDuration > 0 {
            converter.flushAudio(to: &segmentBytes)
            closeSegment(duration: segmenter.currentDuration)
        }
        segmenter.reset()
        segmentBytes.removeAll()
        held.removeAll()
        configured = false
    }

    /// hls_dispose: deletes every file of the stream (called when still unpublished).
    func dispose() {
        let removed = playlist.removeAll()
        let m3u8 = m3u8Path
        log.trace(contextId(), "HLS dispose \(m3u8) and \(removed.count) segments")
        lane.async {
            for segment in removed { try? FileManager.default.removeItem(atPath: segment.path) }
            try? FileManager.default.removeItem(atPath: m3u8)
        }
    }

    var generation: Int { publishGeneration }

    // MARK: Media

    func onMessage(_ message: SharedMessage, headers: MessageRing.Headers) {
        guard !failed else { return }
        if message.isSequenceHeader || message.kind == .data {
            _ = converter.convert(message, timestamp: message.timestamp)  // keeps the codec configs
            return
        }
        if message.kind == .video && config.videoCodec == "vn" { return }
        if message.kind == .audio && config.audioCodec == "an" { return }
        if !configured {
            held.append(message)
            guard let plan = plan(for: message, headers: headers) else { return }
            // Keep the converter (continuity counters run on across segments and publishes)
            // unless the elementary streams changed.
            if converter.hasVideo != plan.hasVideo || converter.audioCodec != plan.audio || !everConfigured {
                converter.configure(hasVideo: plan.hasVideo, audio: plan.audio)
                everConfigured = true
            }
            streamHasVideo = plan.hasVideo
            configured = true
            let waiting = held
            held = []
            for message in waiting { place(message) }
            return
        }
        place(message)
    }

    /// The tracks, once every announced one is known (or the wait is over); nil: hold on.
    private func plan(for message: SharedMessage, headers: MessageRing.Headers) -> TSTrackPlanner.Plan? {
        let hasVideo = headers.videoSequenceHeader != nil && config.videoCodec != "vn"
        let hasAAC = headers.audioSequenceHeader != nil && config.audioCodec != "an"
        var metadata = headers.metadata.flatMap { StreamMetadata(payload: $0.payload) }
        if config.videoCodec == "vn" { metadata?.hasVideo = false }
        if config.audioCodec == "an" { metadata?.hasAudio = false }
        var plan = planner.plan(for: message, hasVideoHeader: hasVideo, hasAudioHeader: hasAAC, metadata: metadata)
        if plan == nil && held.count >= AppTuning.announcedTrackWaitMaxMessages {
            plan = TSTrackPlanner.Plan(hasVideo: hasVideo, audio: hasAAC ? .aac : nil)
        }
        guard var plan else { return nil }
        if config.audioCodec == "an" { plan.audio = nil }
        if plan.audio == nil && config.audioCodec == "mp3" { plan.audio = .mp3 }
        if plan.audio == nil && !plan.hasVideo && config.audioCodec != "an" { plan.audio = .aac }
        if plan.audio == nil || !plan.hasVideo {
            log.trace(contextId(), "HLS \(vhost)/\(app)/\(stream): segments carry \(plan.hasVideo ? "video" : "no video") and \(plan.audio.map { "\($0)" } ?? "no audio")")
        }
        return plan
    }

    /// Places one media message in the segments.
    private func place(_ message: SharedMessage) {
        if rebasePending, let last = lastTimestamp {
            // ATC: the publisher's absolute times are kept, across publishes too.
            timestampOffset = keepsAbsoluteTime ? 0 : last + AppTuning.hlsRepublishGapMs - message.timestamp
            rebasePending = false
        }
        let timestamp = message.timestamp + timestampOffset
        let isVideo = message.kind == .video
        let decision = segmenter.place(
            timestamp: timestamp, isVideo: isVideo, isKeyframe: message.isKeyframe, streamHasVideo: streamHasVideo)
        switch decision {
        case .skip:
            return
        case .start:
            openSegment()
        case .append:
            break
        case .cut(let duration):
            converter.flushAudio(to: &segmentBytes)
            closeSegment(duration: duration)
            openSegment()
        }
        lastTimestamp = max(lastTimestamp ?? timestamp, timestamp)
        converter.convert(message, timestamp: timestamp, to: &segmentBytes)
    }


    private func openSegment() {
        segmentBytes = converter.tables()
        // Room for a segment like the last one: the bytes are copied once, not at each doubling.
        segmentBytes.reserveCapacity(lastSegmentSize + lastSegmentSize / 8)
        segmentTimestampMs = Int64(Date().timeIntervalSince1970 * 1000)
        segmentDiscontinuity = discontinuityPending
        discontinuityPending = false
    }

    private func closeSegment(duration: Double) {
        let sequence = nextSequence
        nextSequence += 1
        var template = PathTemplate()
        template.vhost = vhost
        template.app = app
        template.stream = stream
        template.sequence = sequence
        template.setTime(milliseconds: segmentTimestampMs)
        let fragmentMs = Int64(config.fragment * 1000)
        if config.tsFloor { template.timestampMs = segmentTimestampMs / max(1, fragmentMs) }
        let relative = template.render(config.tsFile)
        let path = Self.join(config.path, relative)
        let uri: String
        if config.entryPrefix.isEmpty {
            uri = Self.relativePath(of: path, from: (m3u8Path as NSString).deletingLastPathComponent)
        } else {
            uri = (config.entryPrefix.hasSuffix("/") ? config.entryPrefix : config.entryPrefix + "/") + relative
        }
        let entry = HLSSegmentEntry(sequence: sequence, duration: duration, uri: uri, path: path, discontinuity: segmentDiscontinuity)
        let removed = playlist.append(entry)
        let text = playlist.render()
        let bytes = segmentBytes
        segmentBytes = []
        lastSegmentSize = bytes.count
        let m3u8 = m3u8Path
        let cleanup = config.cleanup
        let cid = contextId()
        log.info(cid, "HLS segment \(sequence) \(String(format: "%.3f", duration))s \(bytes.count) bytes -> \(path)")
        let failure = failureReported
        let notify = segmentWritten
        let m3u8URL = Self.relativePath(of: m3u8, from: config.path.hasSuffix("/") ? String(config.path.dropLast()) : config.path)
        let notice = HLSSegmentNotice(sequence: sequence, duration: duration, file: path, url: relative, m3u8: m3u8, m3u8URL: m3u8URL)
        lane.async {
            do {
                try Self.writeAtomically(bytes, to: path)
                try Self.writeAtomically(Array(text.utf8), to: m3u8)
                notify?(notice)
                if cleanup {
                    for segment in removed { try? FileManager.default.removeItem(atPath: segment.path) }
                }
            } catch {
                log.error(cid, "HLS write failed: \(error)")
                failure.set(true)
            }
        }
    }

    private let failureReported = AtomicFlag()

    /// Checks (on the loop) whether a write failed and applies hls_on_error; true when the
    /// publisher must be disconnected.
    func applyErrorPolicy() -> Bool {
        guard failureReported.get() else { return false }
        failureReported.set(false)
        switch config.onError {
        case .continue:
            return false
        case .ignore:
            failed = true
            log.warn(contextId(), "hls_on_error ignore: HLS stops for this publish")
            return false
        case .disconnect:
            failed = true
            log.warn(contextId(), "hls_on_error disconnect: dropping the publisher")
            return true
        }
    }

    /// Writes `bytes` to `path` through `path.tmp` and a rename, creating the folders only
    /// when the first open finds them missing. Plain open/write/rename: Foundation's
    /// `createFile` made a temporary file of its own as well, and `createDirectory` looked up
    /// every folder of the path for each file; with 200 HLS streams the filesystem's file
    /// creation and lookups were most of the server's CPU (docs/performance.md).
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".tmp"
        var fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 && errno == ENOENT {
            let directory = (path as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        }
        guard fd >= 0 else { throw ServerError("write \(temporary)", String(cString: strerror(errno))) }
        var written = 0
        let failure: Int32? = bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let n = write(fd, buffer.baseAddress! + written, buffer.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                written += n
            }
            return nil
        }
        close(fd)
        if let failure {
            unlink(temporary)
            throw ServerError("write \(temporary)", String(cString: strerror(failure)))
        }
        if rename(temporary, path) != 0 {
            throw ServerError("rename \(temporary) to \(path)", String(cString: strerror(errno)))
        }
    }

    /// `path` relative to `directory` when inside it, else absolute.
    static func relativePath(of path: String, from directory: String) -> String {
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }

}

/// An atomic boolean usable from a lane and a loop.
final class AtomicFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func get() -> Bool { value.load(ordering: .acquiring) }
    func set(_ newValue: Bool) { value.store(newValue, ordering: .releasing) }
}

/// A written HLS segment, for on_hls.
struct HLSSegmentNotice: Sendable {
    var sequence: Int
    var duration: Double
    /// Path of the .ts file.
    var file: String
    /// The segment's path under hls_path (SRS's `url`).
    var url: String
    /// Path of the playlist.
    var m3u8: String
    /// The playlist's path under hls_path.
    var m3u8URL: String
}
