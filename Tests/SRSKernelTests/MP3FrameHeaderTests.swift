import XCTest
@testable import SRSKernel

final class MP3FrameHeaderTests: XCTestCase {
    private func header(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) throws -> MP3FrameHeader {
        do {
            return try MP3FrameHeader(parsing: bytes)
        } catch {
            XCTFail("header \(hex(bytes)) failed: \(error)", file: file, line: line)
            throw error
        }
    }

    func testMPEG1Layer3() throws {
        let mp3 = try header([0xFF, 0xFB, 0x90, 0x64])
        XCTAssertEqual(mp3.version, .mpeg1)
        XCTAssertEqual(mp3.layer, 3)
        XCTAssertFalse(mp3.hasCRC)
        XCTAssertEqual(mp3.bitrateKbps, 128)
        XCTAssertEqual(mp3.sampleRate, 44100)
        XCTAssertFalse(mp3.padding)
        XCTAssertEqual(mp3.channelMode, .jointStereo)
        XCTAssertEqual(mp3.modeExtension, 2)
        XCTAssertEqual(mp3.channels, 2)
        XCTAssertTrue(mp3.original)
        XCTAssertFalse(mp3.copyright)
        XCTAssertEqual(mp3.emphasis, 0)
        XCTAssertEqual(mp3.samplesPerFrame, 1152)
        // 144 * 128000 / 44100 = 417.96
        XCTAssertEqual(mp3.frameLength, 417)
        XCTAssertEqual(try header([0xFF, 0xFB, 0x92, 0x64]).frameLength, 418, "padding adds a byte")
    }

    func testMPEG2Layer3() throws {
        // LAME through ffmpeg, 22050 Hz mono 64 kbit/s; the next frame starts 208 bytes later.
        let mp3 = try header([0xFF, 0xF3, 0x80, 0xC0])
        XCTAssertEqual(mp3.version, .mpeg2)
        XCTAssertEqual(mp3.version.name, "2")
        XCTAssertEqual(mp3.layer, 3)
        XCTAssertEqual(mp3.bitrateKbps, 64)
        XCTAssertEqual(mp3.sampleRate, 22050)
        XCTAssertEqual(mp3.channelMode, .mono)
        XCTAssertEqual(mp3.channels, 1)
        XCTAssertEqual(mp3.samplesPerFrame, 576)
        XCTAssertEqual(mp3.frameLength, 208)
    }

    func testMPEG25Layer3() throws {
        // LAME through ffmpeg, 8000 Hz mono; frames 216 bytes apart.
        let mp3 = try header([0xFF, 0xE3, 0x38, 0xC0])
        XCTAssertEqual(mp3.version, .mpeg25)
        XCTAssertEqual(mp3.version.name, "2.5")
        XCTAssertEqual(mp3.bitrateKbps, 24)
        XCTAssertEqual(mp3.sampleRate, 8000)
        XCTAssertEqual(mp3.frameLength, 216)
    }

    func testMPEG1Layer2() throws {
        // ffmpeg's mp2 encoder, 48000 Hz stereo 192 kbit/s; frames 576 bytes apart.
        let mp2 = try header([0xFF, 0xFD, 0xA4, 0x04])
        XCTAssertEqual(mp2.version, .mpeg1)
        XCTAssertEqual(mp2.layer, 2)
        XCTAssertEqual(mp2.bitrateKbps, 192)
        XCTAssertEqual(mp2.sampleRate, 48000)
        XCTAssertEqual(mp2.channelMode, .stereo)
        XCTAssertEqual(mp2.samplesPerFrame, 1152)
        XCTAssertEqual(mp2.frameLength, 576)
    }

    func testLayer1WithPaddingAndCRC() throws {
        // MPEG-1 layer I with CRC, 384 kbit/s, 44100 Hz, padded: (12 * 384000 / 44100 + 1) * 4.
        let mp1 = try header([0xFF, 0xFE, 0xC2, 0x00])
        XCTAssertEqual(mp1.layer, 1)
        XCTAssertTrue(mp1.hasCRC)
        XCTAssertEqual(mp1.bitrateKbps, 384)
        XCTAssertTrue(mp1.padding)
        XCTAssertEqual(mp1.samplesPerFrame, 384)
        XCTAssertEqual(mp1.frameLength, 420)
        // MPEG-2 layer I uses its own table: index 9 is 144 kbit/s.
        XCTAssertEqual(try header([0xFF, 0xF7, 0x90, 0x00]).bitrateKbps, 144)
        // MPEG-2 layer II shares layer III's table: index 9 is 80 kbit/s, 144 * 80000 / 22050.
        let mpeg2Layer2 = try header([0xFF, 0xF5, 0x90, 0x00])
        XCTAssertEqual(mpeg2Layer2.bitrateKbps, 80)
        XCTAssertEqual(mpeg2Layer2.frameLength, 522)
    }

    func testInvalidHeadersThrow() {
        let cases: [([UInt8], String)] = [
            ([0xFF, 0x1B, 0x90, 0x64], "no frame sync"),
            ([0xFE, 0xFB, 0x90, 0x64], "no frame sync"),
            ([0xFF, 0xEB, 0x90, 0x64], "reserved version id"),
            ([0xFF, 0xF9, 0x90, 0x64], "reserved layer"),
            ([0xFF, 0xFB, 0xF0, 0x64], "reserved bitrate index 15"),
            ([0xFF, 0xFB, 0x00, 0x64], "free-format bitrate is not supported"),
            ([0xFF, 0xFB, 0x9C, 0x64], "reserved sampling rate index"),
        ]
        for (bytes, reason) in cases {
            XCTAssertThrowsError(try MP3FrameHeader(parsing: bytes), hex(bytes)) { error in
                XCTAssertEqual((error as? KernelError)?.reason, reason, hex(bytes))
            }
        }
        assertThrowsKernelError(try MP3FrameHeader(parsing: [0xFF, 0xFB, 0x90]))
        assertThrowsKernelError(try MP3FrameHeader(parsing: [UInt8]()))
    }

    func testFLVMP3Tag() throws {
        // ffmpeg's FLV muxer, LAME 22050 Hz mono 32 kbit/s: tag bodies of 105 and 106 bytes.
        let first = try MP3FrameHeader.fromFLVAudioTag([0x2A, 0xFF, 0xF3, 0x40, 0xC4, 0x00])
        XCTAssertEqual(first.frameLength, 104)
        let second = try [UInt8]([0x2A, 0xFF, 0xF3, 0x42, 0xC4]).withUnsafeBytes { try MP3FrameHeader.fromFLVAudioTag($0) }
        XCTAssertEqual(second.frameLength, 105)
        assertThrowsKernelError(try MP3FrameHeader.fromFLVAudioTag([0xAF, 0x01, 0xFF, 0xFB, 0x90, 0x64]))
        assertThrowsKernelError(try MP3FrameHeader.fromFLVAudioTag([0x2F, 0xFF, 0xFB]))
    }

    func testFLVAudioTagHeader() throws {
        let mp3 = try FLVAudioTagHeader(parsing: [0x2A, 0xFF])
        XCTAssertEqual(mp3.soundFormat, 2)
        XCTAssertEqual(mp3.codec, .mp3)
        XCTAssertEqual(mp3.soundRateCode, 2)
        XCTAssertEqual(mp3.soundRate, 22050)
        XCTAssertEqual(mp3.soundSizeBits, 16)
        XCTAssertFalse(mp3.isStereo)
        XCTAssertEqual(mp3.channels, 1)
        XCTAssertNil(mp3.aacPacketType)
        XCTAssertEqual(mp3.headerSize, 1)

        let aac = try [UInt8]([0xAF, 0x01, 0x21]).withUnsafeBytes { try FLVAudioTagHeader(parsing: $0) }
        XCTAssertEqual(aac.codec, .aac)
        XCTAssertEqual(aac.soundRate, 44100)
        XCTAssertTrue(aac.isStereo)
        XCTAssertEqual(aac.aacPacketType, 1)
        XCTAssertEqual(aac.headerSize, 2)

        let speex = try FLVAudioTagHeader(parsing: [0xB2])
        XCTAssertEqual(speex.codec, .speex)
        XCTAssertEqual(speex.soundRate, 5512)
        XCTAssertEqual(speex.soundSizeBits, 16)
        let pcm8 = try FLVAudioTagHeader(parsing: [0x05])
        XCTAssertEqual(pcm8.codec, .linearPCM)
        XCTAssertEqual(pcm8.soundRate, 11025)
        XCTAssertEqual(pcm8.soundSizeBits, 8)
        XCTAssertTrue(pcm8.isStereo)
        XCTAssertNil(try FLVAudioTagHeader(parsing: [0x9F]).codec)

        assertThrowsKernelError(try FLVAudioTagHeader(parsing: [UInt8]()))
        assertThrowsKernelError(try FLVAudioTagHeader(parsing: [0xAF]), "AAC needs its packet type")
    }
}
