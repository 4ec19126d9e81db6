import COpenSSL

/// HMAC-SHA256 and the Adobe keys of the RTMP "complex" (digest) handshake.
public enum HandshakeCrypto {
    private static let keyTail: [UInt8] = [
        0xF0, 0xEE, 0xC2, 0x4A, 0x80, 0x68, 0xBE, 0xE8, 0x2E, 0x00, 0xD0, 0xD1, 0x02, 0x9E, 0x7E, 0x57,
        0x6E, 0xEC, 0x5D, 0x2D, 0x29, 0x80, 0x6F, 0xAB, 0x93, 0xB8, 0xE6, 0x36, 0xCF, 0xEB, 0x31, 0xAE,
    ]
    /// "Genuine Adobe Flash Media Server 001" + 32 bytes (68 bytes). Its first 36 bytes sign S1.
    public static let serverKey: [UInt8] = Array("Genuine Adobe Flash Media Server 001".utf8) + keyTail
    /// "Genuine Adobe Flash Player 001" + 32 bytes (62 bytes). Its first 30 bytes sign C1.
    public static let clientKey: [UInt8] = Array("Genuine Adobe Flash Player 001".utf8) + keyTail

    public static let digestSize = 32

    /// HMAC-SHA256 of the concatenation of `parts` under `key`.
    public static func hmacSHA256(key: ArraySlice<UInt8>, _ parts: ArraySlice<UInt8>...) -> [UInt8] {
        var data: [UInt8] = []
        data.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for part in parts { data.append(contentsOf: part) }
        var out = [UInt8](repeating: 0, count: 32)
        var outLength: UInt32 = 32
        key.withUnsafeBytes { keyBytes in
            data.withUnsafeBytes { dataBytes in
                out.withUnsafeMutableBytes { outBytes in
                    _ = HMAC(
                        EVP_sha256(), keyBytes.baseAddress, Int32(keyBytes.count),
                        dataBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), dataBytes.count,
                        outBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), &outLength)
                }
            }
        }
        return out
    }
}
