import SRSKernel
import SRSIO
import Synchronization

/// Counters of one live stream, readable from any thread (API, metrics, logs).
final class StreamStatistics: Sendable {
    let createdAt = MonotonicClock.milliseconds()
    private let bytesIn = Atomic<UInt64>(0)
    private let bytesOut = Atomic<UInt64>(0)
    private let videoFrames = Atomic<UInt64>(0)
    private let audioFrames = Atomic<UInt64>(0)
    private let droppedMessages = Atomic<UInt64>(0)
    private let rates = LockedValue(ByteRateSampler())
    private let codecs = LockedValue(StreamCodecs())

    /// Counts one publisher batch (three atomic adds per batch, not per message).
    func recordReceived(bytes: Int, videoFrames video: Int, audioFrames audio: Int) {
        bytesIn.add(UInt64(bytes), ordering: .relaxed)
        if video > 0 { videoFrames.add(UInt64(video), ordering: .relaxed) }
        if audio > 0 { audioFrames.add(UInt64(audio), ordering: .relaxed) }
    }

    func recordSent(bytes: Int) { bytesOut.add(UInt64(bytes), ordering: .relaxed) }
    func recordDropped(_ count: Int) { droppedMessages.add(UInt64(count), ordering: .relaxed) }

    var received: UInt64 { bytesIn.load(ordering: .relaxed) }
    var sent: UInt64 { bytesOut.load(ordering: .relaxed) }
    var frames: UInt64 { videoFrames.load(ordering: .relaxed) }
    var audioFrameCount: UInt64 { audioFrames.load(ordering: .relaxed) }
    var dropped: UInt64 { droppedMessages.load(ordering: .relaxed) }

    func sample(now: Int64) {
        let received = self.received
        let sent = self.sent
        rates.withLock { $0.sample(now: now, received: received, sent: sent) }
    }

    var kbps: (received: Int, sent: Int) { rates.withLock { $0.kbps } }

    var codecInfo: StreamCodecs { codecs.withLock { $0 } }
    func updateCodecs(_ update: (inout StreamCodecs) -> Void) { codecs.withLock { update(&$0) } }
}

/// What the sequence headers say about a stream's codecs (for the API).
struct StreamCodecs: Sendable {
    struct Video: Sendable {
        var codec = "H264"
        var profile = ""
        var level = ""
        var width = 0
        var height = 0
    }

    struct Audio: Sendable {
        var codec = "AAC"
        var sampleRate = 0
        var channels = 0
        var profile = ""
    }

    var video: Video?
    var audio: Audio?
}
