import XCTest
@testable import SRSKernel

/// Byte-exact tests of the MPEG-TS muxer. Every expected packet is written out from ISO/IEC 13818-1 by hand;
/// section CRCs were computed with an independent bit-by-bit CRC-32/MPEG-2 (and 0x2AB104B2 is the well-known CRC
/// of ffmpeg's default PAT, PMT PID 0x1000).
final class TSMuxerTests: XCTestCase {
    /// Concatenates parts into one expected packet and checks that it is 188 bytes.
    private func packet(_ parts: [UInt8]..., file: StaticString = #filePath, line: UInt = #line) -> [UInt8] {
        let bytes = parts.flatMap { $0 }
        XCTAssertEqual(bytes.count, 188, "expected packet is \(bytes.count) bytes", file: file, line: line)
        return bytes
    }

    private func ff(_ count: Int) -> [UInt8] { [UInt8](repeating: 0xFF, count: count) }

    /// Bytes 0, 1, 2, ... (mod 256).
    private func ramp(_ count: Int, from start: Int = 0) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: start + $0) } }

    private func assertBytes(_ actual: [UInt8], _ expected: [UInt8], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, "length", file: file, line: line)
        if let index = zip(actual, expected).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            XCTFail("first difference at byte \(index) (packet \(index / 188), offset \(index % 188)): got "
                    + "\(hex(actual[index..<min(index + 8, actual.count)])), want "
                    + "\(hex(expected[index..<min(index + 8, expected.count)]))", file: file, line: line)
        }
    }

    // PES headers used below: PTS only (prefix '0010'), stream 0xE0, PES_packet_length 0.
    private let videoHeaderPTS90000: [UInt8] = [0x00, 0x00, 0x01, 0xE0, 0x00, 0x00, 0x80, 0x80, 0x05,
                                                0x21, 0x00, 0x05, 0xBF, 0x21]

    // MARK: - CRC-32/MPEG-2

    func testCRCCheckValue() {
        XCTAssertEqual(CRC32MPEG2.checksum(Array("123456789".utf8)), 0x0376_E6E7)
    }

    func testCRCOfEmptyInputIsInitialValue() {
        XCTAssertEqual(CRC32MPEG2.checksum([UInt8]()), 0xFFFF_FFFF)
    }

    func testCRCOfFFmpegDefaultPATSection() {
        // PAT, transport_stream_id 1, program 1 -> PMT PID 0x1000: the CRC every ffmpeg .ts starts with.
        XCTAssertEqual(CRC32MPEG2.checksum([0x00, 0xB0, 0x0D, 0x00, 0x01, 0xC1, 0x00, 0x00, 0x00, 0x01, 0xF0, 0x00]),
                       0x2AB1_04B2)
    }

    func testCRCOverSectionIncludingItsCRCIsZero() {
        let section = TSMuxer.patSection(pmtPID: 0x1001)
        XCTAssertEqual(CRC32MPEG2.checksum(section), 0)
        XCTAssertEqual(CRC32MPEG2.update(CRC32MPEG2.checksum(section.prefix(5)), section.dropFirst(5)), 0)
    }

    // MARK: - PAT / PMT

    private let expectedPAT: [UInt8] = [
        0x47, 0x40, 0x00, 0x10,  // sync, PUSI, PID 0, payload only, CC 0
        0x00,  // pointer_field
        0x00, 0xB0, 0x0D,  // table_id 0, section_syntax 1, '0', '11', section_length 13
        0x00, 0x01,  // transport_stream_id 1
        0xC1, 0x00, 0x00,  // '11' version 0 current_next 1, section 0, last 0
        0x00, 0x01, 0xF0, 0x01,  // program 1 -> '111' PMT PID 0x1001
        0x2E, 0x70, 0x19, 0x05,  // CRC_32
    ]

    private let expectedPMTVideoAudio: [UInt8] = [
        0x47, 0x50, 0x01, 0x10,  // PUSI, PID 0x1001, payload only, CC 0
        0x00,  // pointer_field
        0x02, 0xB0, 0x17,  // table_id 2, section_length 23
        0x00, 0x01,  // program_number 1
        0xC1, 0x00, 0x00,
        0xE1, 0x00,  // PCR_PID 0x100
        0xF0, 0x00,  // program_info_length 0
        0x1B, 0xE1, 0x00, 0xF0, 0x00,  // H.264 on 0x100
        0x0F, 0xE1, 0x01, 0xF0, 0x00,  // AAC on 0x101
        0x2F, 0x44, 0xB9, 0x9B,  // CRC_32
    ]

    func testPATPacketEveryByte() {
        var muxer = TSMuxer(video: .h264, audio: .aac)
        let tables = muxer.tables()
        XCTAssertEqual(tables.count, 376)
        assertBytes(Array(tables[0..<188]), packet(expectedPAT, ff(188 - expectedPAT.count)))
    }

    func testPMTPacketForH264AndAAC() {
        var muxer = TSMuxer(video: .h264, audio: .aac)
        let tables = muxer.tables()
        assertBytes(Array(tables[188...]), packet(expectedPMTVideoAudio, ff(188 - expectedPMTVideoAudio.count)))
    }

    func testPMTAudioOnlyUsesAudioAsPCRPID() {
        var muxer = TSMuxer(video: nil, audio: .aac)
        XCTAssertEqual(muxer.pcrPID, 0x101)
        let pmt: [UInt8] = [
            0x47, 0x50, 0x01, 0x10, 0x00,
            0x02, 0xB0, 0x12, 0x00, 0x01, 0xC1, 0x00, 0x00,
            0xE1, 0x01,  // PCR_PID 0x101
            0xF0, 0x00,
            0x0F, 0xE1, 0x01, 0xF0, 0x00,
            0xEC, 0xE2, 0xB0, 0x94,
        ]
        assertBytes(Array(muxer.tables()[188...]), packet(pmt, ff(188 - pmt.count)))
    }

    func testPMTStreamTypesAndCRCForOtherCombinations() {
        for (video, audio, entries) in [
            (TSStreamType?.some(.h264), TSStreamType?.none, [[UInt8(0x1B), 0xE1, 0x00, 0xF0, 0x00]]),
            (nil, .mp3, [[UInt8(0x03), 0xE1, 0x01, 0xF0, 0x00]]),
            (.h264, .mpeg2Audio, [[UInt8(0x1B), 0xE1, 0x00, 0xF0, 0x00], [0x04, 0xE1, 0x01, 0xF0, 0x00]]),
        ] {
            let section = TSMuxer.pmtSection(pcrPID: video != nil ? 0x100 : 0x101, video: video, audio: audio)
            XCTAssertEqual(Int(section[2]), 9 + 5 * entries.count + 4, "section_length")
            XCTAssertEqual(Array(section[12..<(12 + 5 * entries.count)]), entries.flatMap { $0 })
            XCTAssertEqual(CRC32MPEG2.checksum(section), 0, "CRC of \(hex(section))")
        }
    }

    func testTablesContinuityCountersContinueAndWrap() {
        var muxer = TSMuxer(video: .h264, audio: .aac)
        let firstTables = muxer.tables()
        for round in 1..<17 {
            let tables = muxer.tables()
            XCTAssertEqual(tables[3], 0x10 | UInt8(round % 16), "PAT CC in round \(round)")
            XCTAssertEqual(tables[188 + 3], 0x10 | UInt8(round % 16), "PMT CC in round \(round)")
            XCTAssertEqual(Array(tables[4..<188]), Array(firstTables[4..<188]), "PAT otherwise unchanged")
            XCTAssertEqual(Array(tables[192...]), Array(firstTables[192...]), "PMT otherwise unchanged")
        }
        XCTAssertEqual(muxer.patContinuityCounter, 1)
        XCTAssertEqual(muxer.continuityCounter(forPID: 0x1001), 1)
        XCTAssertEqual(muxer.videoContinuityCounter, 0, "tables do not touch the video counter")
    }

    // MARK: - Timestamps

    func testPTSEncodingVectors() {
        XCTAssertEqual(TSTimestamps.encodePESTimestamp(0, prefix: 0x2), [0x21, 0x00, 0x01, 0x00, 0x01])
        XCTAssertEqual(TSTimestamps.encodePESTimestamp(90000, prefix: 0x2), [0x21, 0x00, 0x05, 0xBF, 0x21])
        XCTAssertEqual(TSTimestamps.encodePESTimestamp((1 << 33) - 1, prefix: 0x2), [0x2F, 0xFF, 0xFF, 0xFF, 0xFF])
        XCTAssertEqual(TSTimestamps.encodePESTimestamp((1 << 33) + 5, prefix: 0x2), [0x21, 0x00, 0x01, 0x00, 0x0B])
        XCTAssertEqual(TSTimestamps.encodePESTimestamp(5, prefix: 0x2), [0x21, 0x00, 0x01, 0x00, 0x0B])
        XCTAssertEqual(TSTimestamps.encodePESTimestamp(0x1_2345_6789, prefix: 0x2), [0x29, 0x8D, 0x15, 0xCF, 0x13])
        XCTAssertEqual(TSTimestamps.encodePESTimestamp(-1, prefix: 0x2), [0x2F, 0xFF, 0xFF, 0xFF, 0xFF], "-1 wraps")
    }

    func testPTSAndDTSPrefixes() {
        XCTAssertEqual(TSTimestamps.encodePESTimestamp(90000, prefix: TSTimestamps.ptsBeforeDTSPrefix),
                       [0x31, 0x00, 0x05, 0xBF, 0x21])
        XCTAssertEqual(TSTimestamps.encodePESTimestamp(90000, prefix: TSTimestamps.dtsPrefix),
                       [0x11, 0x00, 0x05, 0xBF, 0x21])
        XCTAssertEqual(TSTimestamps.encodePESTimestamp(0, prefix: TSTimestamps.ptsOnlyPrefix),
                       [0x21, 0x00, 0x01, 0x00, 0x01])
    }

    func testPCRFieldLayout() {
        var out: [UInt8] = []
        TSTimestamps.appendPCR(base: 0x1_2345_6789, extension: 0x1AB, to: &out)
        // base 1_0010_0011_0100_0101_0110_0111_1000_1001, reserved 111111, extension 1_1010_1011
        XCTAssertEqual(out, [0x91, 0xA2, 0xB3, 0xC4, 0xFF, 0xAB])
        XCTAssertEqual(TSTimestamps.encodePCR(90000 * 300), [0x00, 0x00, 0xAF, 0xC8, 0x7E, 0x00])
        XCTAssertEqual(TSTimestamps.encodePCR(((1 << 33) - 1) * 300 + 299), [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x2B])
        XCTAssertEqual(TSTimestamps.encodePCR(0x1_2345_6789 * 300 + 7), [0x91, 0xA2, 0xB3, 0xC4, 0xFE, 0x07])
    }

    // MARK: - Video PES

    func testSmallVideoPESInOnePacketWithStuffing() {
        var muxer = TSMuxer(video: .h264, audio: .aac)
        let out = muxer.writeVideo(ramp(10), pts: 90000, dts: 90000, isKeyframe: false)
        // 14 header + 10 payload = 24 bytes; 160 bytes of adaptation field: length 159, flags 0, 158 x 0xFF.
        assertBytes(out, packet([0x47, 0x41, 0x00, 0x30, 159, 0x00], ff(158), videoHeaderPTS90000, ramp(10)))
        XCTAssertEqual(muxer.videoContinuityCounter, 1)
    }

    func testKeyframeCarriesRandomAccessAndPCRAndStuffingExtendsTheField() {
        var muxer = TSMuxer(video: .h264, audio: .aac)
        let out = muxer.writeVideo(ramp(10), pts: 90000, dts: 90000, isKeyframe: true)
        // adaptation field: length 7 + 152 stuffing, flags RAI|PCR, PCR base 90000 ext 0, 0xFF x 152.
        assertBytes(out, packet([0x47, 0x41, 0x00, 0x30, 159, 0x50, 0x00, 0x00, 0xAF, 0xC8, 0x7E, 0x00],
                                ff(152), videoHeaderPTS90000, ramp(10)))
    }

    func testVideoWithDTSDifferentFromPTS() {
        var muxer = TSMuxer(video: .h264, audio: .aac)
        // PTS 93600 = 0x16DA0, DTS 90000 = 0x15F90.
        let out = muxer.writeVideo(ramp(4), pts: 93600, dts: 90000, isKeyframe: true)
        let header: [UInt8] = [0x00, 0x00, 0x01, 0xE0, 0x00, 0x00, 0x80, 0xC0, 0x0A,
                               0x31, 0x00, 0x05, 0xDB, 0x41,  // PTS '0011'
                               0x11, 0x00, 0x05, 0xBF, 0x21]  // DTS '0001'
        // 184 - 8 (field with PCR) - 19 - 4 = 153 stuffing bytes; PCR is the DTS.
        assertBytes(out, packet([0x47, 0x41, 0x00, 0x30, 7 + 153, 0x50, 0x00, 0x00, 0xAF, 0xC8, 0x7E, 0x00],
                                ff(153), header, ramp(4)))
    }

    func testPESOfExactly184BytesFillsOnePacketWithoutAdaptationField() {
        var muxer = TSMuxer(video: .h264, audio: .aac)
        let out = muxer.writeVideo(ramp(184 - 14), pts: 90000, dts: 90000, isKeyframe: false)
        assertBytes(out, packet([0x47, 0x41, 0x00, 0x10], videoHeaderPTS90000, ramp(170)))
    }

    func testOneByteShortUsesAdaptationFieldLengthZero() {
        var muxer = TSMuxer(video: .h264, audio: .aac)
        let out = muxer.writeVideo(ramp(169), pts: 90000, dts: 90000, isKeyframe: false)
        assertBytes(out, packet([0x47, 0x41, 0x00, 0x30, 0x00], videoHeaderPTS90000, ramp(169)))
    }

    func testTwoBytesShortUsesFlagsByteOnly() {
        var muxer = TSMuxer(video: .h264, audio: .aac)
        let out = muxer.writeVideo(ramp(168), pts: 90000, dts: 90000, isKeyframe: false)
        assertBytes(out, packet([0x47, 0x41, 0x00, 0x30, 0x01, 0x00], videoHeaderPTS90000, ramp(168)))
    }

    func testPESOf185BytesTakesTwoPackets() {
        var muxer = TSMuxer(video: .h264, audio: .aac)
        // PES = 14 + 171 = 185 bytes: 184 in the first packet, 1 in the second with 183 bytes of stuffing.
        let out = muxer.writeVideo(ramp(171), pts: 90000, dts: 90000, isKeyframe: false)
        assertBytes(out, packet([0x47, 0x41, 0x00, 0x10], videoHeaderPTS90000, ramp(170))
                         + packet([0x47, 0x01, 0x00, 0x31, 182, 0x00], ff(181), [170]))
        XCTAssertEqual(muxer.videoContinuityCounter, 2)
    }

    func testPayloadOf185BytesTakesTwoPackets() {
        var muxer = TSMuxer(video: .h264, audio: .aac)
        let out = muxer.writeVideo(ramp(185), pts: 90000, dts: 90000, isKeyframe: false)
        // second packet: 15 payload bytes, 169 bytes of adaptation field (length 168, flags, 167 x 0xFF).
        assertBytes(out, packet([0x47, 0x41, 0x00, 0x10], videoHeaderPTS90000, ramp(170))
                         + packet([0x47, 0x01, 0x00, 0x31, 168, 0x00], ff(167), ramp(15, from: 170)))
    }

    func testLastPacketOneAndTwoBytesShort() {
        var muxer = TSMuxer(video: .h264, audio: .aac)
        let one = muxer.writeVideo(ramp(170 + 183), pts: 90000, dts: 90000, isKeyframe: false)
        assertBytes(one, packet([0x47, 0x41, 0x00, 0x10], videoHeaderPTS90000, ramp(170))
                         + packet([0x47, 0x01, 0x00, 0x31, 0x00], ramp(183, from: 170)))
        let two = muxer.writeVideo(ramp(170 + 182), pts: 90000, dts: 90000, isKeyframe: false)
        assertBytes(two, packet([0x47, 0x41, 0x00, 0x12], videoHeaderPTS90000, ramp(170))
                         + packet([0x47, 0x01, 0x00, 0x33, 0x01, 0x00], ramp(182, from: 170)))
    }

    func testKeyframeSpanningPacketsHasFieldOnlyOnFirstAndLast() {
        var muxer = TSMuxer(video: .h264, audio: .aac)
        // first packet: 8-byte field + 176 bytes (14 header + 162 payload); second: 184 payload; third: 4 + stuffing.
        let out = muxer.writeVideo(ramp(162 + 184 + 4), pts: 90000, dts: 90000, isKeyframe: true)
        assertBytes(out, packet([0x47, 0x41, 0x00, 0x30, 7, 0x50, 0x00, 0x00, 0xAF, 0xC8, 0x7E, 0x00],
                                videoHeaderPTS90000, ramp(162))
                         + packet([0x47, 0x01, 0x00, 0x11], ramp(184, from: 162))
                         + packet([0x47, 0x01, 0x00, 0x32, 179, 0x00], ff(178), ramp(4, from: 346)))
    }

    func testLargePESContinuityCountersWrap() {
        var muxer = TSMuxer(video: .h264, audio: .aac)
        let payload = ramp(4000)
        let out = muxer.writeVideo(payload, pts: 90000, dts: 90000, isKeyframe: false)
        // 4014 PES bytes = 21 full packets (3864) + 150 bytes in a 22nd.
        XCTAssertEqual(out.count, 22 * 188)
        var reassembled: [UInt8] = []
        for index in 0..<22 {
            let p = Array(out[(index * 188)..<((index + 1) * 188)])
            XCTAssertEqual(p[0], 0x47)
            XCTAssertEqual(p[1], index == 0 ? 0x41 : 0x01, "PUSI only on the first packet, PID 0x100")
            XCTAssertEqual(p[2], 0x00)
            XCTAssertEqual(p[3] & 0x0F, UInt8(index % 16), "continuity_counter of packet \(index)")
            XCTAssertEqual(p[3] & 0xF0, index == 21 ? 0x30 : 0x10, "adaptation_field_control of packet \(index)")
            reassembled += p[3] & 0x20 != 0 ? Array(p[(5 + Int(p[4]))...]) : Array(p[4...])
        }
        XCTAssertEqual(Array(out[(21 * 188 + 4)..<(21 * 188 + 6)]), [33, 0x00], "34 bytes of stuffing")
        XCTAssertEqual(reassembled, videoHeaderPTS90000 + payload)
        XCTAssertEqual(muxer.videoContinuityCounter, 6)
    }

    func testContinuityAcrossTwoWriteVideoCalls() {
        var muxer = TSMuxer(video: .h264, audio: .aac)
        let first = muxer.writeVideo(ramp(300), pts: 0, dts: 0, isKeyframe: true)
        XCTAssertEqual(first.count, 2 * 188)
        XCTAssertEqual([first[3], first[188 + 3]], [0x30, 0x31])
        _ = muxer.tables()
        _ = muxer.writeAudio(ramp(50), pts: 0)
        let second = muxer.writeVideo(ramp(10), pts: 3600, dts: 3600, isKeyframe: false)
        XCTAssertEqual(second[3], 0x32, "video CC continues at 2 regardless of other PIDs")
        XCTAssertEqual(muxer.videoContinuityCounter, 3)
        XCTAssertEqual(muxer.audioContinuityCounter, 1)
        XCTAssertEqual(muxer.continuityCounter(forPID: 0x100), 3)
        XCTAssertEqual(muxer.continuityCounter(forPID: 0x101), 1)
    }

    func testEmptyAccessUnitStillMakesOnePacket() {
        var muxer = TSMuxer(video: .h264, audio: nil)
        let out = muxer.writeVideo([UInt8](), pts: 90000, dts: 90000, isKeyframe: false)
        assertBytes(out, packet([0x47, 0x41, 0x00, 0x30, 169, 0x00], ff(168), videoHeaderPTS90000))
    }

    func testStreamsTheMuxerDoesNotHaveWriteNothing() {
        var audioOnly = TSMuxer(video: nil, audio: .aac)
        XCTAssertEqual(audioOnly.writeVideo(ramp(10), pts: 0, dts: 0, isKeyframe: true), [])
        var videoOnly = TSMuxer(video: .h264, audio: nil)
        XCTAssertEqual(videoOnly.writeAudio(ramp(10), pts: 0), [])
        XCTAssertEqual(videoOnly.audioContinuityCounter, 0)
    }

    // MARK: - Audio PES

    func testAudioPESWithPacketLength() {
        var muxer = TSMuxer(video: .h264, audio: .aac)
        let out = muxer.writeAudio(ramp(100), pts: 90000)
        // PES_packet_length = 3 + 5 + 100 = 108; 184 - 114 = 70 bytes of stuffing.
        let header: [UInt8] = [0x00, 0x00, 0x01, 0xC0, 0x00, 108, 0x80, 0x80, 0x05, 0x21, 0x00, 0x05, 0xBF, 0x21]
        assertBytes(out, packet([0x47, 0x41, 0x01, 0x30, 69, 0x00], ff(68), header, ramp(100)))
        XCTAssertEqual(muxer.audioContinuityCounter, 1)
    }

    func testAudioOnlyCarriesRandomAccessAndPCR() {
        var muxer = TSMuxer(video: nil, audio: .aac)
        let out = muxer.writeAudio(ramp(100), pts: 90000)
        let header: [UInt8] = [0x00, 0x00, 0x01, 0xC0, 0x00, 108, 0x80, 0x80, 0x05, 0x21, 0x00, 0x05, 0xBF, 0x21]
        assertBytes(out, packet([0x47, 0x41, 0x01, 0x30, 7 + 62, 0x50, 0x00, 0x00, 0xAF, 0xC8, 0x7E, 0x00],
                                ff(62), header, ramp(100)))
    }

    func testAudioPacketLengthLimits() {
        var muxer = TSMuxer(video: .h264, audio: .mp3)
        let fits = muxer.writeAudio([UInt8](repeating: 0xAA, count: 0xFFFF - 8), pts: 0)
        XCTAssertEqual(Array(fits[4..<12]), [0x00, 0x00, 0x01, 0xC0, 0xFF, 0xFF, 0x80, 0x80])
        let tooLong = muxer.writeAudio([UInt8](repeating: 0xAA, count: 0xFFFF - 7), pts: 0)
        XCTAssertEqual(Array(tooLong[4..<12]), [0x00, 0x00, 0x01, 0xC0, 0x00, 0x00, 0x80, 0x80])
        XCTAssertEqual(tooLong.count % 188, 0)
    }

    func testAudioPTSWrapsAt33Bits() {
        var muxer = TSMuxer(video: .h264, audio: .aac)
        let out = muxer.writeAudio(ramp(170), pts: (1 << 33) + 5)
        assertBytes(out, packet([0x47, 0x41, 0x01, 0x10, 0x00, 0x00, 0x01, 0xC0, 0x00, 178, 0x80, 0x80, 0x05,
                                 0x21, 0x00, 0x01, 0x00, 0x0B], ramp(170)))
    }
}
