import XCTest
@testable import SRSKernel

final class FLVTests: XCTestCase {
    func testFileHeaderWithAudioAndVideo() {
        XCTAssertEqual(FLV.fileHeader(), [0x46, 0x4C, 0x56, 0x01, 0x05, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00])
    }

    func testFileHeaderFlags() {
        XCTAssertEqual(FLV.fileHeader(hasAudio: true, hasVideo: false)[4], 0x04)
        XCTAssertEqual(FLV.fileHeader(hasAudio: false, hasVideo: true)[4], 0x01)
        XCTAssertEqual(FLV.fileHeader(hasAudio: false, hasVideo: false)[4], 0x00)
    }

    func testTagHeaderBelow2To24() {
        XCTAssertEqual(FLV.tagHeader(type: 9, dataSize: 0x01_0203, timestamp: 0x12_3456),
                       [0x09, 0x01, 0x02, 0x03, 0x12, 0x34, 0x56, 0x00, 0x00, 0x00, 0x00])
        XCTAssertEqual(FLV.tagHeader(type: 8, dataSize: 4, timestamp: 0xFF_FFFF),
                       [0x08, 0x00, 0x00, 0x04, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00])
    }

    func testTagHeaderTimestampExtensionByteFrom2To24() {
        XCTAssertEqual(FLV.tagHeader(type: 18, dataSize: 0, timestamp: 0x0100_0000),
                       [0x12, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00])
        XCTAssertEqual(FLV.tagHeader(type: 8, dataSize: 2, timestamp: 0x1234_5678),
                       [0x08, 0x00, 0x00, 0x02, 0x34, 0x56, 0x78, 0x12, 0x00, 0x00, 0x00])
    }

    func testTagHeaderMasksTypeToFiveBits() {
        // The upper bits are reserved / the filter flag.
        XCTAssertEqual(FLV.tagHeader(type: 0x28, dataSize: 0, timestamp: 0)[0], 0x08)
    }

    func testSizeConstants() {
        XCTAssertEqual(FLV.tagHeaderSize, 11)
        XCTAssertEqual(FLV.previousTagSizeSize, 4)
    }

    /// An FLV file built by hand: header, PreviousTagSize0, an audio tag at 0 ms and a video
    /// tag at 0x01000010 ms (timestamp extension 0x01), each followed by PreviousTagSize.
    private let twoTagFile: [UInt8] =
        [0x46, 0x4C, 0x56, 0x01, 0x05, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00]
        + [0x08, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00] + [0xAF, 0x00, 0x12, 0x10]
        + [0x00, 0x00, 0x00, 0x0F]
        + [0x09, 0x00, 0x00, 0x05, 0x00, 0x00, 0x10, 0x01, 0x00, 0x00, 0x00] + [0x17, 0x01, 0x00, 0x00, 0x00]
        + [0x00, 0x00, 0x00, 0x10]

    func testParseFileWithTwoTags() throws {
        let tags = try FLV.parseFile(twoTagFile)
        XCTAssertEqual(tags, [
            FLV.Tag(type: 8, timestamp: 0, body: [0xAF, 0x00, 0x12, 0x10]),
            FLV.Tag(type: 9, timestamp: 0x0100_0010, body: [0x17, 0x01, 0x00, 0x00, 0x00]),
        ])
    }

    func testGeneratedHeadersParseBack() throws {
        let body: [UInt8] = [0x27, 0x01, 0, 0, 0, 0xAB]
        var file = FLV.fileHeader()
        file += FLV.tagHeader(type: 9, dataSize: body.count, timestamp: 0x2233_4455) + body + [0, 0, 0, 17]
        let tags = try FLV.parseFile(file)
        XCTAssertEqual(tags, [FLV.Tag(type: 9, timestamp: 0x2233_4455, body: body)])
    }

    func testHeaderSizeLargerThanNineSkipsExtraBytes() throws {
        var file: [UInt8] = [0x46, 0x4C, 0x56, 0x01, 0x05, 0x00, 0x00, 0x00, 0x0B, 0xEE, 0xEE, 0x00, 0x00, 0x00, 0x00]
        file += [0x08, 0x00, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x2F, 0x00, 0x00, 0x00, 0x0C]
        XCTAssertEqual(try FLV.parseFile(file), [FLV.Tag(type: 8, timestamp: 5, body: [0x2F])])
    }

    func testStreamIdIsRead() throws {
        var reader = ByteReader([0x12, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07])
        XCTAssertEqual(try FLV.readTags(&reader, context: "t"), [FLV.Tag(type: 18, timestamp: 0, streamId: 7, body: [])])
    }

    func testBadSignatureThrows() {
        var file = twoTagFile
        file[2] = 0x58  // "FLX"
        assertThrowsKernelError(try FLV.parseFile(file))
    }

    func testHeaderSizeBelowNineThrows() {
        var file = twoTagFile
        file[8] = 0x08
        assertThrowsKernelError(try FLV.parseFile(file))
    }

    func testTruncatedHeaderThrows() {
        assertThrowsKernelError(try FLV.parseFile([0x46, 0x4C]))
        assertThrowsKernelError(try FLV.parseFile([0x46, 0x4C, 0x56, 0x01, 0x05, 0x00, 0x00, 0x00, 0x09]))
    }

    func testTagBodyBeyondInputThrows() {
        let file = Array(twoTagFile.prefix(13 + 11 + 2))
        assertThrowsKernelError(try FLV.parseFile(file))
    }

    func testTrailingBytesShorterThanATagHeaderAreIgnored() throws {
        XCTAssertEqual(try FLV.parseFile(twoTagFile + [0x08, 0x00]).count, 2)
    }
}
