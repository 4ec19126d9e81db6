import XCTest
@testable import SRSKernel

final class BitReaderTests: XCTestCase {
    func testReadBitsAcrossByteBoundaries() throws {
        var reader = BitReader([0xA5, 0x3C, 0xFF, 0x01])
        XCTAssertEqual(try reader.readBits(3), 0b101)
        XCTAssertEqual(try reader.readBits(7), 0b0010100)
        XCTAssertEqual(try reader.readBits(16), 0xF3FC)
        XCTAssertEqual(reader.bitPosition, 26)
        XCTAssertEqual(reader.bitsRemaining, 6)
        XCTAssertFalse(reader.isByteAligned)
        XCTAssertEqual(try reader.readBits(6), 1)
        XCTAssertTrue(reader.isAtEnd)
        assertThrowsKernelError(try reader.readBit())
    }

    func testSingleBitsAndWholeWords() throws {
        var reader = BitReader([0x80, 0xDE, 0xAD, 0xBE, 0xEF])
        XCTAssertTrue(try reader.readBit())
        XCTAssertFalse(try reader.readBit())
        try reader.skipBits(6)
        XCTAssertTrue(reader.isByteAligned)
        XCTAssertEqual(try reader.readBits(0), 0)
        XCTAssertEqual(try reader.readBits(32), 0xDEAD_BEEF)
        XCTAssertEqual(reader.bitsRemaining, 0)
    }

    func testUnsignedExpGolomb() throws {
        // 1 | 010 | 011 | 00100 | 00111 | 0000000 11111111
        var reader = BitReader([0xA6, 0x43, 0x80, 0xFF])
        XCTAssertEqual(try reader.readUE(), 0)
        XCTAssertEqual(try reader.readUE(), 1)
        XCTAssertEqual(try reader.readUE(), 2)
        XCTAssertEqual(try reader.readUE(), 3)
        XCTAssertEqual(try reader.readUE(), 6)
        XCTAssertEqual(try reader.readUE(), 254)
        XCTAssertTrue(reader.isAtEnd)
    }

    func testSignedExpGolomb() throws {
        // codes 1, 2, 3, 4, 0, 254
        var reader = BitReader([0x4C, 0x85, 0x80, 0xFF])
        XCTAssertEqual(try reader.readSE(), 1)
        XCTAssertEqual(try reader.readSE(), -1)
        XCTAssertEqual(try reader.readSE(), 2)
        XCTAssertEqual(try reader.readSE(), -2)
        XCTAssertEqual(try reader.readSE(), 0)
        XCTAssertEqual(try reader.readSE(), -127)
        XCTAssertTrue(reader.isAtEnd)
    }

    func testLargestExpGolombCode() throws {
        // 31 zeros, a one, 31 ones: 2^31 - 1 + 2^31 - 1.
        var reader = BitReader([0x00, 0x00, 0x00, 0x01, 0xFF, 0xFF, 0xFF, 0xFE])
        XCTAssertEqual(try reader.readUE(), 4_294_967_294)
        // 32 leading zeros cannot be represented.
        var tooLong = BitReader([0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00])
        XCTAssertThrowsError(try tooLong.readUE("long code")) { error in
            XCTAssertEqual((error as? KernelError)?.context, "long code")
        }
    }

    func testOverrunsThrowWithContext() {
        var zeros = BitReader([0x00])
        XCTAssertThrowsError(try zeros.readUE("all zeros")) { error in
            XCTAssertEqual((error as? KernelError)?.context, "all zeros")
        }
        // 15 leading zeros and the marker bit, then no room for the 15-bit suffix.
        var suffix = BitReader([0x00, 0x01])
        assertThrowsKernelError(try suffix.readUE())
        var short = BitReader([0xFF])
        XCTAssertThrowsError(try short.readBits(9, "nine")) { error in
            XCTAssertEqual(error as? KernelError, KernelError("nine", "truncated input: need 9 bits, have 8"))
        }
        XCTAssertEqual(short.bitPosition, 0, "a failed read consumes nothing")
        assertThrowsKernelError(try short.readBits(33))
        assertThrowsKernelError(try short.skipBits(-1))
        assertThrowsKernelError(try short.skipBits(9))
        var empty = BitReader([UInt8]())
        assertThrowsKernelError(try empty.readBit())
        assertThrowsKernelError(try empty.readSE())
    }

    func testReadsFromArraySliceWithNonZeroStart() throws {
        let bytes: [UInt8] = [0x00, 0x00, 0xF0]
        var reader = BitReader(bytes[2...])
        XCTAssertEqual(reader.bitCount, 8)
        XCTAssertEqual(try reader.readBits(4), 0xF)
    }

    func testBitWriterProducesTheSameCodes() throws {
        var writer = BitWriter()
        for value: UInt32 in [0, 1, 2, 3, 6, 254] { writer.writeUE(value) }
        XCTAssertEqual(writer.bytes, [0xA6, 0x43, 0x80, 0xFF])
        XCTAssertEqual(writer.bitCount, 32)

        var signed = BitWriter()
        for value: Int32 in [1, -1, 2, -2, 0, -127] { signed.writeSE(value) }
        XCTAssertEqual(signed.bytes, [0x4C, 0x85, 0x80, 0xFF])

        var mixed = BitWriter()
        mixed.writeBits(0b101, count: 3)
        mixed.writeBit(true)
        mixed.writeUE(4_294_967_294)
        mixed.writeSE(Int32.max)
        mixed.writeSE(-Int32.max)
        XCTAssertEqual(mixed.bitCount, 4 + 63 + 63 + 63)
        var reader = BitReader(mixed.bytes)
        XCTAssertEqual(try reader.readBits(4), 0b1011)
        XCTAssertEqual(try reader.readUE(), 4_294_967_294)
        XCTAssertEqual(try reader.readSE(), Int32.max)
        XCTAssertEqual(try reader.readSE(), -Int32.max)
        XCTAssertEqual(reader.bitsRemaining, 7, "zero padding of the last byte")
    }
}
