import SRSIO
import SRSKernel

/// HTTP-FLV framing: the FLV file header once, then each message as an FLV tag. Tag headers,
/// PreviousTagSize fields and small payloads (`AppTuning.playerCopiedChunkBytes`) are written
/// in place into one store per batch, so a steady batch is one contiguous piece; larger
/// payloads are borrowed from the shared messages (owner nil, `MediaFramer`).
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
        let store = ByteStore(uninitializedCount: storeRoom)
        var cursor = store.pointer
        var runStart = cursor
        var pieces: [OutboundPiece] = []
        pieces.reserveCapacity(borrowed * 2 + 1)
        var lastStorePiece = -1
        func closeRun() {
            guard cursor > runStart else { return }
            lastStorePiece = pieces.count
            pieces.append(OutboundPiece(base: runStart, count: cursor - runStart, owner: nil))
            runStart = cursor
        }
        fileHeader.withUnsafeBytes { bytes in
            if let base = bytes.baseAddress { cursor.copyMemory(from: base, byteCount: bytes.count) }
            cursor += bytes.count
        }
        for message in batch {
            let timestamp = jitter.correct(message.timestamp, kind: message.kind)
            cursor += FLV.writeTagHeader(to: cursor, type: message.kind.rawValue, dataSize: message.size, timestamp: timestamp)
            if let payload = message.payload.baseAddress, message.size > 0 {
                if message.size <= copyLimit {
                    cursor.copyMemory(from: payload, byteCount: message.size)
                    cursor += message.size
                } else {
                    closeRun()
                    pieces.append(OutboundPiece(base: payload, count: message.size, owner: nil))
                }
            }
            cursor.storeBytes(of: UInt32(FLV.tagHeaderSize + message.size).bigEndian, as: UInt32.self)
            cursor += FLV.previousTagSizeSize
        }
        closeRun()
        if lastStorePiece >= 0 { pieces[lastStorePiece].owner = store }
        return pieces
    }
}
