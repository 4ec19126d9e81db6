import SRSIO
import SRSKernel

/// HTTP `.ts` live framing: tables first, then TS packets per message. The tables wait for
/// every track the publisher announced (`TSTrackPlanner`), holding the media meanwhile.
final class TSFramer: MediaFramer {
    private let converter = FLVToTSConverter()
    private var configured = false
    private let source: LiveSource
    private var planner = TSTrackPlanner(waitLimitMs: AppTuning.announcedTrackWaitMs)
    /// Media held (with corrected timestamps) while the planner waits.
    private var held: [(message: SharedMessage, timestamp: Int64)] = []

    init(source: LiveSource) { self.source = source }

    func pieces(for batch: [SharedMessage], jitter: inout TimestampJitter) -> [OutboundPiece] {
        var bytes: [UInt8] = []
        for message in batch {
            let timestamp = jitter.correct(message.timestamp, kind: message.kind)
            if !configured && !message.isSequenceHeader && message.kind != .data {
                held.append((message, timestamp))
                let headers = source.ring.headers
                let hasVideo = headers.videoSequenceHeader != nil
                let hasAAC = headers.audioSequenceHeader != nil
                var plan = planner.plan(for: message, hasVideoHeader: hasVideo, hasAudioHeader: hasAAC,
                                        metadata: headers.metadata.flatMap { StreamMetadata(payload: $0.payload) })
                if plan == nil && held.count >= AppTuning.announcedTrackWaitMaxMessages {
                    plan = TSTrackPlanner.Plan(hasVideo: hasVideo, audio: hasAAC ? .aac : nil)
                }
                guard let plan else { continue }
                converter.configure(hasVideo: plan.hasVideo, audio: plan.audio)
                bytes += converter.tables()
                configured = true
                for (waiting, at) in held { converter.convert(waiting, timestamp: at, to: &bytes) }
                held = []
                continue
            }
            if message.isSequenceHeader || configured {
                converter.convert(message, timestamp: timestamp, to: &bytes)
            }
        }
        guard !bytes.isEmpty else { return [] }
        return [ByteStore(bytes).piece]
    }
}
