import SRSKernel

/// A DVR file in FLV: timestamps corrected here (`time_jitter`, and continued after what an
/// appended file already holds), tags encoded and written; on close the header's audio/video
/// flags and onMetaData's duration and filesize are patched in place.
final class FLVDVRFileWriter: DVRFileWriter, @unchecked Sendable {
    private let file: RecordingFile
    private let append: Bool
    private var jitter: TimestampJitter
    /// Added to corrected timestamps: an appended file continues after its last tag.
    private var base: Int64 = 0
    private var firstTimestamp: Int64?
    private var lastTimestamp: Int64 = 0
    private var patchable = true
    private var wroteAudio = false
    private var wroteVideo = false

    var path: String { file.path }
    var failure: ContextError? { file.failure }

    init(path: String, append: Bool, jitter: JitterMode) {
        file = RecordingFile(path: path, inPlace: append)
        self.append = append
        self.jitter = TimestampJitter(mode: jitter)
    }

    /// A new file begins with the header and metadata; an existing one (append) is continued
    /// after its last tag.
    func open(metadata: [UInt8]?, sequenceHeaders: [SharedMessage], hasAudio: Bool, hasVideo: Bool) {
        if file.open(continuing: append) {
            patchable = FLVRecording.isPatchable(file.read(at: 0, count: FLVRecording.patchablePrefixSize))
            let tailSize = Int(min(file.size, 1 << 20))
            if let last = FLVRecording.lastTimestamp(tail: file.read(at: file.size - Int64(tailSize), count: tailSize)) {
                base = last + AppTuning.hlsRepublishGapMs
            }
            lastTimestamp = base
        } else {
            file.write(FLVRecording.start(metadata: metadata, hasAudio: hasAudio, hasVideo: hasVideo))
        }
        write(sequenceHeaders)
    }

    func write(_ messages: [SharedMessage]) {
        guard failure == nil, file.isOpen else { return }
        var bytes: [UInt8] = []
        for message in messages {
            let timestamp = base + jitter.correct(message.timestamp, kind: message.kind)
            if message.kind == .audio { wroteAudio = true }
            if message.kind == .video { wroteVideo = true }
            if message.kind != .data {
                if firstTimestamp == nil { firstTimestamp = timestamp }
                lastTimestamp = max(lastTimestamp, timestamp)
            }
            bytes += FLVRecording.tag(type: message.kind.rawValue, timestamp: timestamp, payload: message.payload)
        }
        file.write(bytes)
    }

    func close() -> String? {
        guard file.isOpen else { return nil }
        if patchable {
            let seconds = Double(lastTimestamp - (append ? 0 : firstTimestamp ?? 0)) / 1000
            file.patch(FLVRecording.double(max(0, seconds)), at: Int64(FLVRecording.durationOffset))
            file.patch(FLVRecording.double(Double(file.size)), at: Int64(FLVRecording.filesizeOffset))
        }
        if !append { file.patch([FLVRecording.flags(hasAudio: wroteAudio, hasVideo: wroteVideo)], at: Int64(FLVRecording.flagsOffset)) }
        return file.close()
    }
}
