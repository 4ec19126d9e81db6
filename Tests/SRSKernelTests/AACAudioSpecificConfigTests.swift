import XCTest
@testable import SRSKernel

final class AACAudioSpecificConfigTests: XCTestCase {
    private func config(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) throws -> AACAudioSpecificConfig {
        do {
            return try AACAudioSpecificConfig(parsing: bytes)
        } catch {
            XCTFail("ASC \(hex(bytes)) failed: \(error)", file: file, line: line)
            throw error
        }
    }

    func testLC44100Stereo() throws {
        let asc = try config([0x12, 0x10])
        XCTAssertEqual(asc.audioObjectType, 2)
        XCTAssertEqual(asc.profileName, "LC")
        XCTAssertEqual(asc.samplingFrequencyIndex, 4)
        XCTAssertEqual(asc.sampleRate, 44100)
        XCTAssertEqual(asc.channelConfiguration, 2)
        XCTAssertEqual(asc.channelCount, 2)
        XCTAssertNil(asc.sbr)
        XCTAssertEqual(asc.outputSampleRate, 44100)
        XCTAssertEqual(asc.remainingBitCount, 3)
        XCTAssertEqual(asc.serialize(), [0x12, 0x10])
    }

    func testLC48000Mono() throws {
        let asc = try config([0x11, 0x88])
        XCTAssertEqual(asc.audioObjectType, 2)
        XCTAssertEqual(asc.samplingFrequencyIndex, 3)
        XCTAssertEqual(asc.sampleRate, 48000)
        XCTAssertEqual(asc.channelConfiguration, 1)
        XCTAssertEqual(asc.serialize(), [0x11, 0x88])
    }

    func testFFmpegSequenceHeaderWithSyncExtensionRoundTrips() throws {
        // ffmpeg 5.1's FLV muxer: AF 00, then LC 44100 stereo plus the 0x2B7 sync extension.
        let tag: [UInt8] = [0xAF, 0x00, 0x12, 0x10, 0x56, 0xE5, 0x00]
        let asc = try tag.withUnsafeBytes { try AACAudioSpecificConfig.fromFLVAudioTag($0) }
        XCTAssertEqual(asc.audioObjectType, 2)
        XCTAssertEqual(asc.sampleRate, 44100)
        XCTAssertEqual(asc.channelConfiguration, 2)
        XCTAssertEqual(asc.remainingBitCount, 27)
        XCTAssertEqual(asc.serialize(), [0x12, 0x10, 0x56, 0xE5, 0x00])
        XCTAssertEqual(try AACAudioSpecificConfig.fromFLVAudioTag([0xAF, 0x00, 0x11, 0x88, 0x56, 0xE5, 0x00]).sampleRate, 48000)
    }

    func testHEAACExplicitSignalling() throws {
        let asc = try config([0x2B, 0x92, 0x08, 0x00])
        XCTAssertEqual(asc.audioObjectType, 5)
        XCTAssertEqual(asc.profileName, "HE")
        XCTAssertEqual(asc.samplingFrequencyIndex, 7)
        XCTAssertEqual(asc.sampleRate, 22050)
        XCTAssertEqual(asc.channelConfiguration, 2)
        XCTAssertEqual(asc.sbr, .init(samplingFrequencyIndex: 4, sampleRate: 44100, coreObjectType: 2, channelConfiguration: nil))
        XCTAssertEqual(asc.coreObjectType, 2)
        XCTAssertEqual(asc.outputSampleRate, 44100)
        XCTAssertEqual(asc.serialize(), [0x2B, 0x92, 0x08, 0x00])
        // ADTS carries the LC core at the core rate: profile 1, index 7; 100 + 7 = 107 bytes.
        XCTAssertEqual(try asc.adtsHeader(frameLength: 100), [0xFF, 0xF1, 0x5C, 0x80, 0x0D, 0x7F, 0xFC])
    }

    func testHEAACv2() throws {
        // AOT 29, core 24000 mono, SBR 48000, core AOT 2.
        let asc = try config([0xEB, 0x09, 0x88, 0x00])
        XCTAssertEqual(asc.audioObjectType, 29)
        XCTAssertEqual(asc.profileName, "HEv2")
        XCTAssertEqual(asc.sampleRate, 24000)
        XCTAssertEqual(asc.channelConfiguration, 1)
        XCTAssertEqual(asc.sbr?.sampleRate, 48000)
        XCTAssertEqual(asc.sbr?.coreObjectType, 2)
        XCTAssertEqual(asc.serialize(), [0xEB, 0x09, 0x88, 0x00])
    }

    func testEscapedObjectType() throws {
        // 31 then 6 bits 10: object type 42, 48000, stereo.
        let asc = try config([0xF9, 0x46, 0x40])
        XCTAssertEqual(asc.audioObjectType, 42)
        XCTAssertEqual(asc.sampleRate, 48000)
        XCTAssertEqual(asc.channelConfiguration, 2)
        XCTAssertEqual(asc.serialize(), [0xF9, 0x46, 0x40])
        XCTAssertEqual(try AACAudioSpecificConfig(audioObjectType: 42, sampleRate: 48000, channelConfiguration: 2).serialize(), [0xF9, 0x46, 0x40])
    }

    func testExplicitSamplingFrequency() throws {
        let odd = try config([0x17, 0x80, 0x61, 0xA8, 0x10])
        XCTAssertEqual(odd.samplingFrequencyIndex, 0xF)
        XCTAssertEqual(odd.sampleRate, 50000)
        XCTAssertEqual(odd.channelConfiguration, 2)
        XCTAssertEqual(odd.serialize(), [0x17, 0x80, 0x61, 0xA8, 0x10])
        assertThrowsKernelError(try odd.adtsHeader(frameLength: 10), "50000 Hz has no ADTS index")
        // An explicit rate that is also in the table maps to its index in ADTS.
        let explicit44100 = try config([0x17, 0x80, 0x56, 0x22, 0x08])
        XCTAssertEqual(explicit44100.sampleRate, 44100)
        XCTAssertEqual(explicit44100.channelConfiguration, 1)
        XCTAssertEqual(try explicit44100.adtsHeader(frameLength: 0)[2], 0x50)
        XCTAssertEqual(try AACAudioSpecificConfig(audioObjectType: 2, sampleRate: 50000, channelConfiguration: 2).serialize(), [0x17, 0x80, 0x61, 0xA8, 0x10])
    }

    func testBuilder() throws {
        XCTAssertEqual(try AACAudioSpecificConfig(audioObjectType: 2, sampleRate: 44100, channelConfiguration: 2).serialize(), [0x12, 0x10])
        XCTAssertEqual(try AACAudioSpecificConfig(audioObjectType: 2, sampleRate: 48000, channelConfiguration: 1).serialize(), [0x11, 0x88])
        XCTAssertEqual(try AACAudioSpecificConfig(audioObjectType: 2, sampleRate: 44100, channelConfiguration: 2), try config([0x12, 0x10]))
        assertThrowsKernelError(try AACAudioSpecificConfig(audioObjectType: 5, sampleRate: 44100, channelConfiguration: 2))
        assertThrowsKernelError(try AACAudioSpecificConfig(audioObjectType: 0, sampleRate: 44100, channelConfiguration: 2))
        assertThrowsKernelError(try AACAudioSpecificConfig(audioObjectType: 2, sampleRate: 44100, channelConfiguration: 16))
    }

    func testProfileNamesAndChannelCounts() throws {
        XCTAssertEqual(try config([0x0A, 0x10]).profileName, "Main")
        XCTAssertEqual(try config([0x1A, 0x10]).profileName, "SSR")
        XCTAssertEqual(try config([0x22, 0x10]).profileName, "LTP")
        XCTAssertEqual(try config([0x8A, 0x10]).profileName, "ER LC")
        let surround = try config([0x11, 0xB8])
        XCTAssertEqual(surround.channelConfiguration, 7)
        XCTAssertEqual(surround.channelCount, 8)
        XCTAssertNil(try config([0x12, 0x00]).channelCount, "configuration 0 is defined by a PCE")
    }

    func testADTSHeader44100StereoLC() throws {
        let asc = try config([0x12, 0x10])
        // 371 + 7 = 378 = 0b0_0001_0111_1010: length bits 00 | 0x2F | 010, buffer fullness 0x7FF.
        XCTAssertEqual(try asc.adtsHeader(frameLength: 371), [0xFF, 0xF1, 0x50, 0x80, 0x2F, 0x5F, 0xFC])
        // 372 + 7 = 379 gives the bytes FF F1 50 80 2F 7F FC.
        XCTAssertEqual(try asc.adtsHeader(frameLength: 372), [0xFF, 0xF1, 0x50, 0x80, 0x2F, 0x7F, 0xFC])
        // Headers of ffmpeg 5.1's ADTS muxer for 44100 stereo LC frames of 345, 415 and 340 bytes.
        XCTAssertEqual(try asc.adtsHeader(frameLength: 338), [0xFF, 0xF1, 0x50, 0x80, 0x2B, 0x3F, 0xFC])
        XCTAssertEqual(try asc.adtsHeader(frameLength: 408), [0xFF, 0xF1, 0x50, 0x80, 0x33, 0xFF, 0xFC])
        XCTAssertEqual(try asc.adtsHeader(frameLength: 333), [0xFF, 0xF1, 0x50, 0x80, 0x2A, 0x9F, 0xFC])
    }

    func testADTSHeaderFieldsAndLimits() throws {
        let mono48k = try config([0x11, 0x88])
        XCTAssertEqual(try mono48k.adtsHeader(frameLength: 0), [0xFF, 0xF1, 0x4C, 0x40, 0x00, 0xFF, 0xFC])
        // The largest frame: 8184 + 7 = 8191 = 0x1FFF.
        XCTAssertEqual(try mono48k.adtsHeader(frameLength: 8184), [0xFF, 0xF1, 0x4C, 0x43, 0xFF, 0xFF, 0xFC])
        assertThrowsKernelError(try mono48k.adtsHeader(frameLength: 8185))
        assertThrowsKernelError(try mono48k.adtsHeader(frameLength: -1))
        // profile = object type - 1, clamped to 0...3.
        XCTAssertEqual(try config([0x0A, 0x10]).adtsHeader(frameLength: 1)[2] >> 6, 0, "Main")
        XCTAssertEqual(try config([0x22, 0x10]).adtsHeader(frameLength: 1)[2] >> 6, 3, "LTP")
        XCTAssertEqual(try config([0x8A, 0x10]).adtsHeader(frameLength: 1)[2] >> 6, 3, "ER LC clamped")
        // Channel configuration 7 splits across bytes 2 and 3.
        let surround = try config([0x11, 0xB8]).adtsHeader(frameLength: 1)
        XCTAssertEqual(surround[2] & 0x01, 1)
        XCTAssertEqual(surround[3] >> 6, 3)
        let elevenChannels = try config([0x12, 0x58])
        XCTAssertEqual(elevenChannels.channelConfiguration, 11)
        XCTAssertEqual(elevenChannels.channelCount, 7)
        assertThrowsKernelError(try elevenChannels.adtsHeader(frameLength: 1), "channel configuration 11")
    }

    func testMalformedConfigsThrow() {
        assertThrowsKernelError(try AACAudioSpecificConfig(parsing: [UInt8]()))
        assertThrowsKernelError(try AACAudioSpecificConfig(parsing: [0x12]))
        // Reserved sampling frequency index 13.
        XCTAssertThrowsError(try AACAudioSpecificConfig(parsing: [0x16, 0x90])) { error in
            XCTAssertEqual((error as? KernelError)?.reason, "reserved sampling frequency index 13")
        }
        // Explicit frequency cut short, HE-AAC without its core object type, escape without its 6 bits.
        assertThrowsKernelError(try AACAudioSpecificConfig(parsing: [0x17, 0x80, 0x61]))
        assertThrowsKernelError(try AACAudioSpecificConfig(parsing: [0x2B, 0x92]))
        assertThrowsKernelError(try AACAudioSpecificConfig(parsing: [0xF8]))
        // Not an AAC sequence header.
        assertThrowsKernelError(try AACAudioSpecificConfig.fromFLVAudioTag([0xAF, 0x01, 0x21, 0x10]))
        assertThrowsKernelError(try AACAudioSpecificConfig.fromFLVAudioTag([0x2F, 0x00, 0x12, 0x10]))
        assertThrowsKernelError(try AACAudioSpecificConfig.fromFLVAudioTag([0xAF]))
        assertThrowsKernelError(try AACAudioSpecificConfig.fromFLVAudioTag([0xAF, 0x00]))
    }
}
