import SRSKernel

/// Splits RTMP messages into chunks. Every message starts with a fmt 0 header (as SRS does:
/// robust with every client and costs 11 bytes per message) and continues with fmt 3 headers;
/// timestamps at or above 0xFFFFFF use the extended field, repeated on each fmt 3 chunk as
/// librtmp, FFmpeg and Flash expect.
public struct ChunkEncoder: Sendable {
    /// Our chunk size, announced to the peer with Set Chunk Size.
    public var chunkSize: Int

    public init(chunkSize: Int = 128) { self.chunkSize = chunkSize }

    /// Appends a basic header with `fmt` for chunk stream `csid`.
    @inline(__always)
    static func writeBasicHeader(into out: inout [UInt8], fmt: UInt8, csid: UInt32) {
        if csid < 64 {
            out.append(fmt << 6 | UInt8(csid))
        } else if csid < 320 {
            out.append(fmt << 6)
            out.append(UInt8(csid - 64))
        } else {
            let value = csid - 64
            out.append(fmt << 6 | 1)
            out.append(UInt8(truncatingIfNeeded: value))
            out.append(UInt8(truncatingIfNeeded: value >> 8))
        }
    }

    /// Appends the fmt 0 header that starts a message.
    @inline(__always)
    public static func writeMessageHeader(
        into out: inout [UInt8], csid: UInt32, timestamp: Int64, length: Int, typeId: UInt8, streamId: UInt32
    ) {
        let ts = UInt32(truncatingIfNeeded: timestamp)
        let extended = ts >= 0xFF_FFFF
        let field = extended ? 0xFF_FFFF : ts
        writeBasicHeader(into: &out, fmt: 0, csid: csid)
        out.append(UInt8(truncatingIfNeeded: field >> 16))
        out.append(UInt8(truncatingIfNeeded: field >> 8))
        out.append(UInt8(truncatingIfNeeded: field))
        out.append(UInt8(truncatingIfNeeded: length >> 16))
        out.append(UInt8(truncatingIfNeeded: length >> 8))
        out.append(UInt8(truncatingIfNeeded: length))
        out.append(typeId)
        out.append(UInt8(truncatingIfNeeded: streamId))
        out.append(UInt8(truncatingIfNeeded: streamId >> 8))
        out.append(UInt8(truncatingIfNeeded: streamId >> 16))
        out.append(UInt8(truncatingIfNeeded: streamId >> 24))
        if extended { appendUInt32(&out, ts) }
    }

    /// Appends the fmt 3 header of a continuation chunk.
    @inline(__always)
    public static func writeContinuationHeader(into out: inout [UInt8], csid: UInt32, timestamp: Int64) {
        writeBasicHeader(into: &out, fmt: 3, csid: csid)
        let ts = UInt32(truncatingIfNeeded: timestamp)
        if ts >= 0xFF_FFFF { appendUInt32(&out, ts) }
    }

    @inline(__always)
    static func appendUInt32(_ out: inout [UInt8], _ value: UInt32) {
        out.append(UInt8(truncatingIfNeeded: value >> 24))
        out.append(UInt8(truncatingIfNeeded: value >> 16))
        out.append(UInt8(truncatingIfNeeded: value >> 8))
        out.append(UInt8(truncatingIfNeeded: value))
    }

    /// Appends the chunks of `message` on chunk stream `csid` to `out`.
    public func encode(_ message: RTMPMessage, csid: UInt32, into out: inout [UInt8]) {
        let payload = message.payload
        Self.writeMessageHeader(
            into: &out, csid: csid, timestamp: message.timestamp, length: payload.count,
            typeId: message.typeId, streamId: message.streamId)
        var offset = 0
        while true {
            let end = min(payload.count, offset + chunkSize)
            out.append(contentsOf: payload[offset..<end])
            offset = end
            if offset >= payload.count { break }
            Self.writeContinuationHeader(into: &out, csid: csid, timestamp: message.timestamp)
        }
    }

    /// The chunks of `message` on the chunk stream its type uses.
    public func encode(_ message: RTMPMessage) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(message.payload.count + 16 + message.payload.count / max(chunkSize, 1) * 5)
        let csid: UInt32
        switch message.typeId {
        case RTMPMessageType.setChunkSize, RTMPMessageType.abort, RTMPMessageType.acknowledgement,
            RTMPMessageType.userControl, RTMPMessageType.windowAckSize, RTMPMessageType.setPeerBandwidth:
            csid = RTMPChunkStream.protocolControl
        case RTMPMessageType.amf0Command, RTMPMessageType.amf3Command:
            csid = message.streamId == 0 ? RTMPChunkStream.overConnection : RTMPChunkStream.overStream
        default:
            csid = RTMPChunkStream.forType(message.typeId)
        }
        encode(message, csid: csid, into: &out)
        return out
    }
}
