import XCTest
@testable import SRSKernel

final class ByteWriterTests: XCTestCase {
    func testBigEndianFields() {
        var writer = ByteWriter()
        writer.writeUInt8(0x01)
        writer.writeUInt16(0x0203)
        writer.writeUInt24(0x04_0506)
        writer.writeUInt32(0x0708_090A)
        XCTAssertEqual(writer.bytes, [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A])
        XCTAssertEqual(writer.count, 10)
    }

    func testUInt24DropsTheHighByte() {
        var writer = ByteWriter()
        writer.writeUInt24(0xAABB_CCDD)
        XCTAssertEqual(writer.bytes, [0xBB, 0xCC, 0xDD])
    }

    func testLittleEndianUInt32() {
        var writer = ByteWriter()
        writer.writeUInt32LittleEndian(0x0102_0304)
        XCTAssertEqual(writer.bytes, [0x04, 0x03, 0x02, 0x01])
    }

    func testUInt64AndDouble() {
        var writer = ByteWriter()
        writer.writeUInt64(0x0102_0304_0506_0708)
        writer.writeDouble(1.0)
        XCTAssertEqual(writer.bytes, [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0])
    }

    func testWriteBytesAppendsSequences() {
        var writer = ByteWriter(capacity: 1)
        writer.writeBytes([0xAA, 0xBB])
        writer.writeBytes([UInt8](arrayLiteral: 0xCC)[...])
        XCTAssertEqual(writer.bytes, [0xAA, 0xBB, 0xCC])
    }

    func testPatchUInt32OverwritesInPlace() {
        var writer = ByteWriter()
        writer.writeUInt8(0xFF)
        writer.writeUInt32(0)
        writer.writeUInt8(0xEE)
        writer.patchUInt32(0xDEAD_BEEF, at: 1)
        XCTAssertEqual(writer.bytes, [0xFF, 0xDE, 0xAD, 0xBE, 0xEF, 0xEE])
    }

    func testWriterOutputReadsBackWithReader() throws {
        var writer = ByteWriter()
        writer.writeUInt16(0xBEEF)
        writer.writeUInt32LittleEndian(7)
        writer.writeDouble(-3.25)
        var reader = ByteReader(writer.bytes)
        XCTAssertEqual(try reader.readUInt16(), 0xBEEF)
        XCTAssertEqual(try reader.readUInt32LittleEndian(), 7)
        XCTAssertEqual(try reader.readDouble(), -3.25)
        XCTAssertTrue(reader.isAtEnd)
    }
}
