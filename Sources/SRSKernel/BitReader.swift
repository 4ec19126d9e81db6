/// A bounds-checked, MSB-first bit cursor over bytes, with the exp-Golomb codes of
/// H.264 (ue(v), se(v)). Every read throws a `KernelError` on overrun, so hostile input can
/// never read past the end.
public struct BitReader: Sendable {
    /// The bytes being read.
    public let bytes: [UInt8]
    /// Index of the next bit to read, counting from the most significant bit of `bytes[0]`.
    public private(set) var bitPosition: Int
    /// Total number of readable bits.
    public var bitCount: Int { bytes.count * 8 }

    /// A reader positioned at the first bit of `bytes`.
    public init(_ bytes: some Collection<UInt8>) {
        self.bytes = Array(bytes)
        self.bitPosition = 0
    }

    /// Bits left to read.
    public var bitsRemaining: Int { bitCount - bitPosition }
    /// True when every bit has been read.
    public var isAtEnd: Bool { bitPosition >= bitCount }
    /// True when the next bit is the first bit of a byte.
    public var isByteAligned: Bool { bitPosition & 7 == 0 }

    @inline(__always)
    private func require(_ count: Int, _ context: String) throws(KernelError) {
        if count < 0 || bitsRemaining < count {
            throw KernelError(context, "truncated input: need \(count) bits, have \(bitsRemaining)")
        }
    }

    /// Reads one bit.
    public mutating func readBit(_ context: String = "bit") throws(KernelError) -> Bool {
        try require(1, context)
        let bit = bytes[bitPosition >> 3] >> (7 - UInt8(bitPosition & 7)) & 1
        bitPosition += 1
        return bit == 1
    }

    /// Reads `count` bits (0...32) as an unsigned big-endian number.
    public mutating func readBits(_ count: Int, _ context: String = "bits") throws(KernelError) -> UInt32 {
        guard (0...32).contains(count) else { throw KernelError(context, "cannot read \(count) bits at once") }
        try require(count, context)
        var value: UInt64 = 0
        var left = count
        while left > 0 {
            let byte = bytes[bitPosition >> 3]
            let offset = bitPosition & 7
            let take = min(8 - offset, left)
            let chunk = (UInt64(byte) >> UInt64(8 - offset - take)) & ((1 << UInt64(take)) - 1)
            value = value << UInt64(take) | chunk
            bitPosition += take
            left -= take
        }
        return UInt32(value)
    }

    /// Skips `count` bits.
    public mutating func skipBits(_ count: Int, _ context: String = "skip bits") throws(KernelError) {
        try require(count, context)
        bitPosition += count
    }

    /// Reads an unsigned exp-Golomb code, ue(v) in H.264 7.2: up to 31 leading zero bits,
    /// so the value is at most 2^32 - 2.
    public mutating func readUE(_ context: String = "ue(v)") throws(KernelError) -> UInt32 {
        var leadingZeros = 0
        while try !readBit(context) {
            leadingZeros += 1
            if leadingZeros > 31 { throw KernelError(context, "exp-Golomb code longer than 32 bits") }
        }
        let suffix = try readBits(leadingZeros, context)
        return UInt32((UInt64(1) << UInt64(leadingZeros)) - 1 + UInt64(suffix))
    }

    /// Reads a signed exp-Golomb code, se(v) in H.264 7.2: 1, -1, 2, -2, ... for codes 1, 2, 3, 4, ...
    public mutating func readSE(_ context: String = "se(v)") throws(KernelError) -> Int32 {
        let code = Int64(try readUE(context))
        return Int32(code & 1 == 1 ? (code + 1) / 2 : -(code / 2))
    }
}

/// An MSB-first bit writer, the inverse of `BitReader`; the last byte is zero-padded.
public struct BitWriter: Sendable {
    /// The bytes written so far, the last one possibly partial.
    public private(set) var bytes: [UInt8] = []
    /// Number of bits written.
    public private(set) var bitCount = 0

    public init() {}

    /// Appends the low `count` bits (0...32) of `value`, most significant first.
    public mutating func writeBits(_ value: UInt32, count: Int) {
        precondition((0...32).contains(count), "BitWriter: bit count \(count) out of 0...32")
        var index = count
        while index > 0 {
            index -= 1
            writeBit((value >> UInt32(index)) & 1 == 1)
        }
    }

    /// Appends one bit.
    public mutating func writeBit(_ bit: Bool) {
        if bitCount & 7 == 0 { bytes.append(0) }
        if bit { bytes[bytes.count - 1] |= 0x80 >> UInt8(bitCount & 7) }
        bitCount += 1
    }

    /// Appends an unsigned exp-Golomb code; `value` must be below 2^32 - 1.
    public mutating func writeUE(_ value: UInt32) {
        precondition(value < UInt32.max, "BitWriter: ue(v) value out of range")
        let coded = UInt64(value) + 1
        let length = 64 - coded.leadingZeroBitCount
        writeBits(0, count: length - 1)
        for index in stride(from: length - 1, through: 0, by: -1) { writeBit((coded >> UInt64(index)) & 1 == 1) }
    }

    /// Appends a signed exp-Golomb code.
    public mutating func writeSE(_ value: Int32) {
        precondition(value != Int32.min, "BitWriter: se(v) value out of range")
        let magnitude = UInt32(value.magnitude)
        writeUE(value > 0 ? 2 * magnitude - 1 : 2 * magnitude)
    }
}
