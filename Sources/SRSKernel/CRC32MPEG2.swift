/// CRC-32/MPEG-2, the checksum that ends every PSI section (PAT, PMT) of an MPEG transport stream:
/// polynomial 0x04C11DB7, initial value 0xFFFFFFFF, no input or output reflection, no final XOR.
/// Check value: "123456789" -> 0x0376E6E7.
public enum CRC32MPEG2 {
    /// The CRC of `bytes`.
    public static func checksum(_ bytes: some Collection<UInt8>) -> UInt32 {
        update(0xFFFF_FFFF, bytes)
    }

    /// Continues a running CRC (start from 0xFFFFFFFF) over more bytes.
    public static func update(_ crc: UInt32, _ bytes: some Collection<UInt8>) -> UInt32 {
        var crc = crc
        for byte in bytes {
            crc = (crc << 8) ^ table[Int(UInt8(truncatingIfNeeded: crc >> 24) ^ byte)]
        }
        return crc
    }

    /// The MSB-first lookup table: entry `i` is the CRC register after shifting byte `i` through it.
    static let table: [UInt32] = (0..<256).map { index -> UInt32 in
        var value = UInt32(index) << 24
        for _ in 0..<8 {
            value = (value & 0x8000_0000) != 0 ? (value << 1) ^ 0x04C1_1DB7 : value << 1
        }
        return value
    }
}
