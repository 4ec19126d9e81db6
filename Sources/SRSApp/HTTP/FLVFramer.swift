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
        scratch.removeAll(keepingCapacity: true)
        if !fileHeaderSent {
            scratch += FLV.fileHeader(hasAudio: hasAudio, hasVideo: hasVideo)
            fileHeaderSent = true
        }
        // (scratch end before payload i)
        var cuts: [Int] = []
        cuts.reserveCapacity(batch.count + 1)
        for message in batch {
            let timestamp = jitter.correct(message.timestamp, kind: message.kind)
            scratch += FLV.tagHeader(type: message.kind.rawValue, dataSize: message.size, timestamp: timestamp)
            cuts.append(scratch.count)
            let tagSize = UInt32(FLV.tagHeaderSize + message.size)
            scratch += [UInt8(truncatingIfNeeded: tagSize >> 24), UInt8(truncatingIfNeeded: tagSize >> 16),
                        UInt8(truncatingIfNeeded: tagSize >> 8), UInt8(truncatingIfNeeded: tagSize)]
        }
        let store = ByteStore(scratch)
        let base = UnsafeRawPointer(store.pointer)
        var pieces: [OutboundPiece] = []
        pieces.reserveCapacity(batch.count * 2 + 1)
        var start = 0
        for (index, message) in batch.enumerated() {
            pieces.append(OutboundPiece(base: base + start, count: cuts[index] - start, owner: store))
            if let payload = message.payload.baseAddress, message.size > 0 {
                pieces.append(OutboundPiece(base: payload, count: message.size, owner: message))
            }
            start = cuts[index]
        }
        pieces.append(OutboundPiece(base: base + start, count: scratch.count - start, owner: store))
        return pieces
    }
}
