import SRSIO
import SRSKernel

/// HTTP-FLV framing: the FLV file header once, then each message as an FLV tag. Tag headers,
/// PreviousTagSize fields and small payloads (`AppTuning.playerCopiedChunkBytes`) are written
/// in place, larger payloads borrowed (`BatchPieces`).
final class FLVFramer: MediaFramer {
    private var fileHeaderSent = false
    let hasAudio: Bool
    let hasVideo: Bool

    init(hasAudio: Bool = true, hasVideo: Bool = true) {
        self.hasAudio = hasAudio
        self.hasVideo = hasVideo
    }

    func pieces(for batch: [SharedMessage], jitter: inout TimestampJitter) -> [OutboundPiece] {
        let copyLimit = AppTuning.playerCopiedChunkBytes
        let fileHeader = fileHeaderSent ? [] : FLV.fileHeader(hasAudio: hasAudio, hasVideo: hasVideo)
        fileHeaderSent = true
        var storeRoom = fileHeader.count
        var borrowed = 0
        for message in batch {
            storeRoom += FLV.tagHeaderSize + FLV.previousTagSizeSize
            if message.size <= copyLimit { storeRoom += message.size } else { borrowed += 1 }
        }
        var pieces = BatchPieces(storeRoom: storeRoom, borrowed: borrowed)
        fileHeader.withUnsafeBytes { bytes in
            if let base = bytes.baseAddress { pieces.copy(base, count: bytes.count) }
        }
        for message in batch {
            let timestamp = jitter.correct(message.timestamp, kind: message.kind)
            pieces.advance(FLV.writeTagHeader(to: pieces.cursor, type: message.kind.rawValue, dataSize: message.size, timestamp: timestamp))
            if let payload = message.payload.baseAddress, message.size > 0 {
                if message.size <= copyLimit {
                    pieces.copy(payload, count: message.size)
                } else {
                    pieces.borrow(payload, count: message.size)
                }
            }
            pieces.cursor.storeBytes(of: UInt32(FLV.tagHeaderSize + message.size).bigEndian, as: UInt32.self)
            pieces.advance(FLV.previousTagSizeSize)
        }
        return pieces.finish()
    }
}
