import XCTest
@testable import SRSKernel

/// Decoding AMF0 golden bytes, a real connect command, and hostile input.
final class AMF0DecoderTests: XCTestCase {
    private func decodeOne(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> AMF0Value? {
        do {
            let values = try AMF0Decoder.decodeAll(bytes)
            XCTAssertEqual(values.count, 1, "values: \(values)", file: file, line: line)
            return values.first
        } catch {
            XCTFail("decode failed: \(error)", file: file, line: line)
            return nil
        }
    }

    // MARK: Golden bytes

    func testNumber() {
        XCTAssertEqual(decodeOne([0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0]), .number(1.0))
        XCTAssertEqual(decodeOne([0x00, 0xC0, 0x04, 0, 0, 0, 0, 0, 0]), .number(-2.5))
    }

    func testBooleanAnyNonZeroByteIsTrue() {
        XCTAssertEqual(decodeOne([0x01, 0x00]), .boolean(false))
        XCTAssertEqual(decodeOne([0x01, 0x01]), .boolean(true))
        XCTAssertEqual(decodeOne([0x01, 0x7F]), .boolean(true))
    }

    func testString() {
        XCTAssertEqual(decodeOne([0x02, 0x00, 0x03, 0x61, 0x62, 0x63]), .string("abc"))
        XCTAssertEqual(decodeOne([0x02, 0x00, 0x00]), .string(""))
    }

    func testLongString() {
        let body = [UInt8](repeating: 0x62, count: 70000)
        XCTAssertEqual(decodeOne([0x0C, 0x00, 0x01, 0x11, 0x70] + body), .string(String(repeating: "b", count: 70000)))
    }

    func testShortLongStringMarkerIsAlsoAccepted() {
        XCTAssertEqual(decodeOne([0x0C, 0x00, 0x00, 0x00, 0x02, 0x68, 0x69]), .string("hi"))
    }

    func testObjectKeepsPropertyOrder() {
        let bytes: [UInt8] = [0x03, 0x00, 0x01, 0x62, 0x01, 0x01,
                              0x00, 0x01, 0x61, 0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0,
                              0x00, 0x00, 0x09]
        let value = decodeOne(bytes)
        XCTAssertEqual(value, .object([AMF0Property("b", true), AMF0Property("a", 1.0)]))
        XCTAssertEqual(value?["a"], .number(1.0))
        XCTAssertEqual(value?.properties?.map(\.key), ["b", "a"])
    }

    func testNullAndUndefined() {
        XCTAssertEqual(try AMF0Decoder.decodeAll([0x05, 0x06]), [.null, .undefined])
    }

    func testECMAArrayCountIsAdvisoryEndMarkerTerminates() {
        // Count says 5 but only one property precedes the end marker.
        let bytes: [UInt8] = [0x08, 0x00, 0x00, 0x00, 0x05, 0x00, 0x01, 0x6B, 0x02, 0x00, 0x01, 0x76, 0x00, 0x00, 0x09]
        XCTAssertEqual(decodeOne(bytes), .ecmaArray([AMF0Property("k", "v")]))
    }

    func testStrictArray() {
        let bytes: [UInt8] = [0x0A, 0x00, 0x00, 0x00, 0x02, 0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0x01, 0x01]
        XCTAssertEqual(decodeOne(bytes), .strictArray([1.0, true]))
    }

    func testDate() {
        XCTAssertEqual(decodeOne([0x0B, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0xFF, 0xC4]), .date(1.0, timeZone: -60))
    }

    func testEveryTypeRoundTripsThroughEncoder() throws {
        let values: [AMF0Value] = [
            1.5, -0.0, true, false, "text", .string(String(repeating: "z", count: 65536)),
            .object([AMF0Property("x", .strictArray([.null, .undefined])), AMF0Property("", "empty key")]),
            .null, .undefined,
            .ecmaArray([AMF0Property("duration", 0), AMF0Property("nested", .object([AMF0Property("d", .date(1.7e12, timeZone: 120))]))]),
            .strictArray([]), .date(-1, timeZone: -32768),
        ]
        let bytes = AMF0Encoder.encode(values)
        let decoded = try AMF0Decoder.decodeAll(bytes)
        XCTAssertEqual(decoded, values)
        XCTAssertEqual(AMF0Encoder.encode(decoded), bytes)
    }

    func testFFmpegConnectCommandBuiltByHand() throws {
        var bytes: [UInt8] = [0x02, 0x00, 0x07] + ascii("connect")
        bytes += [0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0]
        bytes += [0x03]
        bytes += [0x00, 0x03] + ascii("app") + [0x02, 0x00, 0x04] + ascii("live")
        bytes += [0x00, 0x04] + ascii("type") + [0x02, 0x00, 0x0A] + ascii("nonprivate")
        bytes += [0x00, 0x08] + ascii("flashVer") + [0x02, 0x00, 0x1F] + ascii("FMLE/3.0 (compatible; FMSc/1.0)")
        bytes += [0x00, 0x05] + ascii("tcUrl") + [0x02, 0x00, 0x1A] + ascii("rtmp://127.0.0.1:1935/live")
        bytes += [0x00, 0x00, 0x09]

        let expected: [AMF0Value] = [
            "connect", 1.0,
            .object([
                AMF0Property("app", "live"),
                AMF0Property("type", "nonprivate"),
                AMF0Property("flashVer", "FMLE/3.0 (compatible; FMSc/1.0)"),
                AMF0Property("tcUrl", "rtmp://127.0.0.1:1935/live"),
            ]),
        ]
        let decoded = try AMF0Decoder.decodeAll(bytes)
        XCTAssertEqual(decoded, expected)
        XCTAssertEqual(decoded[2]["tcUrl"]?.stringValue, "rtmp://127.0.0.1:1935/live")
        XCTAssertEqual(AMF0Encoder.encode(expected), bytes, "encoder: \(hex(AMF0Encoder.encode(expected)))")
    }

    func testObjectMissingEndMarkerAtEndOfBodyIsAccepted() {
        // Some encoders stop after the empty key.
        XCTAssertEqual(decodeOne([0x03, 0x00, 0x01, 0x61, 0x05, 0x00, 0x00]), .object([AMF0Property("a", .null)]))
    }

    func testEmptyKeyNotFollowedByEndMarkerIsAProperty() {
        XCTAssertEqual(decodeOne([0x03, 0x00, 0x00, 0x05, 0x00, 0x00, 0x09]), .object([AMF0Property("", .null)]))
    }

    func testTypedObjectDecodesAsObjectDroppingClassName() {
        let bytes: [UInt8] = [0x10, 0x00, 0x02, 0x43, 0x6C, 0x00, 0x01, 0x61, 0x05, 0x00, 0x00, 0x09]
        XCTAssertEqual(decodeOne(bytes), .object([AMF0Property("a", .null)]))
    }

    func testXMLDocumentDecodesAsString() {
        XCTAssertEqual(decodeOne([0x0F, 0x00, 0x00, 0x00, 0x03, 0x3C, 0x61, 0x3E]), .string("<a>"))
    }

    func testUnsupportedMarkerDecodesAsUndefined() {
        XCTAssertEqual(decodeOne([0x0D]), .undefined)
    }

    func testIncrementalDecodeLeavesReaderAfterValue() throws {
        var decoder = AMF0Decoder([0x05, 0x01, 0x01, 0x02, 0x00, 0x00])
        XCTAssertEqual(try decoder.decode(), .null)
        XCTAssertEqual(decoder.reader.position, 1)
        XCTAssertEqual(try decoder.decode(), .boolean(true))
        XCTAssertFalse(decoder.isAtEnd)
        XCTAssertEqual(try decoder.decode(), .string(""))
        XCTAssertTrue(decoder.isAtEnd)
    }

    func testEmptyInputDecodesToNoValues() throws {
        XCTAssertEqual(try AMF0Decoder.decodeAll([]), [])
    }

    // MARK: Malformed input

    func testTruncatedNumberThrows() {
        assertThrowsKernelError(try AMF0Decoder.decodeAll([0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0]))
        assertThrowsKernelError(try AMF0Decoder.decodeAll([0x00]))
    }

    func testTruncatedBooleanThrows() {
        assertThrowsKernelError(try AMF0Decoder.decodeAll([0x01]))
    }

    func testStringLengthBeyondInputThrows() {
        assertThrowsKernelError(try AMF0Decoder.decodeAll([0x02, 0x00, 0x05, 0x61, 0x62]))
        assertThrowsKernelError(try AMF0Decoder.decodeAll([0x02, 0x00]))
    }

    func testLongStringLengthBeyondInputThrows() {
        assertThrowsKernelError(try AMF0Decoder.decodeAll([0x0C, 0xFF, 0xFF, 0xFF, 0xFF, 0x61]))
    }

    func testUnsupportedMarkersThrow() {
        // movieclip, reference, recordset, AVM+ object.
        for marker: UInt8 in [0x04, 0x07, 0x0E, 0x11] {
            assertThrowsKernelError(try AMF0Decoder.decodeAll([marker, 0, 0, 0, 0, 0, 0, 0, 0]), "marker \(marker)")
        }
    }

    func testUnknownMarkersAbove0x11Throw() {
        for marker: UInt8 in [0x12, 0x20, 0xFF] {
            assertThrowsKernelError(try AMF0Decoder.decodeAll([marker]), "marker \(marker)")
        }
    }

    func testObjectEndOutsideObjectThrows() {
        assertThrowsKernelError(try AMF0Decoder.decodeAll([0x09]))
        assertThrowsKernelError(try AMF0Decoder.decodeAll([0x05, 0x09]))
    }

    func testObjectWithoutTerminatorThrows() {
        assertThrowsKernelError(try AMF0Decoder.decodeAll([0x03, 0x00, 0x01, 0x61, 0x05]))
        assertThrowsKernelError(try AMF0Decoder.decodeAll([0x03, 0x00]))
    }

    func testObjectPropertyNameBeyondInputThrows() {
        assertThrowsKernelError(try AMF0Decoder.decodeAll([0x03, 0x00, 0x10, 0x61]))
    }

    func testStrictArrayCountLargerThanInputThrows() {
        assertThrowsKernelError(try AMF0Decoder.decodeAll([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x05]))
        assertThrowsKernelError(try AMF0Decoder.decodeAll([0x0A, 0x00, 0x00, 0x00, 0x03, 0x05, 0x05]))
    }

    func testStrictArrayCountIsRejectedBeforeReadingElements() {
        // 500 elements announced, 1 byte left: refused up front, not after reserving and reading.
        XCTAssertThrowsError(try AMF0Decoder.decodeAll([0x0A, 0x00, 0x00, 0x01, 0xF4, 0x05])) { error in
            XCTAssertEqual((error as? KernelError)?.context, "AMF0 strict array")
        }
    }

    func testTruncatedDateTimeZoneThrows() {
        assertThrowsKernelError(try AMF0Decoder.decodeAll([0x0B, 0, 0, 0, 0, 0, 0, 0, 0, 0x00]))
    }

    /// `depth` objects nested in one another, each holding the next under key "a".
    private func nestedObjects(_ depth: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        for _ in 0..<depth { bytes += [0x03, 0x00, 0x01, 0x61] }
        bytes += [0x05]
        for _ in 0..<depth { bytes += [0x00, 0x00, 0x09] }
        return bytes
    }

    func testNestingUpToMaxDepthIsAccepted() throws {
        // The null inside `maxDepth` objects sits at depth maxDepth.
        let values = try AMF0Decoder.decodeAll(nestedObjects(AMF0Decoder.maxDepth))
        var value = values[0]
        for _ in 0..<AMF0Decoder.maxDepth {
            guard let inner = value["a"] else { return XCTFail("lost nesting") }
            value = inner
        }
        XCTAssertEqual(value, .null)
    }

    func testNestingDeeperThanMaxDepthThrows() {
        assertThrowsKernelError(try AMF0Decoder.decodeAll(nestedObjects(AMF0Decoder.maxDepth + 1)))
    }

    func testVeryDeepStrictArrayNestingThrowsWithoutStackOverflow() {
        var bytes: [UInt8] = []
        for _ in 0..<100_000 { bytes += [0x0A, 0x00, 0x00, 0x00, 0x01] }
        bytes += [0x05]
        assertThrowsKernelError(try AMF0Decoder.decodeAll(bytes))
    }

    func testVeryDeepECMAArrayNestingThrows() {
        var bytes: [UInt8] = []
        for _ in 0..<10_000 { bytes += [0x08, 0, 0, 0, 1, 0x00, 0x01, 0x61] }
        bytes += [0x05]
        assertThrowsKernelError(try AMF0Decoder.decodeAll(bytes))
    }
}
