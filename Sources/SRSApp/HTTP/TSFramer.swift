import SRSIO
import SRSKernel

/// HTTP `.ts` live framing: tables first, then TS packets per message.
final class TSFramer: MediaFramer {
    private let converter = FLVToTSConverter()
    private var configured = false
    private let source: LiveSource

    init(source: LiveSource) { self.source = source }

    func pieces(for batch: [SharedMessage], jitter: inout TimestampJitter) -> [OutboundPiece] {
        var bytes: [UInt8] = []
        for message in batch {
            let timestamp = jitter.correct(message.timestamp, kind: message.kind)
            if !configured && !message.isSequenceHeader && message.kind != .data {
                // The PMT is fixed from what the stream carries when media starts.
                let headers = source.ring.headers
                let audio: TSStreamType? = headers.audioSequenceHeader != nil ? .aac
                    : (message.kind == .audio && CodecInfo.audioCodec(message.payload) == .mp3 ? .mp3 : nil)
                let hasVideo = headers.videoSequenceHeader != nil
                converter.configure(hasVideo: hasVideo, audio: audio ?? (hasVideo ? nil : .aac))
                bytes += converter.tables()
                configured = true
            }
            if message.isSequenceHeader || configured {
                bytes += converter.convert(message, timestamp: timestamp)
            }
        }
        guard !bytes.isEmpty else { return [] }
        return [ByteStore(bytes).piece]
    }
}
