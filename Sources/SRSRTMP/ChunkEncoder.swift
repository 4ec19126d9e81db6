import SRSKernel

/// Splits RTMP messages into chunks. Every message starts with a fmt 0 header (as SRS does:
/// robust with every client and costs 11 bytes per message) and continues with fmt 3 headers;
/// timestamps at or above 0xFFFFFF use the extended field, repeated on each fmt 3 chunk as
/// librtmp, FFmpeg and Flash expect.
public struct ChunkEncoder: Sendable {
    /// Our chunk size, announced to the peer with Set Chunk Size.
    public var chunkSize: Int

    public init(chunkSize: Int = 128) { self.chunkSize = chunkSize }

    /// Most bytes of a fmt 0 header: a 3-byte basic header, 11 bytes, an extended timestamp.
    public static let maxMessageHeaderSize = 18
    /// Most bytes of a fmt 3 header: a 3-byte basic header and an extended timestamp.
    public static let maxContinuationHeaderSize = 7

    /// Writes a basic header with `fmt` for chunk stream `csid` at `out`; returns its size.
    @inline(__always)
    static func writeBasicHeader(to out: UnsafeMutableRawPointer, fmt: UInt8, csid: UInt32) -> Int {
        if csid < 64 {
            out.storeBytes(of: fmt << 6 | UInt8(csid), as: UInt8.self)
            return 1
        } else if csid < 320 {
            out.storeBytes(of: fmt << 6, as: UInt8.self)
            out.storeBytes(of: UInt8(csid - 64), toByteOffset: 1, as: UInt8.self)
            return 2
        }
        let value = csid - 64
        out.storeBytes(of: fmt << 6 | 1, as: UInt8.self)
        out.storeBytes(of: UInt8(truncatingIfNeeded: value), toByteOffset: 1, as: UInt8.self)
        out.storeBytes(of: UInt8(truncatingIfNeeded: value >> 8), toByteOffset: 2, as: UInt8.self)
        return 3
    }

    /// Writes the fmt 0 header that starts a message at `out` (room for
    /// `maxMessageHeaderSize` bytes); returns its size.
    @inline(__always)
    public static func writeMessageHeader(
        to out: UnsafeMutableRawPointer, csid: UInt32, timestamp: Int64, length: Int, typeId: UInt8, streamId: UInt32
    ) -> Int {
        let ts = UInt32(truncatingIfNeeded: timestamp)
        let extended = ts >= 0xFF_FFFF
        let field = extended ? 0xFF_FFFF : ts
        let basic = writeBasicHeader(to: out, fmt: 0, csid: csid)
        let header = out + basic
        // Timestamp and length: 24-bit big-endian; the message stream id: 32-bit little-endian.
        header.storeBytes(of: UInt8(truncatingIfNeeded: field >> 16), as: UInt8.self)
        header.storeBytes(of: UInt8(truncatingIfNeeded: field >> 8), toByteOffset: 1, as: UInt8.self)
        header.storeBytes(of: UInt8(truncatingIfNeeded: field), toByteOffset: 2, as: UInt8.self)
        header.storeBytes(of: UInt8(truncatingIfNeeded: length >> 16), toByteOffset: 3, as: UInt8.self)
        header.storeBytes(of: UInt8(truncatingIfNeeded: length >> 8), toByteOffset: 4, as: UInt8.self)
        header.storeBytes(of: UInt8(truncatingIfNeeded: length), toByteOffset: 5, as: UInt8.self)
        header.storeBytes(of: typeId, toByteOffset: 6, as: UInt8.self)
        header.storeBytes(of: streamId.littleEndian, toByteOffset: 7, as: UInt32.self)
        return extended ? basic + 11 + writeUInt32(to: header + 11, ts) : basic + 11
    }

    /// Writes the fmt 3 header of a continuation chunk at `out` (room for
    /// `maxContinuationHeaderSize` bytes); returns its size.
    @inline(__always)
    public static func writeContinuationHeader(to out: UnsafeMutableRawPointer, csid: UInt32, timestamp: Int64) -> Int {
        let size = writeBasicHeader(to: out, fmt: 3, csid: csid)
        let ts = UInt32(truncatingIfNeeded: timestamp)
        return ts >= 0xFF_FFFF ? size + writeUInt32(to: out + size, ts) : size
    }

    @inline(__always)
    static func writeUInt32(to out: UnsafeMutableRawPointer, _ value: UInt32) -> Int {
        out.storeBytes(of: value.bigEndian, as: UInt32.self)
        return 4
    }

    /// Appends a basic header with `fmt` for chunk stream `csid`.
    static func writeBasicHeader(into out: inout [UInt8], fmt: UInt8, csid: UInt32) {
        withUnsafeTemporaryAllocation(byteCount: 3, alignment: 1) { buffer in
            let size = writeBasicHeader(to: buffer.baseAddress!, fmt: fmt, csid: csid)
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[..<size]))
        }
    }

    /// Appends the fmt 0 header that starts a message.
    public static func writeMessageHeader(
        into out: inout [UInt8], csid: UInt32, timestamp: Int64, length: Int, typeId: UInt8, streamId: UInt32
    ) {
        withUnsafeTemporaryAllocation(byteCount: maxMessageHeaderSize, alignment: 1) { buffer in
            let size = writeMessageHeader(to: buffer.baseAddress!, csid: csid, timestamp: timestamp, length: length,
                                          typeId: typeId, streamId: streamId)
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[..<size]))
        }
    }

    /// Appends the fmt 3 header of a continuation chunk.
    public static func writeContinuationHeader(into out: inout [UInt8], csid: UInt32, timestamp: Int64) {
        withUnsafeTemporaryAllocation(byteCount: maxContinuationHeaderSize, alignment: 1) { buffer in
            let size = writeContinuationHeader(to: buffer.baseAddress!, csid: csid, timestamp: timestamp)
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[..<size]))
        }
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
