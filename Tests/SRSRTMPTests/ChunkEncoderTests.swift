import XCTest
import SRSKernel
@testable import SRSRTMP

final class ChunkEncoderTests: XCTestCase {
    func testSmallCommandExactBytes() {
        let message = RTMPMessage(typeId: 20, streamId: 0, timestamp: 0, payload: [0x02, 0x00, 0x02, 0x68, 0x69])
        XCTAssertEqual(ChunkEncoder().encode(message),
                       [0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x14, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x02, 0x68, 0x69])
    }

    func testHeaderFieldsAndLittleEndianStreamId() {
        var out: [UInt8] = []
        let message = RTMPMessage(typeId: 9, streamId: 0x0102_0304, timestamp: 0x0A_0B0C, payload: [0x17, 0x01])
        ChunkEncoder().encode(message, csid: 6, into: &out)
        XCTAssertEqual(out, [0x06, 0x0A, 0x0B, 0x0C, 0x00, 0x00, 0x02, 0x09, 0x04, 0x03, 0x02, 0x01, 0x17, 0x01])
    }

    func testMessageLargerThanChunkSizeGetsFmt3Continuations() {
        var out: [UInt8] = []
        let payload = pattern(300)
        ChunkEncoder(chunkSize: 128).encode(RTMPMessage(typeId: 8, streamId: 1, timestamp: 40, payload: payload), csid: 7, into: &out)
        var expected: [UInt8] = [0x07, 0x00, 0x00, 0x28, 0x00, 0x01, 0x2C, 0x08, 0x01, 0x00, 0x00, 0x00]
        expected += payload[0..<128] + [0xC7] + payload[128..<256] + [0xC7] + payload[256..<300]
        XCTAssertEqual(out, expected)
    }

    func testMessageOfExactlyChunkSizeHasNoContinuation() {
        var out: [UInt8] = []
        ChunkEncoder(chunkSize: 4).encode(RTMPMessage(typeId: 8, payload: [1, 2, 3, 4]), csid: 4, into: &out)
        XCTAssertEqual(out, [0x04, 0, 0, 0, 0, 0, 4, 0x08, 0, 0, 0, 0, 1, 2, 3, 4])
    }

    func testEmptyPayloadIsJustTheHeader() {
        XCTAssertEqual(ChunkEncoder().encode(RTMPMessage(typeId: 8, streamId: 1, payload: [])),
                       [0x07, 0, 0, 0, 0, 0, 0, 0x08, 0x01, 0, 0, 0])
    }

    func testExtendedTimestampOnFmt0AndEveryContinuation() {
        var out: [UInt8] = []
        let payload = pattern(200)
        ChunkEncoder(chunkSize: 128).encode(RTMPMessage(typeId: 9, streamId: 1, timestamp: 0x0100_0000, payload: payload), csid: 4, into: &out)
        var expected: [UInt8] = [0x04, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0xC8, 0x09, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00]
        expected += payload[0..<128] + [0xC4, 0x01, 0x00, 0x00, 0x00] + payload[128...]
        XCTAssertEqual(out, expected)
    }

    func testTimestampJustBelowExtendedThreshold() {
        let out = ChunkEncoder().encode(RTMPMessage(typeId: 8, streamId: 1, timestamp: 0xFF_FFFE, payload: [0xAF]))
        XCTAssertEqual(out, [0x07, 0xFF, 0xFF, 0xFE, 0, 0, 1, 0x08, 1, 0, 0, 0, 0xAF])
    }

    func testTimestampOf0xFFFFFFIsExtended() {
        let out = ChunkEncoder().encode(RTMPMessage(typeId: 8, streamId: 1, timestamp: 0xFF_FFFF, payload: [0xAF]))
        XCTAssertEqual(out, [0x07, 0xFF, 0xFF, 0xFF, 0, 0, 1, 0x08, 1, 0, 0, 0, 0x00, 0xFF, 0xFF, 0xFF, 0xAF])
    }

    func testTimestampsAbove2To32AreSentModulo2To32() {
        let out = ChunkEncoder().encode(RTMPMessage(typeId: 8, streamId: 1, timestamp: 0x1_0000_0005, payload: [0xAF]))
        XCTAssertEqual(out, [0x07, 0x00, 0x00, 0x05, 0, 0, 1, 0x08, 1, 0, 0, 0, 0xAF])
    }

    func testBasicHeaderForOneTwoAndThreeByteChunkStreamIds() {
        func basic(_ fmt: UInt8, _ csid: UInt32) -> [UInt8] {
            var out: [UInt8] = []
            ChunkEncoder.writeBasicHeader(into: &out, fmt: fmt, csid: csid)
            return out
        }
        XCTAssertEqual(basic(0, 2), [0x02])
        XCTAssertEqual(basic(3, 63), [0xFF])
        XCTAssertEqual(basic(0, 64), [0x00, 0x00])
        XCTAssertEqual(basic(1, 319), [0x40, 0xFF])
        XCTAssertEqual(basic(0, 320), [0x01, 0x00, 0x01])
        XCTAssertEqual(basic(3, 321), [0xC1, 0x01, 0x01])
        XCTAssertEqual(basic(2, 65599), [0x81, 0xFF, 0xFF])
    }

    func testLargeChunkStreamIdContinuationHeaders() {
        var out: [UInt8] = []
        ChunkEncoder(chunkSize: 2).encode(RTMPMessage(typeId: 8, payload: [1, 2, 3]), csid: 320, into: &out)
        XCTAssertEqual(out, [0x01, 0x00, 0x01, 0, 0, 0, 0, 0, 3, 0x08, 0, 0, 0, 0, 1, 2, 0xC1, 0x00, 0x01, 3])
        var decoder = ChunkDecoder()
        try? decoder.setChunkSize(2)
        XCTAssertEqual(try decoder.feed(out), [RTMPMessage(typeId: 8, payload: [1, 2, 3])])
    }

    func testChunkStreamChoiceByMessageType() {
        func csid(_ message: RTMPMessage) -> UInt8 { ChunkEncoder().encode(message)[0] & 0x3F }
        XCTAssertEqual(csid(.setChunkSize(4096)), 2)
        XCTAssertEqual(csid(.windowAckSize(1)), 2)
        XCTAssertEqual(csid(.setPeerBandwidth(1)), 2)
        XCTAssertEqual(csid(.acknowledgement(1)), 2)
        XCTAssertEqual(csid(.userControl(0, 1)), 2)
        XCTAssertEqual(csid(.command(["_result"])), 3)
        XCTAssertEqual(csid(.command(["onStatus"], streamId: 1)), 5)
        XCTAssertEqual(csid(RTMPMessage(typeId: 8, streamId: 1, payload: [0xAF])), 7)
        XCTAssertEqual(csid(RTMPMessage(typeId: 9, streamId: 1, payload: [0x17])), 6)
        XCTAssertEqual(csid(.data(["onMetaData"], streamId: 1)), 8)
    }

    func testControlMessageBodies() {
        XCTAssertEqual(RTMPMessage.setChunkSize(60000).payload, [0x00, 0x00, 0xEA, 0x60])
        XCTAssertEqual(RTMPMessage.windowAckSize(2_500_000).payload, [0x00, 0x26, 0x25, 0xA0])
        XCTAssertEqual(RTMPMessage.setPeerBandwidth(2_500_000).payload, [0x00, 0x26, 0x25, 0xA0, 0x02])
        XCTAssertEqual(RTMPMessage.acknowledgement(0x0102_0304).payload, [0x01, 0x02, 0x03, 0x04])
        XCTAssertEqual(RTMPMessage.userControl(6, 0x0A0B_0C0D).payload, [0x00, 0x06, 0x0A, 0x0B, 0x0C, 0x0D])
        XCTAssertEqual(RTMPMessage.userControl(3, 1, extra: 3000).payload, [0x00, 0x03, 0, 0, 0, 1, 0, 0, 0x0B, 0xB8])
        XCTAssertEqual(RTMPMessage.command(["a"]).payload, [0x02, 0x00, 0x01, 0x61])
        XCTAssertEqual(RTMPMessage.command(["a"]).typeId, 20)
        XCTAssertEqual(RTMPMessage.data(["a"]).typeId, 18)
    }

    func testAMF3BodyDropsTheFormatByte() {
        XCTAssertEqual(RTMPMessage(typeId: 17, payload: [0x00, 0x02, 0x00, 0x00]).amf0Body(), [0x02, 0x00, 0x00])
        XCTAssertEqual(RTMPMessage(typeId: 15, payload: [0x00, 0x05]).amf0Body(), [0x05])
        XCTAssertEqual(RTMPMessage(typeId: 20, payload: [0x00, 0x05]).amf0Body(), [0x00, 0x05])
    }
}
