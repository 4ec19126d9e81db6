import XCTest
@testable import SRSKernel

final class ByteReaderTests: XCTestCase {
    private let sample: [UInt8] = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A]

    func testBigEndianFields() throws {
        var reader = ByteReader(sample)
        XCTAssertEqual(try reader.readUInt8(), 0x01)
        XCTAssertEqual(try reader.readUInt16(), 0x0203)
        XCTAssertEqual(try reader.readUInt24(), 0x04_0506)
        XCTAssertEqual(try reader.readUInt32(), 0x0708_090A)
        XCTAssertTrue(reader.isAtEnd)
        XCTAssertEqual(reader.remaining, 0)
    }

    func testLittleEndianUInt32() throws {
        var reader = ByteReader([0x01, 0x02, 0x03, 0x04])
        XCTAssertEqual(try reader.readUInt32LittleEndian(), 0x0403_0201)
    }

    func testUInt64AndDouble() throws {
        var reader = ByteReader([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(try reader.readUInt64(), 0x0102_0304_0506_0708)
        XCTAssertEqual(try reader.readDouble(), 1.0)
    }

    func testHighBitsAreNotSignExtended() throws {
        var reader = ByteReader([0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0x80, 0x00, 0x00, 0x00])
        XCTAssertEqual(try reader.readUInt16(), 0xFFFE)
        XCTAssertEqual(try reader.readUInt24(), 0xFF_FFFF)
        XCTAssertEqual(try reader.readUInt32(), 0x8000_0000)
    }

    func testReadBytesAndSkipAndPeek() throws {
        var reader = ByteReader(sample)
        XCTAssertEqual(reader.peekUInt8(), 0x01)
        XCTAssertEqual(Array(try reader.readBytes(3)), [0x01, 0x02, 0x03])
        try reader.skip(2)
        XCTAssertEqual(reader.position, 5)
        XCTAssertEqual(reader.peekUInt8(), 0x06)
        XCTAssertEqual(reader.remaining, 5)
        XCTAssertEqual(Array(try reader.readBytes(0)), [])
    }

    func testPeekAtEndIsNil() throws {
        var reader = ByteReader([0x01])
        _ = try reader.readUInt8()
        XCTAssertNil(reader.peekUInt8())
    }

    func testTruncationThrowsAndDoesNotAdvance() {
        var reader = ByteReader([0x01, 0x02, 0x03])
        assertThrowsKernelError(try reader.readUInt32())
        XCTAssertEqual(reader.position, 0)
        assertThrowsKernelError(try reader.readUInt32LittleEndian())
        assertThrowsKernelError(try reader.readUInt64())
        assertThrowsKernelError(try reader.readDouble())
        assertThrowsKernelError(try reader.readBytes(4))
        assertThrowsKernelError(try reader.skip(4))
        XCTAssertEqual(reader.position, 0)
        XCTAssertEqual(try reader.readUInt24(), 0x01_0203)
        assertThrowsKernelError(try reader.readUInt8())
        assertThrowsKernelError(try reader.readUInt16())
        assertThrowsKernelError(try reader.readUInt24())
    }

    func testTruncationErrorNamesContextAndSizes() {
        var reader = ByteReader([0x01])
        do {
            _ = try reader.readUInt16("frame length")
            XCTFail("no error")
        } catch {
            XCTAssertEqual(error, KernelError.truncated("frame length", need: 2, have: 1))
            XCTAssertEqual(error.context, "frame length")
            XCTAssertEqual(error.description, "frame length: truncated input: need 2 bytes, have 1")
        }
    }

    func testNegativeCountsThrow() {
        var reader = ByteReader(sample)
        assertThrowsKernelError(try reader.readBytes(-1))
        assertThrowsKernelError(try reader.skip(-1))
        XCTAssertEqual(reader.position, 0)
    }

    func testEndLimitsTheReadableRange() throws {
        var reader = ByteReader(sample, position: 2, end: 4)
        XCTAssertEqual(reader.remaining, 2)
        assertThrowsKernelError(try reader.readUInt24())
        XCTAssertEqual(try reader.readUInt16(), 0x0304)
        XCTAssertTrue(reader.isAtEnd)
        XCTAssertNil(reader.peekUInt8())
        assertThrowsKernelError(try reader.readUInt8())
    }
}
