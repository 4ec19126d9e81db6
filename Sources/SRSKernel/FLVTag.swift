/// FLV file and tag framing (Adobe FLV spec, annex E).
public enum FLV {
    /// Size of an FLV tag header (type, data size, timestamp, timestamp extension, stream id).
    public static let tagHeaderSize = 11
    /// Size of the PreviousTagSize field after each tag.
    public static let previousTagSizeSize = 4

    /// The 9-byte FLV file header plus PreviousTagSize0.
    public static func fileHeader(hasAudio: Bool = true, hasVideo: Bool = true) -> [UInt8] {
        let flags: UInt8 = (hasAudio ? 0x04 : 0) | (hasVideo ? 0x01 : 0)
        return [0x46, 0x4C, 0x56, 0x01, flags, 0, 0, 0, 9, 0, 0, 0, 0]
    }

    /// Appends the 11-byte tag header and nothing else to `bytes` (no temporary array: the
    /// HTTP-FLV framer writes two of these per message).
    @inlinable
    public static func appendTagHeader(to bytes: inout [UInt8], type: UInt8, dataSize: Int, timestamp: Int64) {
        let ts = UInt32(truncatingIfNeeded: timestamp)
        bytes.append(type & 0x1F)
        bytes.append(UInt8(truncatingIfNeeded: dataSize >> 16))
        bytes.append(UInt8(truncatingIfNeeded: dataSize >> 8))
        bytes.append(UInt8(truncatingIfNeeded: dataSize))
        bytes.append(UInt8(truncatingIfNeeded: ts >> 16))
        bytes.append(UInt8(truncatingIfNeeded: ts >> 8))
        bytes.append(UInt8(truncatingIfNeeded: ts))
        bytes.append(UInt8(truncatingIfNeeded: ts >> 24))
        bytes.append(0)
        bytes.append(0)
        bytes.append(0)
    }

    /// Writes the 11-byte tag header at `out`; returns its size.
    @inlinable
    public static func writeTagHeader(to out: UnsafeMutableRawPointer, type: UInt8, dataSize: Int, timestamp: Int64) -> Int {
        let ts = UInt32(truncatingIfNeeded: timestamp)
        out.storeBytes(of: type & 0x1F, as: UInt8.self)
        out.storeBytes(of: UInt8(truncatingIfNeeded: dataSize >> 16), toByteOffset: 1, as: UInt8.self)
        out.storeBytes(of: UInt8(truncatingIfNeeded: dataSize >> 8), toByteOffset: 2, as: UInt8.self)
        out.storeBytes(of: UInt8(truncatingIfNeeded: dataSize), toByteOffset: 3, as: UInt8.self)
        out.storeBytes(of: UInt8(truncatingIfNeeded: ts >> 16), toByteOffset: 4, as: UInt8.self)
        out.storeBytes(of: UInt8(truncatingIfNeeded: ts >> 8), toByteOffset: 5, as: UInt8.self)
        out.storeBytes(of: UInt8(truncatingIfNeeded: ts), toByteOffset: 6, as: UInt8.self)
        out.storeBytes(of: UInt8(truncatingIfNeeded: ts >> 24), toByteOffset: 7, as: UInt8.self)
        out.storeBytes(of: 0, toByteOffset: 8, as: UInt8.self)
        out.storeBytes(of: 0, toByteOffset: 9, as: UInt8.self)
        out.storeBytes(of: 0, toByteOffset: 10, as: UInt8.self)
        return tagHeaderSize
    }

    /// Appends a big-endian 32-bit value (a PreviousTagSize) to `bytes`.
    @inlinable
    public static func appendUInt32(to bytes: inout [UInt8], _ value: UInt32) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 24))
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    /// The 11-byte tag header for a tag of `type` with `dataSize` body bytes at `timestamp` ms.
    public static func tagHeader(type: UInt8, dataSize: Int, timestamp: Int64) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(tagHeaderSize)
        appendTagHeader(to: &bytes, type: type, dataSize: dataSize, timestamp: timestamp)
        return bytes
    }

    /// One tag read from FLV bytes.
    public struct Tag: Sendable, Equatable {
        public var type: UInt8
        /// Full 32-bit timestamp (24 bits plus the extension byte).
        public var timestamp: UInt32
        public var streamId: UInt32
        public var body: [UInt8]

        public init(type: UInt8, timestamp: UInt32, streamId: UInt32 = 0, body: [UInt8]) {
            self.type = type
            self.timestamp = timestamp
            self.streamId = streamId
            self.body = body
        }
    }

    /// Reads consecutive tags (each followed by PreviousTagSize), as in an FLV file body or an
    /// RTMP aggregate message.
    public static func readTags(_ reader: inout ByteReader, context: String) throws(KernelError) -> [Tag] {
        var tags: [Tag] = []
        while reader.remaining >= tagHeaderSize {
            let type = try reader.readUInt8(context) & 0x1F
            let size = Int(try reader.readUInt24(context))
            let low = try reader.readUInt24(context)
            let high = try reader.readUInt8(context)
            let streamId = try reader.readUInt24(context)
            let body = Array(try reader.readBytes(size, "\(context) tag body"))
            if reader.remaining >= previousTagSizeSize { try reader.skip(previousTagSizeSize) }
            tags.append(Tag(type: type, timestamp: UInt32(high) << 24 | low, streamId: streamId, body: body))
        }
        return tags
    }

    /// Parses a whole FLV file: checks the signature and returns its tags.
    public static func parseFile(_ bytes: [UInt8]) throws(KernelError) -> [Tag] {
        var reader = ByteReader(bytes)
        let signature = try reader.readBytes(3, "FLV header")
        guard signature.elementsEqual([0x46, 0x4C, 0x56]) else { throw KernelError("FLV header", "bad signature") }
        try reader.skip(2, "FLV header")
        let headerSize = Int(try reader.readUInt32("FLV header size"))
        guard headerSize >= 9 else { throw KernelError("FLV header", "header size \(headerSize) below 9") }
        try reader.skip(headerSize - 9 + previousTagSizeSize, "FLV header")
        return try readTags(&reader, context: "FLV tag")
    }
}
