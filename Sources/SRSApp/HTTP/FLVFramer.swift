import SRSIO
import SRSKernel

/// HTTP-FLV framing: the FLV file header once, then each message as an FLV tag. Tag headers
/// and PreviousTagSize fields of neighbouring tags share one scratch piece, so a batch costs
/// about two iovecs per message.
final class FLVFramer: MediaFramer {
    private var fileHeaderSent = false
    private var scratch: [UInt8] = []
    let hasAudio: Bool
    let hasVideo: Bool

    init(hasAudio: Bool = true, hasVideo: Bool = true) {
        self.hasAudio = hasAudio
        self.hasVideo = hasVideo
    }

    func pieces(for batch: [SharedMessage], jitter: inout TimestampJitter) -> [OutboundPiece] {
        // A player's first batch (a GOP) needs kilobytes of headers, later ones a few hundred
        // bytes: 10,000 players keep only what steady batches need.
        scratch.removeAll(keepingCapacity: scratch.capacity <= AppTuning.framerScratchKeptBytes)
        scratch.reserveCapacity(batch.count * (FLV.tagHeaderSize + FLV.previousTagSizeSize) + 13)
        if !fileHeaderSent {
            scratch += FLV.fileHeader(hasAudio: hasAudio, hasVideo: hasVideo)
            fileHeaderSent = true
        }
        // (scratch end before payload i)
        var cuts: [Int] = []
        cuts.reserveCapacity(batch.count + 1)
        for message in batch {
            let timestamp = jitter.correct(message.timestamp, kind: message.kind)
            FLV.appendTagHeader(to: &scratch, type: message.kind.rawValue, dataSize: message.size, timestamp: timestamp)
            cuts.append(scratch.count)
            FLV.appendUInt32(to: &scratch, UInt32(FLV.tagHeaderSize + message.size))
        }
        let store = ByteStore(scratch)
        let base = UnsafeRawPointer(store.pointer)
        var pieces: [OutboundPiece] = []
        pieces.reserveCapacity(batch.count * 2 + 1)
        var start = 0
        for (index, message) in batch.enumerated() {
            pieces.append(OutboundPiece(base: base + start, count: cuts[index] - start, owner: store))
            if let payload = message.payload.baseAddress, message.size > 0 {
                pieces.append(OutboundPiece(base: payload, count: message.size, owner: nil))
            }
            start = cuts[index]
        }
        pieces.append(OutboundPiece(base: base + start, count: scratch.count - start, owner: store))
        return pieces
    }
}
