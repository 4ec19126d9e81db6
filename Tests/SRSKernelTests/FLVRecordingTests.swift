import XCTest
@testable import SRSKernel

/// The DVR file layout, byte for byte: header, onMetaData with duration and filesize first at
/// fixed offsets, tags with PreviousTagSize.
final class FLVRecordingTests: XCTestCase {
    func testStartPutsDurationAndFilesizeFirstAtFixedOffsets() throws {
        let publisher = AMF0Encoder.encode([.string("onMetaData"), .ecmaArray([
            AMF0Property("width", .number(320)), AMF0Property("duration", .number(99)), AMF0Property("encoder", .string("Lavf")),
        ])])
        let bytes = FLVRecording.start(metadata: publisher, hasAudio: true, hasVideo: false)
        XCTAssertEqual(Array(bytes[0..<13]), [0x46, 0x4C, 0x56, 0x01, 0x04, 0, 0, 0, 9, 0, 0, 0, 0], "FLV header, audio only, PreviousTagSize0")
        XCTAssertEqual(bytes[13], 18, "a script data tag")
        XCTAssertEqual(Array(bytes[24..<37]), [0x02, 0x00, 0x0A] + ascii("onMetaData"))
        XCTAssertEqual(Array(bytes[37..<42]), [0x08, 0, 0, 0, 4], "ECMA array of 4: duration, filesize, width, encoder")
        XCTAssertEqual(Array(bytes[42..<53]), [0x00, 0x08] + ascii("duration") + [0x00])
        XCTAssertEqual(Array(bytes[FLVRecording.durationOffset..<FLVRecording.durationOffset + 8]), [UInt8](repeating: 0, count: 8))
        XCTAssertEqual(Array(bytes[61..<72]), [0x00, 0x08] + ascii("filesize") + [0x00])
        XCTAssertTrue(FLVRecording.isPatchable(Array(bytes.prefix(FLVRecording.patchablePrefixSize))))
        // The publisher's other properties follow; its own duration is dropped.
        let tags = try FLV.parseFile(bytes)
        let values = try AMF0Decoder.decodeAll(tags[0].body)
        XCTAssertEqual(values[1]["width"], .number(320))
        XCTAssertEqual(values[1]["encoder"], .string("Lavf"))
        XCTAssertEqual(values[1]["duration"], .number(0))
        // The tag's PreviousTagSize closes the metadata.
        let size = Int(bytes[bytes.count - 1]) | Int(bytes[bytes.count - 2]) << 8
        XCTAssertEqual(size, bytes.count - 13 - 4)
    }

    func testDoubleIsBigEndianIEEE754() {
        XCTAssertEqual(FLVRecording.double(1.0), [0x3F, 0xF0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(FLVRecording.double(30.5), [0x40, 0x3E, 0x80, 0, 0, 0, 0, 0])
    }

    func testTagAndLastTimestamp() {
        let tag = FLVRecording.tag(type: 9, timestamp: 0x0123_4567, payload: [0x17, 0x01, 0xAA])
        XCTAssertEqual(tag, [0x09, 0, 0, 3, 0x23, 0x45, 0x67, 0x01, 0, 0, 0, 0x17, 0x01, 0xAA, 0, 0, 0, 14])
        XCTAssertEqual(FLVRecording.lastTimestamp(tail: [0xFF, 0xFF] + tag), 0x0123_4567)
        XCTAssertNil(FLVRecording.lastTimestamp(tail: Array(tag.suffix(10))), "the tail does not hold the whole tag")
        XCTAssertEqual(FLVRecording.flags(hasAudio: true, hasVideo: true), 0x05)
        XCTAssertFalse(FLVRecording.isPatchable(FLV.fileHeader() + [UInt8](repeating: 0, count: 80)))
    }
}
