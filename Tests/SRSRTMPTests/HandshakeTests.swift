import XCTest
import SRSKernel
@testable import SRSRTMP

final class HandshakeTests: XCTestCase {
    func testDigestOffsetArithmeticSchema1() {
        var packet = [UInt8](repeating: 0, count: 1536)
        packet[8] = 1; packet[9] = 2; packet[10] = 3; packet[11] = 4
        XCTAssertEqual(Handshake.digestOffset(packet, schema: .schema1), 8 + 4 + 10)
    }

    func testDigestOffsetArithmeticSchema0WrapsModulo728() {
        var packet = [UInt8](repeating: 0, count: 1536)
        packet[772] = 255; packet[773] = 255; packet[774] = 255; packet[775] = 255  // 1020 % 728 = 292
        XCTAssertEqual(Handshake.digestOffset(packet, schema: .schema0), 8 + 764 + 4 + 292)
        XCTAssertEqual(Handshake.digestOffset(packet, schema: .schema1), 8 + 4)
    }

    func testDigestOffsetStaysInsideTheDigestBlock() {
        var packet = [UInt8](repeating: 0xFF, count: 1536)
        packet[8] = 0xFF
        XCTAssertLessThanOrEqual(Handshake.digestOffset(packet, schema: .schema1) + 32, 8 + 764)
        XCTAssertLessThanOrEqual(Handshake.digestOffset(packet, schema: .schema0) + 32, 1536)
    }

    func testClientHelloHasVersionAndVerifiableSchema1Digest() {
        let hello = Handshake.clientHello()
        XCTAssertEqual(hello.bytes.count, 1537)
        XCTAssertEqual(hello.bytes[0], 3)
        XCTAssertEqual(Array(hello.bytes[1...]), hello.c1)
        XCTAssertEqual(Array(hello.c1[4..<8]), [0x80, 0x00, 0x07, 0x02])
        guard let found = Handshake.verifyClientDigest(hello.c1) else { return XCTFail("C1 digest does not verify") }
        XCTAssertEqual(found.schema, .schema1)
        XCTAssertEqual(found.digest, hello.digest)
        let offset = Handshake.digestOffset(hello.c1, schema: .schema1)
        XCTAssertEqual(Array(hello.c1[offset..<(offset + 32)]), hello.digest)
    }

    func testTamperedC1DoesNotVerify() {
        var c1 = Handshake.clientHello().c1
        c1[1500] ^= 0x01
        XCTAssertNil(Handshake.verifyClientDigest(c1))
        XCTAssertNil(Handshake.verifyClientDigest(Array(c1.prefix(1535))))
    }

    func testComplexServerResponse() {
        let hello = Handshake.clientHello()
        let (bytes, complex) = Handshake.serverResponse(c1: hello.c1)
        XCTAssertTrue(complex)
        XCTAssertEqual(bytes.count, 1 + 2 * 1536)
        XCTAssertEqual(bytes[0], 3)
        let s1 = Array(bytes[1..<1537])
        let s2 = Array(bytes[1537...])
        XCTAssertEqual(Array(s1[4..<8]), [0x04, 0x05, 0x00, 0x01], "FMS version in S1")
        guard let server = Handshake.verifyServerDigest(s1) else { return XCTFail("S1 digest does not verify") }
        XCTAssertEqual(server.schema, .schema1, "S1 uses the client's schema")
        XCTAssertTrue(Handshake.verifySignedResponse(s2, ourDigest: hello.digest, key: HandshakeCrypto.serverKey))
        XCTAssertFalse(Handshake.verifySignedResponse(s2, ourDigest: hello.digest, key: HandshakeCrypto.clientKey))
        var wrongDigest = hello.digest
        wrongDigest[0] ^= 0xFF
        XCTAssertFalse(Handshake.verifySignedResponse(s2, ourDigest: wrongDigest, key: HandshakeCrypto.serverKey))
        // S1 is not signed with the client key.
        XCTAssertNil(Handshake.verifyClientDigest(s1))
    }

    func testClientC2SignsTheServerDigest() {
        let hello = Handshake.clientHello()
        let s1 = Array(Handshake.serverResponse(c1: hello.c1).bytes[1..<1537])
        guard let server = Handshake.verifyServerDigest(s1) else { return XCTFail("S1 digest does not verify") }
        let c2 = Handshake.clientResponse(s1: s1)
        XCTAssertEqual(c2.count, 1536)
        XCTAssertTrue(Handshake.verifySignedResponse(c2, ourDigest: server.digest, key: HandshakeCrypto.clientKey))
    }

    func testSchema0C1GetsComplexSchema0Answer() {
        // Build a schema 0 C1 by hand: digest at offset 8 + 764 + 4 + sum(bytes 772..775) % 728.
        var c1 = (0..<1536).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        c1.replaceSubrange(0..<8, with: [0, 0, 0, 0, 0x80, 0x00, 0x07, 0x02])
        let offset = 8 + 764 + 4 + (Int(c1[772]) + Int(c1[773]) + Int(c1[774]) + Int(c1[775])) % 728
        let digest = HandshakeCrypto.hmacSHA256(key: HandshakeCrypto.clientKey[0..<30], c1[0..<offset], c1[(offset + 32)...])
        c1.replaceSubrange(offset..<(offset + 32), with: digest)

        guard let found = Handshake.verifyClientDigest(c1) else { return XCTFail("schema 0 C1 does not verify") }
        XCTAssertEqual(found.schema, .schema0)
        XCTAssertEqual(found.digest, digest)
        let (bytes, complex) = Handshake.serverResponse(c1: c1)
        XCTAssertTrue(complex)
        XCTAssertEqual(Handshake.verifyServerDigest(Array(bytes[1..<1537]))?.schema, .schema0)
        XCTAssertTrue(Handshake.verifySignedResponse(Array(bytes[1537...]), ourDigest: digest, key: HandshakeCrypto.serverKey))
    }

    func testSimpleHandshakeForC1WithoutDigest() {
        for c1 in [[UInt8](repeating: 0, count: 1536), (0..<1536).map { UInt8(truncatingIfNeeded: $0 &* 31) }] {
            XCTAssertNil(Handshake.verifyClientDigest(c1))
            let (bytes, complex) = Handshake.serverResponse(c1: c1)
            XCTAssertFalse(complex)
            XCTAssertEqual(bytes.count, 3073)
            XCTAssertEqual(bytes[0], 3)
            XCTAssertEqual(Array(bytes[1..<9]), [0, 0, 0, 0, 0, 0, 0, 0], "S1 time and zero fields")
            XCTAssertEqual(Array(bytes[1537...]), c1, "S2 echoes C1")
            // A simple S1 has no digest: the client echoes it as C2.
            XCTAssertEqual(Handshake.clientResponse(s1: Array(bytes[1..<1537])), Array(bytes[1..<1537]))
        }
    }

    func testVerifySignedResponseRejectsWrongSize() {
        XCTAssertFalse(Handshake.verifySignedResponse([UInt8](repeating: 0, count: 1535), ourDigest: [], key: HandshakeCrypto.serverKey))
        XCTAssertNil(Handshake.verifyServerDigest([UInt8](repeating: 0, count: 100)))
    }
}
