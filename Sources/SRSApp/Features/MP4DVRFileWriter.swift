import SRSKernel

/// A DVR file in fragmented MP4 (`FragmentedMP4Muxer`): the `moov` (without samples) once
/// every announced track's format is known, then a fragment per GOP, written as it completes,
/// so a file cut short by a crash plays up to its last fragment; on close the last fragment is
/// written and the movie's duration patched into `mvhd` and `mehd`. Timestamps are corrected
/// as for FLV (`time_jitter`). Every publish begins a new file (SRS 3+ has no append plan;
/// `append` with an `.mp4` path records a file per publish).
final class MP4DVRFileWriter: DVRFileWriter, @unchecked Sendable {
    private let file: RecordingFile
    private var jitter: TimestampJitter
    /// The file begins with its initialization part, so its duration offsets are file offsets.
    private var muxer = FragmentedMP4Muxer(expectsVideo: true, expectsAudio: true)

    var path: String { file.path }
    var failure: ContextError? { file.failure }

    init(path: String, jitter: JitterMode) {
        file = RecordingFile(path: path, inPlace: false)
        self.jitter = TimestampJitter(mode: jitter)
    }

    func open(metadata: [UInt8]?, sequenceHeaders: [SharedMessage], hasAudio: Bool, hasVideo: Bool) {
        file.open(continuing: false)
        muxer = FragmentedMP4Muxer(expectsVideo: hasVideo, expectsAudio: hasAudio, waitForTracksMs: AppTuning.announcedTrackWaitMs)
        write(sequenceHeaders)
    }

    func write(_ messages: [SharedMessage]) {
        guard failure == nil, file.isOpen else { return }
        var bytes: [UInt8] = []
        for message in messages where message.kind != .data {
            let timestamp = jitter.correct(message.timestamp, kind: message.kind)
            bytes += muxer.append(kind: message.kind, timestamp: timestamp, payload: message.payload)
        }
        file.write(bytes)
    }

    func close() -> String? {
        guard file.isOpen else { return nil }
        file.write(muxer.finish())
        if muxer.isInitialized {
            let duration = UInt32(clamping: muxer.durationMs)
            let bytes = [UInt8(truncatingIfNeeded: duration >> 24), UInt8(truncatingIfNeeded: duration >> 16),
                         UInt8(truncatingIfNeeded: duration >> 8), UInt8(truncatingIfNeeded: duration)]
            for offset in muxer.durationOffsets { file.patch(bytes, at: Int64(offset)) }
        }
        return file.close()
    }

}
