import XCTest
@testable import SRSKernel

/// Golden bytes for every AMF0 type the encoder writes (AMF0 spec, section 2).
final class AMF0EncoderTests: XCTestCase {
    func testNumberOneIsMarkerZeroAndBigEndianDouble() {
        XCTAssertEqual(AMF0Encoder.encode([.number(1.0)]), [0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0])
    }

    func testNegativeNumberAndZero() {
        XCTAssertEqual(AMF0Encoder.encode([.number(-2.5)]), [0x00, 0xC0, 0x04, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(AMF0Encoder.encode([0]), [0x00, 0, 0, 0, 0, 0, 0, 0, 0])
    }

    func testBooleans() {
        XCTAssertEqual(AMF0Encoder.encode([true]), [0x01, 0x01])
        XCTAssertEqual(AMF0Encoder.encode([false]), [0x01, 0x00])
    }

    func testShortStringHasTwoByteLength() {
        XCTAssertEqual(AMF0Encoder.encode(["abc"]), [0x02, 0x00, 0x03, 0x61, 0x62, 0x63])
        XCTAssertEqual(AMF0Encoder.encode([""]), [0x02, 0x00, 0x00])
    }

    func testStringOfExactly65535BytesIsStillShortString() {
        let text = String(repeating: "x", count: 65535)
        let bytes = AMF0Encoder.encode([.string(text)])
        XCTAssertEqual(bytes.count, 3 + 65535)
        XCTAssertEqual(Array(bytes.prefix(3)), [0x02, 0xFF, 0xFF])
    }

    func testStringLongerThan65535BytesIsLongString() {
        let text = String(repeating: "a", count: 70000)  // 70000 = 0x00011170
        let bytes = AMF0Encoder.encode([.string(text)])
        XCTAssertEqual(Array(bytes.prefix(5)), [0x0C, 0x00, 0x01, 0x11, 0x70])
        XCTAssertEqual(bytes.count, 5 + 70000)
        XCTAssertTrue(bytes.dropFirst(5).allSatisfy { $0 == 0x61 })
    }

    func testMultiByteUTF8StringLengthCountsBytes() {
        // "é" is 2 bytes in UTF-8.
        XCTAssertEqual(AMF0Encoder.encode(["é"]), [0x02, 0x00, 0x02, 0xC3, 0xA9])
    }

    func testObjectWithEndMarker() {
        let bytes = AMF0Encoder.encode([.object([AMF0Property("a", 1.0), AMF0Property("b", true)])])
        XCTAssertEqual(bytes, [0x03, 0x00, 0x01, 0x61, 0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0,
                               0x00, 0x01, 0x62, 0x01, 0x01, 0x00, 0x00, 0x09])
    }

    func testEmptyObject() {
        XCTAssertEqual(AMF0Encoder.encode([.object([])]), [0x03, 0x00, 0x00, 0x09])
    }

    func testNullAndUndefined() {
        XCTAssertEqual(AMF0Encoder.encode([.null]), [0x05])
        XCTAssertEqual(AMF0Encoder.encode([.undefined]), [0x06])
    }

    func testECMAArrayHasCountAndEndMarker() {
        let bytes = AMF0Encoder.encode([.ecmaArray([AMF0Property("k", "v"), AMF0Property("n", .null)])])
        XCTAssertEqual(bytes, [0x08, 0x00, 0x00, 0x00, 0x02,
                               0x00, 0x01, 0x6B, 0x02, 0x00, 0x01, 0x76,
                               0x00, 0x01, 0x6E, 0x05,
                               0x00, 0x00, 0x09])
    }

    func testStrictArrayHasCountAndNoEndMarker() {
        let bytes = AMF0Encoder.encode([.strictArray([1.0, true, .null])])
        XCTAssertEqual(bytes, [0x0A, 0x00, 0x00, 0x00, 0x03,
                               0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0,
                               0x01, 0x01,
                               0x05])
    }

    func testDateIsDoubleThenSigned16BitTimeZone() {
        XCTAssertEqual(AMF0Encoder.encode([.date(1.0, timeZone: -60)]),
                       [0x0B, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0xFF, 0xC4])
        XCTAssertEqual(AMF0Encoder.encode([.date(0, timeZone: 0x0102)]),
                       [0x0B, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x02])
    }

    func testValuesAreConcatenatedInOrder() {
        XCTAssertEqual(AMF0Encoder.encode(["a", .null, false]), [0x02, 0x00, 0x01, 0x61, 0x05, 0x01, 0x00])
    }

    func testIncrementalEncoderMatchesStaticEncode() {
        var encoder = AMF0Encoder()
        encoder.encode("x")
        encoder.encode(2)
        XCTAssertEqual(encoder.bytes, AMF0Encoder.encode(["x", 2]))
    }

    func testNestedObjectInsideObject() {
        let bytes = AMF0Encoder.encode([.object([AMF0Property("o", .object([]))])])
        XCTAssertEqual(bytes, [0x03, 0x00, 0x01, 0x6F, 0x03, 0x00, 0x00, 0x09, 0x00, 0x00, 0x09])
    }
}
