import Foundation
import SRSConfig
import SRSHLS
import SRSIO
import SRSKernel

/// DVR as a stream feature: records a client's publish to FLV or fragmented MP4 files
/// (`dvr_plan` session, segment or append), every file beginning with the metadata and sequence headers. The loop
/// only decides where files begin and end and hands messages over; a `DVRFileWriter` on the
/// stream's DVR lane (the blocking pool) corrects timestamps, encodes and writes, so a slow
/// disk never delays players. on_dvr is called after each closed file.
///
/// Failures (an unwritable path, a full disk) are logged once and end the recording of this
/// publish; the stream plays on (as `hls_on_error ignore`). At most
/// `AppTuning.dvrMaxPendingBytes` may wait for the disk: beyond that the file is closed as it
/// is (playable to its last tag) and recording stops for this publish. An edge's pull is not
/// recorded (its origin records). Confined to the stream's loop.
final class DVRFeature: StreamFeature, @unchecked Sendable {
    static func module(pool: BlockingPool, hooks: HookCaller) -> StreamFeatureModule {
        StreamFeatureModule(name: "dvr", isWanted: { $0.dvr.enabled }, make: { source, vhost in
            DVRFeature(source: source, vhost: vhost, pool: pool, hooks: hooks)
        })
    }

    private unowned let source: LiveSource
    private let hooks: HookCaller
    private let lane: BlockingLane
    private var vhost: VhostConfig
    private var config: DVRConfig { vhost.dvr }
    private var publisher: StreamPublisher?
    /// This publish is recorded (a client's, selected by `dvr_apply`, no failure yet).
    private var recording = false
    /// The file being written; it begins at the publish's first media message.
    private var writer: DVRFileWriter?
    /// Raw timestamp of the file's first media message (segment length).
    private var fileStart: Int64?
    /// An append plan's path, chosen at the first publish and kept.
    private var appendPath: String?
    private let pending = PendingBytes()

    init(source: LiveSource, vhost: VhostConfig, pool: BlockingPool, hooks: HookCaller) {
        self.source = source
        self.vhost = vhost
        self.hooks = hooks
        lane = pool.makeLane(label: "srs.dvr.\(source.key)")
    }

    func onPublish(_ publisher: StreamPublisher) {
        guard publisher.origin == .client, config.applies(app: source.app, stream: source.stream) else { return }
        self.publisher = publisher
        recording = true
    }

    /// A file begins at the first media message (after the metadata and sequence headers it
    /// starts with); `segment` cuts at the first keyframe (any message of a stream without
    /// video, or without `dvr_wait_keyframe`) once `dvr_duration` is reached.
    func onMessages(_ batch: [SharedMessage], headers: MessageRing.Headers) {
        guard recording else { return }
        var start = 0
        let hasVideo = headers.videoSequenceHeader != nil
        for (index, message) in batch.enumerated() where message.kind != .data && !message.isSequenceHeader {
            guard writer != nil, let first = fileStart else {
                openFile(headers: headers)
                fileStart = message.timestamp
                start = index
                continue
            }
            guard config.plan == .segment else { break }
            let long = Double(message.timestamp - first) >= config.durationSeconds * 1000
            let cut = !config.waitKeyframe || !hasVideo || (message.kind == .video && message.isKeyframe)
            if long && cut {
                hand(Array(batch[start..<index]))
                guard recording else { return }  // the bound was reached: recording stopped
                closeFile()
                openFile(headers: headers)
                fileStart = message.timestamp
                start = index
            }
        }
        if writer != nil && fileStart != nil { hand(start == 0 ? batch : Array(batch[start...])) }
    }

    func onUnpublish() {
        closeFile()
        recording = false
    }

    func apply(_ vhost: VhostConfig) -> Bool {
        guard vhost.dvr == config else {
            return false  // a new recorder, with a new file, for the new settings
        }
        self.vhost = vhost  // hooks may have changed
        return true
    }

    func stop() {
        closeFile()
        recording = false
    }

    func drainLane() -> BlockingLane? { lane }

    // MARK: Files

    /// Begins a file with the stream's metadata and sequence headers.
    private func openFile(headers cached: MessageRing.Headers) {
        let path: String
        if config.plan == .append && config.format == .flv, let kept = appendPath {
            path = kept
        } else {
            path = uniquePath(render(config.path))
            if config.plan == .append { appendPath = path }
        }
        let writer: DVRFileWriter = switch config.format {
        case .flv: FLVDVRFileWriter(path: path, append: config.plan == .append, jitter: jitterMode)
        case .mp4: MP4DVRFileWriter(path: path, jitter: jitterMode)
        }
        self.writer = writer
        fileStart = nil
        let metadata = cached.metadata.map { Array($0.payload) }
        let (hasAudio, hasVideo) = announcedTracks(cached)
        let sequenceHeaders = [cached.videoSequenceHeader, cached.audioSequenceHeader].compactMap { $0 }
        log.trace(publisher?.clientId ?? Server.serverContextId, "DVR \(source.key) to \(path) (plan \(config.plan.rawValue))")
        let source = self.source
        lane.async { [self] in
            writer.open(metadata: metadata, sequenceHeaders: sequenceHeaders, hasAudio: hasAudio, hasVideo: hasVideo)
            // An unwritable path is reported now, not when the file would close.
            if let failure = writer.failure { source.post { self.failed(failure, writer: writer) } }
        }
    }

    /// The current file cannot be written: logged once, and this publish is not recorded.
    private func failed(_ failure: ContextError, writer failing: DVRFileWriter) {
        guard writer === failing, recording else { return }
        log.error(publisher?.clientId ?? Server.serverContextId, "\(failure.wrapped("DVR \(source.key)")); recording stopped, the stream plays on")
        writer = nil
        fileStart = nil
        recording = false
        lane.async { _ = failing.close() }
    }

    /// Hands messages to the lane, within the bound of what may wait for the disk.
    private func hand(_ messages: [SharedMessage]) {
        guard let writer, !messages.isEmpty else { return }
        let bytes = messages.reduce(0) { $0 + $1.size }
        guard pending.add(bytes) <= AppTuning.dvrMaxPendingBytes else {
            pending.add(-bytes)
            log.error(publisher?.clientId ?? Server.serverContextId,
                      "DVR \(source.key): more than \(AppTuning.dvrMaxPendingBytes) bytes wait for the disk; closing \(writer.path) and stopping the recording of this publish")
            closeFile()
            recording = false
            return
        }
        let pending = self.pending
        lane.async {
            writer.write(messages)
            pending.add(-bytes)
        }
    }

    /// Closes the current file on the lane; on_dvr follows on the loop.
    private func closeFile() {
        guard let writer else { return }
        self.writer = nil
        fileStart = nil
        // The lane's job keeps the feature (and its stream) until on_dvr is sent, even when a
        // reload removed the feature or the stream retired meanwhile.
        let source = self.source
        lane.async { [self] in
            let closed = writer.close()
            let failure = writer.failure
            source.post { self.closed(path: closed, failure: failure) }
        }
    }

    private func closed(path: String?, failure: ContextError?) {
        let contextId = publisher?.clientId ?? Server.serverContextId
        if let failure {
            log.error(contextId, "\(failure.wrapped("DVR \(source.key)")); recording stopped, the stream plays on")
            if recording {
                closeFile()
                recording = false
            }
            return
        }
        guard let path else { return }
        log.trace(contextId, "DVR \(source.key) closed \(path)")
        guard let announced = publisher ?? source.lastPublisher.withLock({ $0 }), !vhost.hooks.urls(for: .onDvr).isEmpty else { return }
        hooks.notify(.onDvr, hooks: vhost.hooks, body: HookBody.dvr(announced, file: path), contextId: announced.clientId, loop: source.loop)
    }

    /// The tracks a file should have: those with sequence headers, and those the metadata
    /// names (`audiocodecid`/`videocodecid`: MP3 has no sequence header).
    private func announcedTracks(_ cached: MessageRing.Headers) -> (audio: Bool, video: Bool) {
        let names = cached.metadata.flatMap { StreamMetadata(payload: $0.payload) }
        return (cached.audioSequenceHeader != nil || names?.hasAudio == true, cached.videoSequenceHeader != nil || names?.hasVideo == true)
    }

    /// Two files begun within one millisecond (or a template without time parts) would share
    /// a name: the later ones get `-1`, `-2`, ... before the extension.
    private func uniquePath(_ rendered: String) -> String {
        if rendered == lastRendered {
            repeats += 1
        } else {
            lastRendered = rendered
            repeats = 0
        }
        return repeats == 0 ? rendered : "\(rendered.dropLast(4))-\(repeats)\(rendered.suffix(4))"
    }
    private var lastRendered = ""
    private var repeats = 0

    private var jitterMode: JitterMode { JitterMode(rawValue: config.timeJitter.rawValue) ?? .full }

    private func render(_ template: String) -> String {
        var path = PathTemplate()
        path.vhost = source.vhost
        path.app = source.app
        path.stream = source.stream
        path.setTime(milliseconds: Int64(Date().timeIntervalSince1970 * 1000))
        return path.render(template)
    }
}

/// Bytes handed to a DVR lane and not written yet (the loop adds, the lane subtracts).
private final class PendingBytes: Sendable {
    private let value = LockedValue(0)

    /// Adds `delta` and returns the new total.
    @discardableResult
    func add(_ delta: Int) -> Int { value.withLock { $0 += delta; return $0 } }
}

