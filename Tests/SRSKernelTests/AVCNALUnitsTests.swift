import XCTest
@testable import SRSKernel

final class AVCNALUnitsTests: XCTestCase {
    /// AUD, SPS prefix, IDR prefix with 4-byte lengths.
    static let avcc4: [UInt8] = [
        0x00, 0x00, 0x00, 0x02, 0x09, 0xF0,
        0x00, 0x00, 0x00, 0x03, 0x67, 0x42, 0xC0,
        0x00, 0x00, 0x00, 0x01, 0x65,
    ]

    func testSplitFourByteLengths() throws {
        let units = try AVCNALUnits.split(Self.avcc4, lengthSize: 4)
        XCTAssertEqual(units.map(Array.init), [[0x09, 0xF0], [0x67, 0x42, 0xC0], [0x65]])
        XCTAssertEqual(units.map(\.startIndex), [4, 10, 17], "slices keep the indices of the input")
        XCTAssertEqual(units.map { AVCNALUnits.nalType($0) }, [.accessUnitDelimiter, .sps, .idr])
    }

    func testSplitOneAndTwoByteLengths() throws {
        let two: [UInt8] = [0x00, 0x02, 0x06, 0x05, 0x00, 0x01, 0x41]
        XCTAssertEqual(try AVCNALUnits.split(two, lengthSize: 2).map(Array.init), [[0x06, 0x05], [0x41]])
        let one: [UInt8] = [0x01, 0x68, 0x03, 0x65, 0x88, 0x84]
        XCTAssertEqual(try AVCNALUnits.split(one, lengthSize: 1).map(Array.init), [[0x68], [0x65, 0x88, 0x84]])
        let slice = one[2...]
        XCTAssertEqual(try AVCNALUnits.split(slice, lengthSize: 1).map(\.startIndex), [3])
    }

    func testZeroLengthUnitsAreSkipped() throws {
        let bytes: [UInt8] = [0x00, 0x00, 0x00, 0x01, 0x09]
        XCTAssertEqual(try AVCNALUnits.split(bytes, lengthSize: 2).map(Array.init), [[0x09]])
        XCTAssertEqual(try AVCNALUnits.split([UInt8](), lengthSize: 4).count, 0)
    }

    func testMalformedAVCCThrows() {
        // A NAL length beyond the payload.
        XCTAssertThrowsError(try AVCNALUnits.split([0x00, 0x00, 0x00, 0x05, 0x65, 0x88], lengthSize: 4)) { error in
            XCTAssertEqual(error as? KernelError, .truncated("AVC NAL units NAL unit at offset 4", need: 5, have: 2))
        }
        // A length field cut short after a complete unit.
        assertThrowsKernelError(try AVCNALUnits.split([0x00, 0x00, 0x00, 0x01, 0x09, 0x00, 0x00], lengthSize: 4))
        // Length sizes other than 1, 2, 4.
        for size in [0, 3, 5, -1] {
            assertThrowsKernelError(try AVCNALUnits.split(Self.avcc4, lengthSize: size), "size \(size)")
            assertThrowsKernelError(try AVCNALUnits.annexB(from: Self.avcc4, lengthSize: size), "size \(size)")
        }
    }

    func testAnnexBConversion() throws {
        XCTAssertEqual(
            try AVCNALUnits.annexB(from: Self.avcc4, lengthSize: 4),
            [0x00, 0x00, 0x00, 0x01, 0x09, 0xF0, 0x00, 0x00, 0x00, 0x01, 0x67, 0x42, 0xC0, 0x00, 0x00, 0x00, 0x01, 0x65])
        XCTAssertEqual(
            AVCNALUnits.annexB(nalUnits: [[0x68, 0xCE], [0x06]] as [[UInt8]]),
            [0x00, 0x00, 0x00, 0x01, 0x68, 0xCE, 0x00, 0x00, 0x00, 0x01, 0x06])
        XCTAssertEqual(AVCNALUnits.annexB(nalUnits: [[UInt8]]()), [])
    }

    func testLengthPrefixedIsTheInverseOfSplit() throws {
        let units: [[UInt8]] = [[0x09, 0xF0], [0x67, 0x42, 0xC0], [0x65]]
        XCTAssertEqual(try AVCNALUnits.lengthPrefixed(nalUnits: units, lengthSize: 4), Self.avcc4)
        XCTAssertEqual(try AVCNALUnits.lengthPrefixed(nalUnits: units, lengthSize: 2), [0x00, 0x02, 0x09, 0xF0, 0x00, 0x03, 0x67, 0x42, 0xC0, 0x00, 0x01, 0x65])
        let big = [UInt8](repeating: 0x41, count: 256)
        XCTAssertEqual(try AVCNALUnits.split(try AVCNALUnits.lengthPrefixed(nalUnits: [big], lengthSize: 2), lengthSize: 2).map(Array.init), [big])
        assertThrowsKernelError(try AVCNALUnits.lengthPrefixed(nalUnits: [big], lengthSize: 1))
    }

    func testNALUnitsOfFLVTag() throws {
        let tag: [UInt8] = [0x17, 0x01, 0x00, 0x00, 0x50] + Self.avcc4
        let units = try AVCNALUnits.fromFLVVideoTag(tag, lengthSize: 4)
        XCTAssertEqual(units.map(Array.init), [[0x09, 0xF0], [0x67, 0x42, 0xC0], [0x65]])
        XCTAssertEqual(units.first?.startIndex, 9)
        let viaPointer = try tag.withUnsafeBytes { try AVCNALUnits.fromFLVVideoTag($0, lengthSize: 4) }
        XCTAssertEqual(viaPointer.map(Array.init), [[0x09, 0xF0], [0x67, 0x42, 0xC0], [0x65]])
        // End of sequence carries no NAL units.
        XCTAssertEqual(try AVCNALUnits.fromFLVVideoTag([0x17, 0x02, 0x00, 0x00, 0x00], lengthSize: 4).count, 0)
        // A sequence header, a non-AVC tag, a truncated header, a NAL length beyond the tag.
        assertThrowsKernelError(try AVCNALUnits.fromFLVVideoTag(AVCDecoderConfigurationTests.baselineTag, lengthSize: 4))
        assertThrowsKernelError(try AVCNALUnits.fromFLVVideoTag([0x22, 0x01, 0x00, 0x00, 0x00], lengthSize: 4))
        assertThrowsKernelError(try AVCNALUnits.fromFLVVideoTag([0x27, 0x01, 0x00], lengthSize: 4))
        assertThrowsKernelError(try AVCNALUnits.fromFLVVideoTag([0x27, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0x41], lengthSize: 4))
    }

    func testNALUnitTypes() {
        XCTAssertEqual(AVCNALUnitType(header: 0x41), .slice)
        XCTAssertEqual(AVCNALUnitType(header: 0x65), .idr)
        XCTAssertEqual(AVCNALUnitType(header: 0x06), .sei)
        XCTAssertEqual(AVCNALUnitType(header: 0x67), .sps)
        XCTAssertEqual(AVCNALUnitType(header: 0x68), .pps)
        XCTAssertEqual(AVCNALUnitType(header: 0x09), .accessUnitDelimiter)
        XCTAssertEqual(AVCNALUnitType(header: 0x65).rawValue, 5)
        XCTAssertTrue(AVCNALUnitType.idr.isVideoCodingLayer)
        XCTAssertFalse(AVCNALUnitType.sei.isVideoCodingLayer)
        XCTAssertEqual(AVCNALUnitType.idr.description, "IDR")
        XCTAssertEqual(AVCNALUnitType(rawValue: 20).description, "NAL type 20")
        XCTAssertNil(AVCNALUnits.nalType([UInt8]()))
    }

    func testFLVVideoTagHeader() throws {
        let key = try FLVVideoTagHeader(parsing: [0x17, 0x01, 0x00, 0x00, 0x50, 0xAA])
        XCTAssertEqual(key.frameType, 1)
        XCTAssertTrue(key.isKeyframe)
        XCTAssertEqual(key.codecID, 7)
        XCTAssertEqual(key.codec, .avc)
        XCTAssertEqual(key.avcPacketType, 1)
        XCTAssertEqual(key.compositionTime, 80)
        XCTAssertEqual(key.headerSize, 5)

        XCTAssertEqual(try FLVVideoTagHeader(parsing: [0x27, 0x01, 0xFF, 0xFF, 0xF6]).compositionTime, -10)
        XCTAssertEqual(try FLVVideoTagHeader(parsing: [0x27, 0x01, 0x7F, 0xFF, 0xFF]).compositionTime, 8_388_607)
        XCTAssertEqual(try FLVVideoTagHeader(parsing: [0x27, 0x01, 0x80, 0x00, 0x00]).compositionTime, -8_388_608)
        let inter = try [UInt8]([0x27, 0x01, 0x00, 0x00, 0x78]).withUnsafeBytes { try FLVVideoTagHeader(parsing: $0) }
        XCTAssertEqual(inter.frameType, 2)
        XCTAssertFalse(inter.isKeyframe)
        XCTAssertEqual(inter.compositionTime, 120)

        let hevc = try FLVVideoTagHeader(parsing: [0x1C, 0x00, 0x00, 0x00, 0x01])
        XCTAssertEqual(hevc.codec, .hevc)
        XCTAssertEqual(hevc.avcPacketType, 0)
        XCTAssertEqual(hevc.compositionTime, 1)

        let sorenson = try FLVVideoTagHeader(parsing: [0x22])
        XCTAssertEqual(sorenson.codec, .sorenson)
        XCTAssertEqual(sorenson.frameType, 2)
        XCTAssertNil(sorenson.avcPacketType)
        XCTAssertEqual(sorenson.compositionTime, 0)
        XCTAssertEqual(sorenson.headerSize, 1)

        assertThrowsKernelError(try FLVVideoTagHeader(parsing: [UInt8]()))
        assertThrowsKernelError(try FLVVideoTagHeader(parsing: [0x17, 0x01, 0x00, 0x00]))
    }
}
