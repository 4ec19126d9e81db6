import XCTest
import SRSKernel
@testable import SRSRTMP

final class HandshakeCryptoTests: XCTestCase {
    func testHMACSHA256RFC4231TestCase2() {
        let mac = HandshakeCrypto.hmacSHA256(key: ascii("Jefe")[...], ascii("what do ya want for nothing?")[...])
        XCTAssertEqual(hexString(mac),
                       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    func testHMACSHA256RFC4231TestCase1() {
        let mac = HandshakeCrypto.hmacSHA256(key: [UInt8](repeating: 0x0B, count: 20)[...], ascii("Hi There")[...])
        XCTAssertEqual(hexString(mac),
                       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
    }

    func testHMACPartsAreConcatenated() {
        let data = ascii("what do ya want for nothing?")
        XCTAssertEqual(HandshakeCrypto.hmacSHA256(key: ascii("Jefe")[...], data[0..<5], data[5...]),
                       HandshakeCrypto.hmacSHA256(key: ascii("Jefe")[...], data[...]))
    }

    func testAdobeKeys() {
        XCTAssertEqual(HandshakeCrypto.serverKey.count, 68)
        XCTAssertEqual(HandshakeCrypto.clientKey.count, 62)
        XCTAssertEqual(Array(HandshakeCrypto.serverKey.prefix(36)), ascii("Genuine Adobe Flash Media Server 001"))
        XCTAssertEqual(Array(HandshakeCrypto.clientKey.prefix(30)), ascii("Genuine Adobe Flash Player 001"))
        XCTAssertEqual(Array(HandshakeCrypto.serverKey.suffix(32)), Array(HandshakeCrypto.clientKey.suffix(32)))
        XCTAssertEqual(Array(HandshakeCrypto.clientKey[30..<34]), [0xF0, 0xEE, 0xC2, 0x4A])
        XCTAssertEqual(HandshakeCrypto.clientKey.last, 0xAE)
    }
}
