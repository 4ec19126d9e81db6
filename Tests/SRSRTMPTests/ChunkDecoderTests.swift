import XCTest
import SRSKernel
@testable import SRSRTMP

final class ChunkDecoderTests: XCTestCase {
    // MARK: Round trips with the encoder

    private func roundTrip(chunkSize: Int, lengths: [Int], file: StaticString = #filePath, line: UInt = #line) throws {
        let encoder = ChunkEncoder(chunkSize: chunkSize)
        var decoder = ChunkDecoder()
        try decoder.setChunkSize(chunkSize)
        var bytes: [UInt8] = []
        var sent: [RTMPMessage] = []
        for (index, length) in lengths.enumerated() {
            let message = RTMPMessage(typeId: index % 2 == 0 ? RTMPMessageType.video : RTMPMessageType.audio,
                                      streamId: 1, timestamp: Int64(index * 40), payload: pattern(length, seed: index))
            sent.append(message)
            bytes += encoder.encode(message)
        }
        let received = try decoder.feed(bytes)
        XCTAssertEqual(received.count, sent.count, "chunk size \(chunkSize)", file: file, line: line)
        for (a, b) in zip(received, sent) {
            XCTAssertEqual(a.typeId, b.typeId, file: file, line: line)
            XCTAssertEqual(a.streamId, b.streamId, file: file, line: line)
            XCTAssertEqual(a.timestamp, b.timestamp, file: file, line: line)
            XCTAssertEqual(a.payload.count, b.payload.count, file: file, line: line)
            XCTAssertTrue(a.payload == b.payload, "payload differs (chunk size \(chunkSize), length \(b.payload.count))", file: file, line: line)
        }
        XCTAssertEqual(decoder.bufferedByteCount, 0, file: file, line: line)
    }

    private func lengths(around size: Int) -> [Int] { [0, 1, size - 1, size, size + 1, 2 * size, 3 * size + 7] }

    func testRoundTripChunkSize128() throws { try roundTrip(chunkSize: 128, lengths: lengths(around: 128)) }
    func testRoundTripChunkSize4096() throws { try roundTrip(chunkSize: 4096, lengths: lengths(around: 4096)) }
    func testRoundTripChunkSize60000() throws { try roundTrip(chunkSize: 60000, lengths: lengths(around: 60000)) }
    func testRoundTripChunkSize65536() throws { try roundTrip(chunkSize: 65536, lengths: lengths(around: 65536)) }

    func testRoundTripDefaultChunkSizeIs128() throws {
        let decoder = ChunkDecoder()
        XCTAssertEqual(decoder.chunkSize, 128)
        var fresh = ChunkDecoder()
        let message = RTMPMessage(typeId: 9, streamId: 1, timestamp: 5, payload: pattern(300))
        XCTAssertEqual(try fresh.feed(ChunkEncoder().encode(message)), [message])
    }

    // MARK: Hand-built headers

    func testFmt0HeaderFieldsIncludingLittleEndianStreamId() throws {
        var decoder = ChunkDecoder()
        let bytes: [UInt8] = [0x04, 0x00, 0x03, 0xE8, 0x00, 0x00, 0x03, 0x08, 0x04, 0x03, 0x02, 0x01, 0xAA, 0xBB, 0xCC]
        XCTAssertEqual(try decoder.feed(bytes),
                       [RTMPMessage(typeId: 8, streamId: 0x0102_0304, timestamp: 1000, payload: [0xAA, 0xBB, 0xCC])])
    }

    func testFmt1Fmt2Fmt3DeltasAddUp() throws {
        var decoder = ChunkDecoder()
        var bytes: [UInt8] = []
        bytes += [0x04, 0x00, 0x03, 0xE8, 0x00, 0x00, 0x04, 0x08, 0x01, 0x00, 0x00, 0x00, 1, 2, 3, 4]  // fmt 0: ts 1000, audio, 4 bytes
        bytes += [0x44, 0x00, 0x00, 0x14, 0x00, 0x00, 0x03, 0x09, 5, 6, 7]                         // fmt 1: +20, video, 3 bytes
        bytes += [0x84, 0x00, 0x00, 0x1E, 8, 9, 10]                                                // fmt 2: +30
        bytes += [0xC4, 11, 12, 13]                                                                // fmt 3: +30 again
        let messages = try decoder.feed(bytes)
        XCTAssertEqual(messages, [
            RTMPMessage(typeId: 8, streamId: 1, timestamp: 1000, payload: [1, 2, 3, 4]),
            RTMPMessage(typeId: 9, streamId: 1, timestamp: 1020, payload: [5, 6, 7]),
            RTMPMessage(typeId: 9, streamId: 1, timestamp: 1050, payload: [8, 9, 10]),
            RTMPMessage(typeId: 9, streamId: 1, timestamp: 1080, payload: [11, 12, 13]),
        ])
    }

    func testFmt3AfterFmt0ReusesTheAbsoluteTimestampAsDelta() throws {
        var decoder = ChunkDecoder()
        var bytes: [UInt8] = [0x05, 0x00, 0x00, 0x64, 0x00, 0x00, 0x01, 0x08, 0x01, 0x00, 0x00, 0x00, 0xAF]  // ts 100
        bytes += [0xC5, 0xAE]
        bytes += [0xC5, 0xAD]
        let messages = try decoder.feed(bytes)
        XCTAssertEqual(messages.map(\.timestamp), [100, 200, 300])
        XCTAssertEqual(messages.map(\.payload), [[0xAF], [0xAE], [0xAD]])
    }

    func testFmt3ContinuationDoesNotAddDelta() throws {
        var decoder = ChunkDecoder()
        var bytes: [UInt8] = [0x06, 0x00, 0x00, 0x0A, 0x00, 0x00, 0x82, 0x09, 0x01, 0x00, 0x00, 0x00] + pattern(128)  // 130 bytes
        bytes += [0xC6] + pattern(2, seed: 128)
        let messages = try decoder.feed(bytes)
        XCTAssertEqual(messages, [RTMPMessage(typeId: 9, streamId: 1, timestamp: 10, payload: pattern(130))])
    }

    func testInterleavedChunkStreams() throws {
        var decoder = ChunkDecoder()
        var bytes: [UInt8] = []
        bytes += [0x06, 0x00, 0x00, 0x01, 0x00, 0x00, 0x84, 0x09, 0x01, 0x00, 0x00, 0x00] + pattern(128, seed: 0)     // video 132
        bytes += [0x07, 0x00, 0x00, 0x02, 0x00, 0x00, 0x82, 0x08, 0x01, 0x00, 0x00, 0x00] + pattern(128, seed: 100)   // audio 130
        bytes += [0xC7] + pattern(2, seed: 228)
        bytes += [0xC6] + pattern(4, seed: 128)
        let messages = try decoder.feed(bytes)
        XCTAssertEqual(messages, [
            RTMPMessage(typeId: 8, streamId: 1, timestamp: 2, payload: pattern(130, seed: 100)),
            RTMPMessage(typeId: 9, streamId: 1, timestamp: 1, payload: pattern(132)),
        ])
    }

    // MARK: Extended timestamps

    func testExtendedTimestampOnFmt0() throws {
        var decoder = ChunkDecoder()
        let bytes: [UInt8] = [0x04, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x02, 0x09, 0x01, 0x00, 0x00, 0x00,
                              0x01, 0x02, 0x03, 0x04, 0x17, 0x01]
        XCTAssertEqual(try decoder.feed(bytes), [RTMPMessage(typeId: 9, streamId: 1, timestamp: 0x0102_0304, payload: [0x17, 0x01])])
    }

    func testTimestampOfExactly0xFFFFFFUsesExtendedField() throws {
        var decoder = ChunkDecoder()
        let bytes: [UInt8] = [0x04, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x01, 0x09, 0x01, 0x00, 0x00, 0x00,
                              0x00, 0xFF, 0xFF, 0xFF, 0x27]
        XCTAssertEqual(try decoder.feed(bytes).map(\.timestamp), [0xFF_FFFF])
    }

    /// A 200-byte message at ts 0x01000000 on csid 4 (128 + 72 bytes).
    private func extendedMessage(repeatExtendedOnContinuation: Bool) -> [UInt8] {
        var bytes: [UInt8] = [0x04, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0xC8, 0x09, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00]
        bytes += pattern(128)
        bytes += [0xC4] + (repeatExtendedOnContinuation ? [0x01, 0x00, 0x00, 0x00] : [])
        bytes += pattern(72, seed: 128)
        return bytes
    }

    func testExtendedTimestampRepeatedOnFmt3Continuation() throws {
        var decoder = ChunkDecoder()
        let messages = try decoder.feed(extendedMessage(repeatExtendedOnContinuation: true))
        XCTAssertEqual(messages, [RTMPMessage(typeId: 9, streamId: 1, timestamp: 0x0100_0000, payload: pattern(200))])
    }

    func testExtendedTimestampOmittedOnFmt3Continuation() throws {
        var decoder = ChunkDecoder()
        let messages = try decoder.feed(extendedMessage(repeatExtendedOnContinuation: false))
        XCTAssertEqual(messages, [RTMPMessage(typeId: 9, streamId: 1, timestamp: 0x0100_0000, payload: pattern(200))])
    }

    func testExtendedTimestampContinuationByteByByte() throws {
        for repeated in [true, false] {
            var decoder = ChunkDecoder()
            var messages: [RTMPMessage] = []
            for byte in extendedMessage(repeatExtendedOnContinuation: repeated) {
                messages += try decoder.feed([byte])
            }
            XCTAssertEqual(messages, [RTMPMessage(typeId: 9, streamId: 1, timestamp: 0x0100_0000, payload: pattern(200))],
                           "repeated: \(repeated)")
        }
    }

    func testExtendedDeltaOnFmt1AndNewMessageFmt3ReusesIt() throws {
        var decoder = ChunkDecoder()
        var bytes: [UInt8] = [0x04, 0x00, 0x00, 0x10, 0x00, 0x00, 0x01, 0x09, 0x01, 0x00, 0x00, 0x00, 0xAA]  // ts 16
        bytes += [0x44, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x01, 0x09, 0x01, 0x00, 0x00, 0x00, 0xBB]             // delta 2^24
        bytes += [0xC4, 0x01, 0x00, 0x00, 0x00, 0xCC]                                                      // new message, same delta
        let messages = try decoder.feed(bytes)
        XCTAssertEqual(messages.map(\.timestamp), [16, 16 + 0x0100_0000, 16 + 0x0200_0000])
        XCTAssertEqual(messages.map(\.payload), [[0xAA], [0xBB], [0xCC]])
    }

    func testEncoderExtendedTimestampsDecode() throws {
        for chunkSize in [128, 4096] {
            var decoder = ChunkDecoder()
            try decoder.setChunkSize(chunkSize)
            let message = RTMPMessage(typeId: 9, streamId: 1, timestamp: 0x7FFF_FFFF, payload: pattern(3 * chunkSize + 5))
            XCTAssertEqual(try decoder.feed(ChunkEncoder(chunkSize: chunkSize).encode(message)), [message])
        }
    }

    // MARK: Chunk stream ids

    func testTwoByteChunkStreamIds() throws {
        var decoder = ChunkDecoder()
        var bytes: [UInt8] = []
        // csid 64: [fmt|0, 0]; csid 319: [fmt|0, 255]. Two 130-byte messages interleaved.
        bytes += [0x00, 0x00] + [0x00, 0x00, 0x01, 0x00, 0x00, 0x82, 0x09, 0x01, 0x00, 0x00, 0x00] + pattern(128, seed: 1)
        bytes += [0x00, 0xFF] + [0x00, 0x00, 0x02, 0x00, 0x00, 0x82, 0x08, 0x01, 0x00, 0x00, 0x00] + pattern(128, seed: 2)
        bytes += [0xC0, 0x00] + pattern(2, seed: 129)
        bytes += [0xC0, 0xFF] + pattern(2, seed: 130)
        let messages = try decoder.feed(bytes)
        XCTAssertEqual(messages, [
            RTMPMessage(typeId: 9, streamId: 1, timestamp: 1, payload: pattern(130, seed: 1)),
            RTMPMessage(typeId: 8, streamId: 1, timestamp: 2, payload: pattern(130, seed: 2)),
        ])
    }

    func testThreeByteChunkStreamIds() throws {
        var decoder = ChunkDecoder()
        var bytes: [UInt8] = []
        // csid 320 = 64 + 0x0100: [fmt|1, 0x00, 0x01]; csid 65599: [fmt|1, 0xFF, 0xFF]; csid 64 as 2 bytes.
        bytes += [0x01, 0x00, 0x01] + [0x00, 0x00, 0x01, 0x00, 0x00, 0x82, 0x09, 0x01, 0x00, 0x00, 0x00] + pattern(128, seed: 1)
        bytes += [0x01, 0xFF, 0xFF] + [0x00, 0x00, 0x02, 0x00, 0x00, 0x82, 0x08, 0x01, 0x00, 0x00, 0x00] + pattern(128, seed: 2)
        bytes += [0x00, 0x00] + [0x00, 0x00, 0x03, 0x00, 0x00, 0x82, 0x12, 0x01, 0x00, 0x00, 0x00] + pattern(128, seed: 3)
        bytes += [0xC1, 0xFF, 0xFF] + pattern(2, seed: 130)
        bytes += [0xC1, 0x00, 0x01] + pattern(2, seed: 129)
        bytes += [0xC0, 0x00] + pattern(2, seed: 131)
        let messages = try decoder.feed(bytes)
        XCTAssertEqual(messages, [
            RTMPMessage(typeId: 8, streamId: 1, timestamp: 2, payload: pattern(130, seed: 2)),
            RTMPMessage(typeId: 9, streamId: 1, timestamp: 1, payload: pattern(130, seed: 1)),
            RTMPMessage(typeId: 18, streamId: 1, timestamp: 3, payload: pattern(130, seed: 3)),
        ])
    }

    func testThreeByteFormIsLittleEndianAndMatchesTwoByteForm() throws {
        // csid 100 = 64 + 36: 3-byte form [fmt|1, 36, 0], 2-byte form [fmt|0, 36]; same chunk stream.
        var decoder = ChunkDecoder()
        var bytes: [UInt8] = [0x01, 0x24, 0x00] + [0x00, 0x00, 0x05, 0x00, 0x00, 0x82, 0x09, 0x01, 0x00, 0x00, 0x00] + pattern(128)
        bytes += [0xC0, 0x24] + pattern(2, seed: 128)
        // csid 0x1234 + 64 in 3-byte form (low byte first), continued in the same form.
        bytes += [0x01, 0x34, 0x12] + [0x00, 0x00, 0x06, 0x00, 0x00, 0x82, 0x08, 0x01, 0x00, 0x00, 0x00] + pattern(128)
        bytes += [0xC1, 0x34, 0x12] + pattern(2, seed: 128)
        XCTAssertEqual(try decoder.feed(bytes), [
            RTMPMessage(typeId: 9, streamId: 1, timestamp: 5, payload: pattern(130)),
            RTMPMessage(typeId: 8, streamId: 1, timestamp: 6, payload: pattern(130)),
        ])
        // The same first chunk continued on the byte-swapped id is another chunk stream.
        var swapped = ChunkDecoder()
        let start: [UInt8] = [0x01, 0x34, 0x12] + [0x00, 0x00, 0x06, 0x00, 0x00, 0x82, 0x08, 0x01, 0x00, 0x00, 0x00] + pattern(128)
        assertThrowsRTMPError(try swapped.feed(start + [0xC1, 0x12, 0x34] + pattern(2)))
    }

    func testThreeByteCsid320IsNotConfusedWithTwoByteCsid64() throws {
        var decoder = ChunkDecoder()
        var bytes: [UInt8] = []
        bytes += [0x01, 0x00, 0x01] + [0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x09, 0x01, 0x00, 0x00, 0x00, 0xAA]  // csid 320
        // fmt 1 on csid 64, which has never had a header: must fail.
        bytes += [0x40, 0x00] + [0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x09, 0xBB]
        assertThrowsRTMPError(try decoder.feed(bytes))
    }

    // MARK: Control

    func testSetChunkSizeAppliesToLaterChunksInTheSameFeed() throws {
        var decoder = ChunkDecoder()
        var bytes: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00]  // 4096
        let video = RTMPMessage(typeId: 9, streamId: 1, timestamp: 0, payload: pattern(3000))
        bytes += ChunkEncoder(chunkSize: 4096).encode(video)
        let messages = try decoder.feed(bytes)
        XCTAssertEqual(messages.count, 2)
        XCTAssertEqual(messages.first, RTMPMessage(typeId: 1, payload: [0x00, 0x00, 0x10, 0x00]))
        XCTAssertEqual(messages.last, video)
        XCTAssertEqual(decoder.chunkSize, 4096)
    }

    func testSetChunkSizeIgnoresTheHighBit() throws {
        var decoder = ChunkDecoder()
        _ = try decoder.feed([0x02, 0, 0, 0, 0, 0, 4, 0x01, 0, 0, 0, 0, 0x80, 0x00, 0x01, 0x00])
        XCTAssertEqual(decoder.chunkSize, 256)
    }

    func testSetChunkSizeZeroOrShortPayloadThrows() {
        var zero = ChunkDecoder()
        assertThrowsRTMPError(try zero.feed([0x02, 0, 0, 0, 0, 0, 4, 0x01, 0, 0, 0, 0, 0, 0, 0, 0]))
        var short = ChunkDecoder()
        assertThrowsRTMPError(try short.feed([0x02, 0, 0, 0, 0, 0, 2, 0x01, 0, 0, 0, 0, 0x10, 0x00]))
        var direct = ChunkDecoder()
        assertThrowsRTMPError(try direct.setChunkSize(0))
        assertThrowsRTMPError(try direct.setChunkSize(0x100_0000))
        XCTAssertNoThrow(try direct.setChunkSize(0xFF_FFFF))
    }

    func testAbortMessageDropsThePartialMessage() throws {
        var decoder = ChunkDecoder()
        var bytes: [UInt8] = []
        // First chunk of a 130-byte video message on csid 6.
        bytes += [0x06, 0x00, 0x00, 0x0A, 0x00, 0x00, 0x82, 0x09, 0x01, 0x00, 0x00, 0x00] + [UInt8](repeating: 0xEE, count: 128)
        // Abort (type 2) for csid 6.
        bytes += [0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06]
        // A fmt 3 chunk now starts a new 130-byte message.
        bytes += [0xC6] + pattern(128)
        bytes += [0xC6] + pattern(2, seed: 128)
        let messages = try decoder.feed(bytes)
        XCTAssertEqual(messages.count, 2)
        XCTAssertEqual(messages.first?.typeId, RTMPMessageType.abort)
        XCTAssertEqual(messages.last, RTMPMessage(typeId: 9, streamId: 1, timestamp: 20, payload: pattern(130)))
    }

    func testAbortMethodDropsThePartialMessage() throws {
        var decoder = ChunkDecoder()
        let first: [UInt8] = [0x06, 0x00, 0x00, 0x0A, 0x00, 0x00, 0x82, 0x09, 0x01, 0x00, 0x00, 0x00] + [UInt8](repeating: 0xEE, count: 128)
        XCTAssertEqual(try decoder.feed(first), [])
        decoder.abort(chunkStreamId: 6)
        let fresh: [UInt8] = [0x06, 0x00, 0x00, 0x0B, 0x00, 0x00, 0x01, 0x09, 0x01, 0x00, 0x00, 0x00, 0x27]
        XCTAssertEqual(try decoder.feed(fresh), [RTMPMessage(typeId: 9, streamId: 1, timestamp: 11, payload: [0x27])])
    }

    func testNewHeaderInTheMiddleOfAMessageRestarts() throws {
        var decoder = ChunkDecoder()
        var bytes: [UInt8] = [0x06, 0x00, 0x00, 0x0A, 0x00, 0x00, 0x82, 0x09, 0x01, 0x00, 0x00, 0x00] + [UInt8](repeating: 0xEE, count: 128)
        bytes += [0x06, 0x00, 0x00, 0x0B, 0x00, 0x00, 0x02, 0x09, 0x01, 0x00, 0x00, 0x00, 0x27, 0x01]
        XCTAssertEqual(try decoder.feed(bytes), [RTMPMessage(typeId: 9, streamId: 1, timestamp: 11, payload: [0x27, 0x01])])
    }

    // MARK: Incremental input

    func testFeedingOneByteAtATimeGivesTheSameMessages() throws {
        var encoder = ChunkEncoder(chunkSize: 128)
        var stream: [UInt8] = []
        var expected: [RTMPMessage] = []
        func add(_ message: RTMPMessage) {
            stream += encoder.encode(message)
            expected.append(message)
        }
        add(.command(["connect", 1, .object([AMF0Property("app", "live")])]))
        add(RTMPMessage(typeId: 9, streamId: 1, timestamp: 0, payload: pattern(300)))
        add(RTMPMessage(typeId: 8, streamId: 1, timestamp: 0x0100_0000, payload: pattern(260, seed: 3)))
        add(.setChunkSize(1000))
        encoder.chunkSize = 1000
        add(RTMPMessage(typeId: 9, streamId: 1, timestamp: 0x0100_0040, payload: pattern(2500, seed: 9)))
        add(RTMPMessage(typeId: 8, streamId: 1, timestamp: 50, payload: []))

        var whole = ChunkDecoder()
        let all = try whole.feed(stream)
        XCTAssertEqual(all, expected)

        var bytewise = ChunkDecoder()
        var collected: [RTMPMessage] = []
        for byte in stream { collected += try bytewise.feed([byte]) }
        XCTAssertEqual(collected, expected)
        XCTAssertEqual(bytewise.bufferedByteCount, 0)
        XCTAssertEqual(bytewise.chunkSize, 1000)
    }

    func testSharingMediaKeepsTheOrderAndTheBytesInPiecesOfAnySize() throws {
        var encoder = ChunkEncoder(chunkSize: 128)
        var stream: [UInt8] = []
        let command = RTMPMessage.command(["publish", 5, .null, "s"])
        let audio = RTMPMessage(typeId: 8, streamId: 1, timestamp: 21, payload: [0xAF, 0x01] + pattern(90))
        let video = RTMPMessage(typeId: 9, streamId: 1, timestamp: 40, payload: [0x17, 0x01] + pattern(3000, seed: 7))
        let data = RTMPMessage(typeId: 18, streamId: 1, timestamp: 40, payload: pattern(20, seed: 2))
        let close = RTMPMessage.command(["FCUnpublish", 6, .null, "s"])
        for message in [command, audio, video, data, close] { stream += encoder.encode(message) }
        for piece in [1, 7, 129, 4096] {
            var decoder = ChunkDecoder()
            var decoded: [ChunkDecoder.Decoded] = []
            var offset = 0
            while offset < stream.count {
                let end = min(offset + piece, stream.count)
                decoded += try decoder.feedSharingMedia(Array(stream[offset..<end]))
                offset = end
            }
            XCTAssertEqual(decoded.count, 5, "pieces of \(piece)")
            guard decoded.count == 5, case .message(let first) = decoded[0], case .media(let sharedAudio) = decoded[1],
                  case .media(let sharedVideo) = decoded[2], case .message(let fourth) = decoded[3],
                  case .message(let last) = decoded[4] else { return XCTFail("pieces of \(piece): \(decoded)") }
            XCTAssertEqual(first, command)
            XCTAssertEqual(RTMPMessage(sharedAudio, streamId: 1), audio)
            XCTAssertEqual(RTMPMessage(sharedVideo, streamId: 1), video)
            XCTAssertTrue(sharedVideo.isKeyframe && !sharedAudio.isSequenceHeader)
            XCTAssertEqual(fourth, data)
            XCTAssertEqual(last, close)
            XCTAssertEqual(decoder.bufferedByteCount, 0)
        }
    }

    func testPartialInputIsBufferedNotLost() throws {
        var decoder = ChunkDecoder()
        let bytes: [UInt8] = [0x04, 0x00, 0x00, 0x01, 0x00, 0x00, 0x03, 0x08, 0x01, 0x00, 0x00, 0x00, 0xAF, 0x01, 0x02]
        XCTAssertEqual(try decoder.feed(Array(bytes[0..<5])), [])
        XCTAssertEqual(decoder.bufferedByteCount, 5)
        XCTAssertEqual(try decoder.feed(Array(bytes[5..<14])), [])
        XCTAssertEqual(try decoder.feed(Array(bytes[14...])).map(\.payload), [[0xAF, 0x01, 0x02]])
        XCTAssertEqual(decoder.bufferedByteCount, 0)
    }

    // MARK: Timestamp unwrapping

    func testFmt0TimestampsUnwrapPast2To32() throws {
        var decoder = ChunkDecoder()
        var bytes: [UInt8] = [0x04, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x01, 0x08, 0x01, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x00, 0xAF]
        bytes += [0x04, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x01, 0x00, 0x00, 0x00, 0xAF]
        bytes += [0x04, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x08, 0x01, 0x00, 0x00, 0x00, 0xAF]
        let messages = try decoder.feed(bytes)
        XCTAssertEqual(messages.map(\.timestamp), [0xFFFF_FF00, 0x1_0000_0100, 0x1_0000_0200])
        XCTAssertGreaterThan(messages[1].timestamp, Int64(UInt32.max))
    }

    func testSmallBackwardFmt0TimestampIsNotAWrap() throws {
        var decoder = ChunkDecoder()
        var bytes: [UInt8] = [0x04, 0x00, 0x10, 0x00, 0x00, 0x00, 0x01, 0x08, 0x01, 0x00, 0x00, 0x00, 0xAF]
        bytes += [0x04, 0x00, 0x0F, 0x00, 0x00, 0x00, 0x01, 0x08, 0x01, 0x00, 0x00, 0x00, 0xAF]
        XCTAssertEqual(try decoder.feed(bytes).map(\.timestamp), [0x1000, 0x0F00])
    }

    func testFmt1DeltasPast2To32Continue() throws {
        var decoder = ChunkDecoder()
        var bytes: [UInt8] = [0x04, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x01, 0x08, 0x01, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xF0, 0xAF]
        bytes += [0x84, 0x00, 0x00, 0x20, 0xAF]
        XCTAssertEqual(try decoder.feed(bytes).map(\.timestamp), [0xFFFF_FFF0, 0x1_0000_0010])
    }

    /// A fmt 0 after deltas crossed 2^32 carries the low 32 bits of the real timestamp: it must
    /// unwrap against the current timestamp, not against the last fmt 0 value.
    func testFmt0AfterDeltasCrossed2To32UnwrapsAgainstCurrentTimestamp() throws {
        var decoder = ChunkDecoder()
        // fmt 0 at 0x10, then fmt 2 deltas of 0x7FFFFFFF, 0x7FFFFFFF, 0x12 (total: 2^32 + 0x20).
        var bytes: [UInt8] = [0x04, 0x00, 0x00, 0x10, 0x00, 0x00, 0x01, 0x08, 0x01, 0x00, 0x00, 0x00, 0xAF]
        bytes += [0x84, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xAF]
        bytes += [0x84, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xAF]
        bytes += [0x84, 0x00, 0x00, 0x12, 0xAF]
        // fmt 0 with the wrapped absolute 0x30: the real time is 2^32 + 0x30.
        bytes += [0x04, 0x00, 0x00, 0x30, 0x00, 0x00, 0x01, 0x08, 0x01, 0x00, 0x00, 0x00, 0xAF]
        let timestamps = try decoder.feed(bytes).map(\.timestamp)
        XCTAssertEqual(Array(timestamps.prefix(4)), [0x10, 0x8000_000F, 0x1_0000_000E, 0x1_0000_0020])
        XCTAssertEqual(timestamps.last, 0x1_0000_0030, "fmt 0 jumped back by 2^32")
    }

    // MARK: Limits and violations

    func testCommandLongerThanMaxControlMessageSizeThrows() {
        var decoder = ChunkDecoder()
        let length = decoder.maxControlMessageSize + 1  // 0x100001
        XCTAssertEqual(length, 0x10_0001)
        let header: [UInt8] = [0x03, 0x00, 0x00, 0x00, 0x10, 0x00, 0x01, 0x14, 0x00, 0x00, 0x00, 0x00]
        assertThrowsRTMPError(try decoder.feed(header))
    }

    func testCommandOfExactlyMaxControlMessageSizeIsAccepted() {
        var decoder = ChunkDecoder()
        let header: [UInt8] = [0x03, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00]
        XCTAssertEqual(try decoder.feed(header + [0x02]), [])
    }

    func testVideoOfTheSameLengthIsAcceptedButNotAboveMediaLimit() {
        var decoder = ChunkDecoder()
        XCTAssertEqual(try decoder.feed([0x06, 0x00, 0x00, 0x00, 0x10, 0x00, 0x01, 0x09, 0x01, 0x00, 0x00, 0x00]), [])
        var limited = ChunkDecoder()
        limited.maxMediaMessageSize = 1000
        assertThrowsRTMPError(try limited.feed([0x06, 0x00, 0x00, 0x00, 0x00, 0x03, 0xE9, 0x09, 0x01, 0x00, 0x00, 0x00]))
    }

    /// The first 128-byte chunk of a 1000-byte video message on `csid` (fmt 0, stream 1).
    private func firstChunkOfLongVideo(csid: UInt8) -> [UInt8] {
        [csid, 0x00, 0x00, 0x0A, 0x00, 0x03, 0xE8, 0x09, 0x01, 0x00, 0x00, 0x00] + pattern(128)
    }

    func testUnfinishedMessagesOverAllChunkStreamsAreBounded() {
        var decoder = ChunkDecoder()
        decoder.maxPartialBytes = 300
        XCTAssertEqual(try decoder.feed(firstChunkOfLongVideo(csid: 6) + firstChunkOfLongVideo(csid: 7)), [])  // 256 held
        assertThrowsRTMPError(try decoder.feed(firstChunkOfLongVideo(csid: 8)))  // 384 > 300
    }

    func testFinishedAbortedAndRestartedMessagesReleaseTheirBytes() throws {
        var decoder = ChunkDecoder()
        decoder.maxPartialBytes = 200
        // Ten 200-byte messages, each held at 128 bytes before its last chunk finishes it.
        for index in 0..<10 {
            let bytes: [UInt8] = [0x06, 0x00, 0x00, UInt8(index), 0x00, 0x00, 0xC8, 0x09, 0x01, 0x00, 0x00, 0x00] + pattern(128) + [0xC6] + pattern(72)
            XCTAssertEqual(try decoder.feed(bytes).count, 1)
        }
        // Aborted: csid 6 holds 128, the Abort releases it, csid 7 may hold 128.
        XCTAssertEqual(try decoder.feed(firstChunkOfLongVideo(csid: 6)), [])
        decoder.abort(chunkStreamId: 6)
        XCTAssertEqual(try decoder.feed(firstChunkOfLongVideo(csid: 7)), [])
        // Restarted: a new header on csid 7 drops its 128 bytes before taking 128 again.
        XCTAssertEqual(try decoder.feed(firstChunkOfLongVideo(csid: 7)), [])
        assertThrowsRTMPError(try decoder.feed(firstChunkOfLongVideo(csid: 8)))  // 256 > 200
    }

    /// A new header in the middle of a message whose chunk arrives over several reads drops
    /// the old message's bytes from the count once, not once per read.
    func testRestartSplitOverReadsReleasesTheOldBytesOnce() throws {
        var decoder = ChunkDecoder()
        decoder.maxPartialBytes = 300
        XCTAssertEqual(try decoder.feed(firstChunkOfLongVideo(csid: 4)), [])  // 128 held
        // A fresh 100-byte message on csid 4, its header and payload trickled byte by byte.
        let restart: [UInt8] = [0x04, 0x00, 0x00, 0x0B, 0x00, 0x00, 0x64, 0x09, 0x01, 0x00, 0x00, 0x00] + pattern(100)
        var messages: [RTMPMessage] = []
        for byte in restart { messages += try decoder.feed([byte]) }
        XCTAssertEqual(messages, [RTMPMessage(typeId: 9, streamId: 1, timestamp: 11, payload: pattern(100))])
        // Nothing is held now: two unfinished messages fit (256), a third does not (384 > 300).
        XCTAssertEqual(try decoder.feed(firstChunkOfLongVideo(csid: 5) + firstChunkOfLongVideo(csid: 6)), [])
        assertThrowsRTMPError(try decoder.feed(firstChunkOfLongVideo(csid: 7)))
    }

    /// Each fmt 3 header that starts a message adds the last delta (up to 2^32 - 1 ms): the
    /// clock stops at `maxTimestamp` with an error instead of running into overflow.
    func testTimestampsPastTheBoundAreRefused() throws {
        var decoder = ChunkDecoder()
        decoder.maxTimestamp = 1 << 34
        // Zero-length video messages: fmt 0 at 0, then fmt 1 with an extended delta of 2^32 - 1.
        XCTAssertEqual(try decoder.feed([0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0x01, 0x00, 0x00, 0x00]).count, 1)
        XCTAssertEqual(try decoder.feed([0x44, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x09, 0xFF, 0xFF, 0xFF, 0xFF]).last?.timestamp, 0xFFFF_FFFF)
        let repeatDelta: [UInt8] = [0xC4, 0xFF, 0xFF, 0xFF, 0xFF]
        XCTAssertEqual(try decoder.feed(repeatDelta + repeatDelta + repeatDelta).last?.timestamp, 4 * 0xFFFF_FFFF)
        assertThrowsRTMPError(try decoder.feed(repeatDelta))  // 5 * (2^32 - 1) > 2^34
    }

    func testLimitIsCheckedForFmt1Headers() {
        var decoder = ChunkDecoder()
        decoder.maxControlMessageSize = 4
        XCTAssertNoThrow(try decoder.feed([0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x14, 0x00, 0x00, 0x00, 0x00, 0x05, 0x05, 0x05, 0x05]))
        // fmt 1 raising the length of the next command above the limit.
        assertThrowsRTMPError(try decoder.feed([0x43, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x14]))
    }

    func testFmt1OnNeverSeenChunkStreamThrows() {
        var decoder = ChunkDecoder()
        assertThrowsRTMPError(try decoder.feed([0x44, 0x00, 0x00, 0x14, 0x00, 0x00, 0x01, 0x09, 0xAA]))
    }

    func testFmt2AndFmt3OnNeverSeenChunkStreamThrow() {
        var fmt2 = ChunkDecoder()
        assertThrowsRTMPError(try fmt2.feed([0x84, 0x00, 0x00, 0x14, 0xAA]))
        var fmt3 = ChunkDecoder()
        assertThrowsRTMPError(try fmt3.feed([0xC4, 0xAA]))
    }

    func testTooManyChunkStreamsThrows() {
        var decoder = ChunkDecoder()
        decoder.maxChunkStreams = 2
        XCTAssertNoThrow(try decoder.feed([0x04, 0, 0, 0, 0, 0, 1, 0x09, 1, 0, 0, 0, 0x27]))
        XCTAssertNoThrow(try decoder.feed([0x05, 0, 0, 0, 0, 0, 1, 0x09, 1, 0, 0, 0, 0x27]))
        assertThrowsRTMPError(try decoder.feed([0x06, 0, 0, 0, 0, 0, 1, 0x09, 1, 0, 0, 0, 0x27]))
    }

    func testZeroLengthMessage() throws {
        var decoder = ChunkDecoder()
        XCTAssertEqual(try decoder.feed([0x03, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00]),
                       [RTMPMessage(typeId: 20, timestamp: 7, payload: [])])
    }
}
