import SRSKernel

/// The RTMP handshake (C0C1C2 / S0S1S2), both the simple one of the RTMP spec and the
/// "complex" digest handshake Flash Player, FFmpeg and librtmp use (schema 0: key block then
/// digest block; schema 1: digest block then key block).
public enum Handshake {
    public static let packetSize = 1536
    public static let version: UInt8 = 3
    /// The FMS version advertised in S1 (bytes 4-7).
    static let serverVersion: [UInt8] = [0x04, 0x05, 0x00, 0x01]
    /// The Flash Player version a client advertises in C1.
    static let clientVersion: [UInt8] = [0x80, 0x00, 0x07, 0x02]

    /// Where the 764-byte digest block puts its 32-byte digest.
    public enum Schema: Int, Sendable {
        /// time, version, key block, digest block.
        case schema0 = 0
        /// time, version, digest block, key block.
        case schema1 = 1
    }

    /// Offset of the digest inside a 1536-byte C1/S1 under `schema`.
    public static func digestOffset(_ packet: [UInt8], schema: Schema) -> Int {
        let base = schema == .schema0 ? 8 + 764 : 8
        let sum = Int(packet[base]) + Int(packet[base + 1]) + Int(packet[base + 2]) + Int(packet[base + 3])
        return base + 4 + sum % 728
    }

    /// The digest of a C1/S1 computed with `key` over everything but the digest itself.
    static func computeDigest(_ packet: [UInt8], offset: Int, key: ArraySlice<UInt8>) -> [UInt8] {
        HandshakeCrypto.hmacSHA256(key: key, packet[0..<offset], packet[(offset + 32)...])
    }

    /// The schema whose digest in `c1` verifies with the client key, or nil (a simple handshake).
    public static func verifyClientDigest(_ c1: [UInt8]) -> (schema: Schema, digest: [UInt8])? {
        guard c1.count == packetSize else { return nil }
        for schema in [Schema.schema0, .schema1] {
            let offset = digestOffset(c1, schema: schema)
            let expected = computeDigest(c1, offset: offset, key: HandshakeCrypto.clientKey[0..<30])
            if expected[...] == c1[offset..<(offset + 32)] { return (schema, Array(c1[offset..<(offset + 32)])) }
        }
        return nil
    }

    /// The schema whose digest in `s1` verifies with the server key, or nil.
    public static func verifyServerDigest(_ s1: [UInt8]) -> (schema: Schema, digest: [UInt8])? {
        guard s1.count == packetSize else { return nil }
        for schema in [Schema.schema0, .schema1] {
            let offset = digestOffset(s1, schema: schema)
            let expected = computeDigest(s1, offset: offset, key: HandshakeCrypto.serverKey[0..<36])
            if expected[...] == s1[offset..<(offset + 32)] { return (schema, Array(s1[offset..<(offset + 32)])) }
        }
        return nil
    }

    /// Filler for the handshake packets: unpredictable enough for a peer (one seed from the
    /// system, then SplitMix64), as SRS and nginx-rtmp fill theirs from a plain PRNG. A word
    /// per `getrandom` call was 384 system calls per handshake, 2% of a server ramping up
    /// 3,000 players.
    static func randomBytes(_ count: Int) -> [UInt8] {
        var seed = UInt64.random(in: .min ... .max)
        var out = [UInt8](repeating: 0, count: count)
        var index = 0
        while index < count {
            seed &+= 0x9E37_79B9_7F4A_7C15
            var word = seed
            word = (word ^ (word >> 30)) &* 0xBF58_476D_1CE4_E5B9
            word = (word ^ (word >> 27)) &* 0x94D0_49BB_1331_11EB
            word ^= word >> 31
            for _ in 0..<8 where index < count {
                out[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        return out
    }

    /// A C1/S1 with a valid digest under `key` in `schema`.
    static func makeDigestPacket(version: [UInt8], schema: Schema, key: ArraySlice<UInt8>) -> [UInt8] {
        var packet = randomBytes(packetSize)
        packet.replaceSubrange(0..<4, with: [0, 0, 0, 0])
        packet.replaceSubrange(4..<8, with: version)
        let offset = digestOffset(packet, schema: schema)
        let digest = computeDigest(packet, offset: offset, key: key)
        packet.replaceSubrange(offset..<(offset + 32), with: digest)
        return packet
    }

    /// The 1536-byte response packet (S2 or C2) that signs the peer's digest with `key`.
    static func makeSignedResponse(peerDigest: [UInt8], key: [UInt8]) -> [UInt8] {
        var packet = randomBytes(packetSize)
        let tempKey = HandshakeCrypto.hmacSHA256(key: key[...], peerDigest[...])
        let signature = HandshakeCrypto.hmacSHA256(key: tempKey[...], packet[0..<(packetSize - 32)])
        packet.replaceSubrange((packetSize - 32)..<packetSize, with: signature)
        return packet
    }

    /// Whether `response` (S2 or C2) carries the signature of `ourDigest` under `key`.
    public static func verifySignedResponse(_ response: [UInt8], ourDigest: [UInt8], key: [UInt8]) -> Bool {
        guard response.count == packetSize else { return false }
        let tempKey = HandshakeCrypto.hmacSHA256(key: key[...], ourDigest[...])
        let signature = HandshakeCrypto.hmacSHA256(key: tempKey[...], response[0..<(packetSize - 32)])
        return signature[...] == response[(packetSize - 32)...]
    }

    /// The server's S0+S1+S2 answer to C1. Complex when C1 carries a valid digest, else simple
    /// (S1 random, S2 echoes C1). Returns whether the complex form was used.
    public static func serverResponse(c1: [UInt8]) -> (bytes: [UInt8], complex: Bool) {
        var out: [UInt8] = [version]
        out.reserveCapacity(1 + 2 * packetSize)
        if let (schema, clientDigest) = verifyClientDigest(c1) {
            out += makeDigestPacket(version: serverVersion, schema: schema, key: HandshakeCrypto.serverKey[0..<36])
            out += makeSignedResponse(peerDigest: clientDigest, key: HandshakeCrypto.serverKey)
            return (out, true)
        }
        var s1 = randomBytes(packetSize)
        s1.replaceSubrange(0..<8, with: [0, 0, 0, 0, 0, 0, 0, 0])
        out += s1
        out += c1
        return (out, false)
    }

    /// A client's C0+C1 (complex, schema 1 as FFmpeg sends) and the digest to check S2 against.
    public static func clientHello() -> (bytes: [UInt8], c1: [UInt8], digest: [UInt8]) {
        let c1 = makeDigestPacket(version: clientVersion, schema: .schema1, key: HandshakeCrypto.clientKey[0..<30])
        let offset = digestOffset(c1, schema: .schema1)
        return ([version] + c1, c1, Array(c1[offset..<(offset + 32)]))
    }

    /// The client's C2 for a server's S1: signed when S1 has a digest, else an echo of S1.
    public static func clientResponse(s1: [UInt8]) -> [UInt8] {
        if let (_, serverDigest) = verifyServerDigest(s1) {
            return makeSignedResponse(peerDigest: serverDigest, key: HandshakeCrypto.clientKey)
        }
        return s1
    }
}
