import SRSRTSP
import XCTest

final class AACRTPDepacketizerTests: XCTestCase {
    func testTwoFramesInOnePacketAndAFragmentedOne() {
        var depacketizer = AACRTPDepacketizer()
        // AU-headers-length 32 bits: sizes 3 and 2 (13 bits each) with index 0 and delta 0.
        let headers: [UInt8] = [0x00, 0x20, 0x00, 0x18, 0x00, 0x10]
        let packet = RTPPacket(marker: true, payloadType: 97, sequenceNumber: 1, timestamp: 44100, ssrc: 2, payload: (headers + [1, 2, 3, 4, 5])[...])
        XCTAssertEqual(depacketizer.feed(packet), [.init(data: [1, 2, 3], timestamp: 44100), .init(data: [4, 5], timestamp: 44100 + 1024)])
        // One frame of 6 bytes in two packets.
        let first = RTPPacket(marker: false, payloadType: 97, sequenceNumber: 2, timestamp: 50000, ssrc: 2, payload: ([0x00, 0x10, 0x00, 0x30] + [9, 8, 7, 6])[...])
        let second = RTPPacket(marker: true, payloadType: 97, sequenceNumber: 3, timestamp: 50000, ssrc: 2, payload: ([0x00, 0x10, 0x00, 0x30] + [5, 4])[...])
        XCTAssertEqual(depacketizer.feed(first), [])
        XCTAssertEqual(depacketizer.feed(second), [.init(data: [9, 8, 7, 6, 5, 4], timestamp: 50000)])
        XCTAssertEqual(depacketizer.droppedFrames, 0)
    }

    func testLossAndMalformedHeadersDropFrames() {
        var depacketizer = AACRTPDepacketizer()
        let first = RTPPacket(marker: false, payloadType: 97, sequenceNumber: 10, timestamp: 0, ssrc: 2, payload: ([0x00, 0x10, 0x00, 0x30] + [9, 8, 7, 6])[...])
        let lost = RTPPacket(marker: true, payloadType: 97, sequenceNumber: 12, timestamp: 1024, ssrc: 2, payload: ([0x00, 0x10, 0x00, 0x10] + [1, 2])[...])
        XCTAssertEqual(depacketizer.feed(first), [])
        XCTAssertEqual(depacketizer.feed(lost), [.init(data: [1, 2], timestamp: 1024)], "the frame after the gap is whole")
        XCTAssertEqual(depacketizer.droppedFrames, 1)
        let lying = RTPPacket(marker: true, payloadType: 97, sequenceNumber: 13, timestamp: 2048, ssrc: 2, payload: [0xFF, 0xFF, 0x00][...])
        XCTAssertEqual(depacketizer.feed(lying), [])
        let huge = RTPPacket(marker: true, payloadType: 97, sequenceNumber: 14, timestamp: 3072, ssrc: 2, payload: [0x00, 0x10, 0xFF, 0xF8, 1][...])
        XCTAssertEqual(depacketizer.feed(huge), [], "8191 bytes announced, one sent: a fragment that waits")
        XCTAssertEqual(depacketizer.droppedFrames, 2)
    }
}
