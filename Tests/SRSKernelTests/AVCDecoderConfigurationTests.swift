import XCTest
@testable import SRSKernel

final class AVCDecoderConfigurationTests: XCTestCase {
    /// The AVC sequence header tag body ffmpeg 5.1's FLV muxer writes for x264 Baseline 320x240.
    static let baselineTag: [UInt8] = [
        0x17, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x42, 0xC0, 0x0D, 0xFF, 0xE1, 0x00, 0x18,
        0x67, 0x42, 0xC0, 0x0D, 0xD9, 0x01, 0x41, 0xFB, 0x01, 0x10, 0x00, 0x00, 0x03, 0x00, 0x10, 0x00,
        0x00, 0x03, 0x03, 0x20, 0xF1, 0x42, 0xA4, 0x80,
        0x01, 0x00, 0x05, 0x68, 0xCB, 0x83, 0xCB, 0x20,
    ]
    static var baselineRecord: [UInt8] { Array(baselineTag[5...]) }

    /// The same for x264 High 1280x720: the record ends with the High profile tail FD F8 F8 00.
    static let highTag: [UInt8] = [
        0x17, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x64, 0x00, 0x1F, 0xFF, 0xE1, 0x00, 0x1A,
        0x67, 0x64, 0x00, 0x1F, 0xAC, 0xD9, 0x40, 0x50, 0x05, 0xBB, 0x01, 0x10, 0x00, 0x00, 0x03, 0x00,
        0x10, 0x00, 0x00, 0x03, 0x03, 0x20, 0xF1, 0x83, 0x19, 0x60,
        0x01, 0x00, 0x06, 0x68, 0xEB, 0xE3, 0xCB, 0x22, 0xC0,
        0xFD, 0xF8, 0xF8, 0x00,
    ]
    static var highRecord: [UInt8] { Array(highTag[5...]) }

    func testBaselineRecordFromFLVTag() throws {
        let config = try Self.baselineTag.withUnsafeBytes { try AVCDecoderConfiguration.fromFLVVideoTag($0) }
        XCTAssertEqual(config.configurationVersion, 1)
        XCTAssertEqual(config.profileIndication, 0x42)
        XCTAssertEqual(config.profileCompatibility, 0xC0)
        XCTAssertEqual(config.levelIndication, 0x0D)
        XCTAssertEqual(config.nalUnitLengthSize, 4)
        XCTAssertEqual(config.sps, [H264SPSTests.baseline320x240])
        XCTAssertEqual(config.pps, [[0x68, 0xCB, 0x83, 0xCB, 0x20]])
        XCTAssertNil(config.highProfileExtension)
        XCTAssertEqual(config.serialize(), Self.baselineRecord)
    }

    func testHighRecordKeepsItsExtension() throws {
        let config = try AVCDecoderConfiguration.fromFLVVideoTag(Self.highTag)
        XCTAssertEqual(config.profileIndication, 100)
        XCTAssertEqual(config.levelIndication, 31)
        XCTAssertEqual(config.sps, [H264SPSTests.high1280x720])
        XCTAssertEqual(config.pps, [[0x68, 0xEB, 0xE3, 0xCB, 0x22, 0xC0]])
        XCTAssertEqual(
            config.highProfileExtension,
            .init(chromaFormat: 1, bitDepthLumaMinus8: 0, bitDepthChromaMinus8: 0, spsExtensions: []))
        XCTAssertEqual(config.serialize(), Self.highRecord)
        XCTAssertEqual(try config.parsedSPS()?.height, 720)
    }

    func testSerializeMultipleParameterSets() throws {
        let config = AVCDecoderConfiguration(
            profileIndication: 0x4D, profileCompatibility: 0x40, levelIndication: 0x1E, nalUnitLengthSize: 2,
            sps: [[0x67, 0x4D], [0x67, 0x4D, 0x40]], pps: [[0x68, 0xEE], [0x68], [0x68, 0x01, 0x02]])
        let bytes: [UInt8] = [
            0x01, 0x4D, 0x40, 0x1E, 0xFD,
            0xE2, 0x00, 0x02, 0x67, 0x4D, 0x00, 0x03, 0x67, 0x4D, 0x40,
            0x03, 0x00, 0x02, 0x68, 0xEE, 0x00, 0x01, 0x68, 0x00, 0x03, 0x68, 0x01, 0x02,
        ]
        XCTAssertEqual(config.serialize(), bytes)
        XCTAssertEqual(try AVCDecoderConfiguration(parsing: bytes), config)
    }

    func testLengthSizes() throws {
        var record = Self.baselineRecord
        for (byte, size) in [(UInt8(0xFC), 1), (0xFD, 2), (0xFF, 4), (0x03, 4)] {
            record[4] = byte
            XCTAssertEqual(try AVCDecoderConfiguration(parsing: record).nalUnitLengthSize, size)
        }
        record[4] = 0xFE
        XCTAssertThrowsError(try AVCDecoderConfiguration(parsing: record)) { error in
            XCTAssertEqual((error as? KernelError)?.reason, "NAL unit length size 3 is not 1, 2 or 4")
        }
    }

    func testTruncatedRecordsThrow() throws {
        let baseline = Self.baselineRecord
        for count in 0..<baseline.count {
            assertThrowsKernelError(try AVCDecoderConfiguration(parsing: baseline.prefix(count)), "prefix \(count)")
        }
        // The High profile tail is optional: without it (or with less than its 4 bytes) the record is whole.
        let high = Self.highRecord
        for count in 0..<(high.count - 4) {
            assertThrowsKernelError(try AVCDecoderConfiguration(parsing: high.prefix(count)), "prefix \(count)")
        }
        for count in (high.count - 4)..<high.count {
            XCTAssertNil(try AVCDecoderConfiguration(parsing: high.prefix(count)).highProfileExtension)
        }
        // A tail that announces an SPS extension it does not carry.
        assertThrowsKernelError(try AVCDecoderConfiguration(parsing: high.dropLast() + [0x01, 0x00, 0x04, 0x6D]))
    }

    func testEmptyParameterSetThrows() {
        let bytes: [UInt8] = [0x01, 0x42, 0xC0, 0x0D, 0xFF, 0xE1, 0x00, 0x00, 0x00]
        XCTAssertThrowsError(try AVCDecoderConfiguration(parsing: bytes)) { error in
            XCTAssertEqual((error as? KernelError)?.reason, "empty parameter set")
        }
    }

    func testWrongFLVTagsThrow() {
        // An AVC NALU tag, an HEVC sequence header, a Sorenson keyframe, a header cut short.
        for tag: [UInt8] in [[0x17, 0x01, 0, 0, 0, 0x01], [0x1C, 0x00, 0, 0, 0, 0x01], [0x12, 0x00], [0x17, 0x00, 0x00], []] {
            assertThrowsKernelError(try AVCDecoderConfiguration.fromFLVVideoTag(tag), hex(tag))
            assertThrowsKernelError(try tag.withUnsafeBytes { try AVCDecoderConfiguration.fromFLVVideoTag($0) }, hex(tag))
        }
    }
}
