/// The timestamp fields of MPEG-TS: the 5-byte PES PTS/DTS and the 6-byte adaptation-field PCR.
/// PTS/DTS are 33-bit counts of a 90 kHz clock; PCR is a 27 MHz clock split into a 33-bit 90 kHz base
/// and a 9-bit extension (0..<300).
public enum TSTimestamps {
    /// 2^33: the modulus of the 90 kHz PTS/DTS/PCR-base clocks.
    public static let wrap: Int64 = 1 << 33
    /// 2^33 - 1.
    public static let mask33: Int64 = (1 << 33) - 1

    /// The 4-bit prefix of a PTS followed by a DTS ('0011').
    public static let ptsBeforeDTSPrefix: UInt8 = 0x3
    /// The 4-bit prefix of a PTS alone ('0010').
    public static let ptsOnlyPrefix: UInt8 = 0x2
    /// The 4-bit prefix of a DTS ('0001').
    public static let dtsPrefix: UInt8 = 0x1

    /// Appends the 5-byte PTS/DTS field: `prefix`(4) value[32..30](3) marker(1) value[29..15](15) marker(1)
    /// value[14..0](15) marker(1). `value` is taken modulo 2^33 (negative values wrap too).
    public static func appendPESTimestamp(_ value: Int64, prefix: UInt8, to out: inout [UInt8]) {
        let v = UInt64(bitPattern: value & mask33)
        out.append((prefix << 4) | UInt8(truncatingIfNeeded: (v >> 29) & 0x0E) | 0x01)
        out.append(UInt8(truncatingIfNeeded: v >> 22))
        out.append(UInt8(truncatingIfNeeded: (v >> 14) & 0xFE) | 0x01)
        out.append(UInt8(truncatingIfNeeded: v >> 7))
        out.append(UInt8(truncatingIfNeeded: (v << 1) & 0xFE) | 0x01)
    }

    /// The 5-byte PTS/DTS field (see `appendPESTimestamp`).
    public static func encodePESTimestamp(_ value: Int64, prefix: UInt8) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(5)
        appendPESTimestamp(value, prefix: prefix, to: &out)
        return out
    }

    /// Appends the 6-byte PCR field: program_clock_reference_base(33) reserved(6, all ones)
    /// program_clock_reference_extension(9). `base` is taken modulo 2^33, `extension` modulo 512.
    public static func appendPCR(base: Int64, extension ext: UInt16, to out: inout [UInt8]) {
        let b = UInt64(bitPattern: base & mask33)
        out.append(UInt8(truncatingIfNeeded: b >> 25))
        out.append(UInt8(truncatingIfNeeded: b >> 17))
        out.append(UInt8(truncatingIfNeeded: b >> 9))
        out.append(UInt8(truncatingIfNeeded: b >> 1))
        out.append(UInt8(truncatingIfNeeded: (b & 1) << 7) | 0x7E | UInt8(truncatingIfNeeded: (ext >> 8) & 1))
        out.append(UInt8(truncatingIfNeeded: ext))
    }

    /// The 6-byte PCR field for a 27 MHz clock value (`pcr27MHz` = base * 300 + extension; the base wraps at 2^33).
    public static func encodePCR(_ pcr27MHz: Int64) -> [UInt8] {
        let ext = ((pcr27MHz % 300) + 300) % 300
        let base = (pcr27MHz - ext) / 300
        var out: [UInt8] = []
        out.reserveCapacity(6)
        appendPCR(base: base, extension: UInt16(ext), to: &out)
        return out
    }
}
