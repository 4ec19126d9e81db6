/// Takes AAC frames out of RTP (RFC 3640 `mpeg4-generic`, AAC-hbr and AAC-lbr): the
/// AU-headers section (16-bit length in bits, then per access unit its size and index
/// fields), then the frames. A frame split over several packets (one AU header, a size
/// larger than the packet) is gathered until complete. Frame i of a packet is at the
/// packet's timestamp + i × 1024 samples. Lost packets drop the frame being gathered.
public struct AACRTPDepacketizer: Sendable {
    /// One raw AAC frame and its RTP timestamp.
    public struct Frame: Sendable, Equatable {
        public var data: [UInt8]
        public var timestamp: UInt32

        public init(data: [UInt8], timestamp: UInt32) {
            self.data = data
            self.timestamp = timestamp
        }
    }

    /// A frame larger than this is refused (AAC frames are at most 6144 bits per channel).
    public static let maxFrameBytes = 65536
    public static let samplesPerFrame: UInt32 = 1024

    private let sizeLength: Int
    private let indexLength: Int
    private let indexDeltaLength: Int
    private var partial: (data: [UInt8], size: Int, timestamp: UInt32)?
    private var lastSequence: UInt16?
    /// Frames dropped: lost, malformed or oversized.
    public private(set) var droppedFrames = 0

    /// The AU header layout of the SDP's fmtp (`sizelength`, `indexlength`,
    /// `indexdeltalength`); AAC-hbr's 13/3/3 by default.
    public init(sizeLength: Int = 13, indexLength: Int = 3, indexDeltaLength: Int = 3) {
        self.sizeLength = min(max(sizeLength, 1), 32)
        self.indexLength = min(max(indexLength, 0), 32)
        self.indexDeltaLength = min(max(indexDeltaLength, 0), 32)
    }

    /// Takes the next packet; returns the frames it completes.
    public mutating func feed(_ packet: RTPPacket) -> [Frame] {
        if let last = lastSequence {
            let delta = Int(Int16(bitPattern: packet.sequenceNumber &- last))
            if delta <= 0 && delta > -RTPSequence.resyncDistance { return [] }  // late or repeated
            if delta != 1, partial != nil {
                partial = nil
                droppedFrames += 1
            }
        }
        lastSequence = packet.sequenceNumber
        let payload = Array(packet.payload)
        guard payload.count >= 2 else {
            droppedFrames += 1
            return []
        }
        let headersBits = Int(payload[0]) << 8 | Int(payload[1])
        let headersBytes = (headersBits + 7) / 8
        guard 2 + headersBytes <= payload.count else {
            droppedFrames += 1
            return []
        }
        var sizes: [Int] = []
        var bits = BitCursor(bytes: payload, start: 2)
        var used = 0
        while used + sizeLength <= headersBits {
            sizes.append(bits.read(sizeLength))
            let index = sizes.count == 1 ? indexLength : indexDeltaLength
            _ = bits.read(index)
            used += sizeLength + index
        }
        var offset = 2 + headersBytes
        var out: [Frame] = []
        if sizes.count == 1, let size = sizes.first, size > payload.count - offset {
            // A fragment of one large frame.
            guard size <= Self.maxFrameBytes else {
                droppedFrames += 1
                partial = nil
                return []
            }
            if var current = partial, current.size == size, current.timestamp == packet.timestamp {
                current.data += payload[offset...]
                partial = current
            } else {
                if partial != nil { droppedFrames += 1 }
                partial = (Array(payload[offset...]), size, packet.timestamp)
            }
            if let current = partial, current.data.count >= current.size {
                out.append(Frame(data: Array(current.data.prefix(current.size)), timestamp: current.timestamp))
                partial = nil
            }
            return out
        }
        if partial != nil {
            droppedFrames += 1
            partial = nil
        }
        for (index, size) in sizes.enumerated() {
            guard size > 0, offset + size <= payload.count else {
                droppedFrames += sizes.count - index
                break
            }
            out.append(Frame(data: Array(payload[offset..<(offset + size)]), timestamp: packet.timestamp &+ UInt32(index) &* Self.samplesPerFrame))
            offset += size
        }
        return out
    }
}

/// Reads big-endian bit fields; past the end it reads zeros.
struct BitCursor {
    let bytes: [UInt8]
    var bit: Int

    init(bytes: [UInt8], start: Int) {
        self.bytes = bytes
        bit = start * 8
    }

    mutating func read(_ count: Int) -> Int {
        var value = 0
        for _ in 0..<count {
            let byte = bit / 8
            let set = byte < bytes.count && bytes[byte] & (0x80 >> UInt8(bit % 8)) != 0
            value = value << 1 | (set ? 1 : 0)
            bit += 1
        }
        return value
    }
}
