import SRSIO
import SRSKernel

/// Raw audio over HTTP (`.aac` and `.mp3` mounts): AAC frames each behind a 7-byte ADTS header
/// made from the stream's AudioSpecificConfig; MP3 frames as they are. Video and data are
/// dropped, so a player of an A/V stream hears its audio only.
final class AudioFramer: MediaFramer {
    enum Codec { case aac, mp3 }

    let codec: Codec
    private var config: AACAudioSpecificConfig?
    private var scratch: [UInt8] = []

    init(codec: Codec) { self.codec = codec }

    func pieces(for batch: [SharedMessage], jitter: inout TimestampJitter) -> [OutboundPiece] {
        scratch.removeAll(keepingCapacity: true)
        // (scratch range, payload message, payload offset)
        var layout: [(Range<Int>, SharedMessage, Int)] = []
        for message in batch where message.kind == .audio && message.size > 2 {
            _ = jitter.correct(message.timestamp, kind: message.kind)
            switch codec {
            case .aac:
                guard CodecInfo.audioCodec(message.payload) == .aac else { continue }
                if message.isSequenceHeader {
                    config = try? AACAudioSpecificConfig.fromFLVAudioTag(message.payload)
                    continue
                }
                guard let config, let header = try? config.adtsHeader(frameLength: message.size - 2) else { continue }
                let start = scratch.count
                scratch += header
                layout.append((start..<scratch.count, message, 2))
            case .mp3:
                guard CodecInfo.audioCodec(message.payload) == .mp3 else { continue }
                layout.append((scratch.count..<scratch.count, message, 1))
            }
        }
        let store = ByteStore(scratch)
        var pieces: [OutboundPiece] = []
        for (range, message, offset) in layout {
            if !range.isEmpty {
                pieces.append(OutboundPiece(base: UnsafeRawPointer(store.pointer) + range.lowerBound, count: range.count, owner: store))
            }
            if let base = message.payload.baseAddress {
                pieces.append(OutboundPiece(base: base + offset, count: message.size - offset, owner: nil))
            }
        }
        return pieces
    }
}
