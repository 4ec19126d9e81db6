/// A bounds-checked, big-endian cursor over a byte array. Every read throws on truncation,
/// so hostile input can never read out of bounds.
public struct ByteReader: Sendable {
    public let bytes: [UInt8]
    /// Index of the next byte to read.
    public private(set) var position: Int
    /// Index one past the last readable byte.
    public let end: Int

    public init(_ bytes: [UInt8], position: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.position = position
        self.end = end ?? bytes.count
    }

    /// Bytes left to read.
    public var remaining: Int { end - position }
    public var isAtEnd: Bool { position >= end }

    @inline(__always)
    private func require(_ count: Int, _ context: String) throws(KernelError) {
        if count < 0 || remaining < count { throw KernelError.truncated(context, need: count, have: remaining) }
    }

    public mutating func readUInt8(_ context: String = "uint8") throws(KernelError) -> UInt8 {
        try require(1, context)
        defer { position += 1 }
        return bytes[position]
    }

    public func peekUInt8() -> UInt8? { position < end ? bytes[position] : nil }

    public mutating func readUInt16(_ context: String = "uint16") throws(KernelError) -> UInt16 {
        try require(2, context)
        defer { position += 2 }
        return UInt16(bytes[position]) << 8 | UInt16(bytes[position + 1])
    }

    public mutating func readUInt24(_ context: String = "uint24") throws(KernelError) -> UInt32 {
        try require(3, context)
        defer { position += 3 }
        return UInt32(bytes[position]) << 16 | UInt32(bytes[position + 1]) << 8 | UInt32(bytes[position + 2])
    }

    public mutating func readUInt32(_ context: String = "uint32") throws(KernelError) -> UInt32 {
        try require(4, context)
        defer { position += 4 }
        return UInt32(bytes[position]) << 24 | UInt32(bytes[position + 1]) << 16
            | UInt32(bytes[position + 2]) << 8 | UInt32(bytes[position + 3])
    }

    public mutating func readUInt32LittleEndian(_ context: String = "uint32le") throws(KernelError) -> UInt32 {
        try require(4, context)
        defer { position += 4 }
        return UInt32(bytes[position]) | UInt32(bytes[position + 1]) << 8
            | UInt32(bytes[position + 2]) << 16 | UInt32(bytes[position + 3]) << 24
    }

    public mutating func readUInt64(_ context: String = "uint64") throws(KernelError) -> UInt64 {
        let high = try readUInt32(context)
        let low = try readUInt32(context)
        return UInt64(high) << 32 | UInt64(low)
    }

    public mutating func readDouble(_ context: String = "double") throws(KernelError) -> Double {
        Double(bitPattern: try readUInt64(context))
    }

    public mutating func readBytes(_ count: Int, _ context: String = "bytes") throws(KernelError) -> ArraySlice<UInt8> {
        try require(count, context)
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    public mutating func skip(_ count: Int, _ context: String = "skip") throws(KernelError) {
        try require(count, context)
        position += count
    }
}
