import SRSRTSP
import XCTest

final class H264RTPDepacketizerTests: XCTestCase {
    private var sequence: UInt16 = 100

    private func packet(_ payload: [UInt8], timestamp: UInt32, marker: Bool = false, skip: UInt16 = 0) -> RTPPacket {
        sequence &+= 1 + skip
        return RTPPacket(marker: marker, payloadType: 96, sequenceNumber: sequence, timestamp: timestamp, ssrc: 1, payload: payload[...])
    }

    func testSingleNALAggregatesAndFragmentsMakeAccessUnits() {
        var depacketizer = H264RTPDepacketizer()
        // STAP-A with SPS and PPS, then an IDR in three FU-A fragments (marker on the last).
        XCTAssertEqual(depacketizer.feed(packet([0x18, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xCE], timestamp: 3000)), [])
        XCTAssertEqual(depacketizer.feed(packet([0x7C, 0x85, 0xA1, 0xA2], timestamp: 3000)), [])
        XCTAssertEqual(depacketizer.feed(packet([0x7C, 0x05, 0xA3], timestamp: 3000)), [])
        let idr = depacketizer.feed(packet([0x7C, 0x45, 0xA4], timestamp: 3000, marker: true))
        XCTAssertEqual(idr, [.init(units: [[0x67, 0x42], [0x68, 0xCE], [0x65, 0xA1, 0xA2, 0xA3, 0xA4]], timestamp: 3000)])
        // Two single NAL units without a marker: the next timestamp ends the access unit.
        XCTAssertEqual(depacketizer.feed(packet([0x06, 0x01], timestamp: 6000)), [])
        XCTAssertEqual(depacketizer.feed(packet([0x41, 0x9A], timestamp: 6000)), [])
        XCTAssertEqual(depacketizer.feed(packet([0x41, 0x9B], timestamp: 9000, marker: true)),
                       [.init(units: [[0x06, 0x01], [0x41, 0x9A]], timestamp: 6000), .init(units: [[0x41, 0x9B]], timestamp: 9000)])
        XCTAssertEqual(depacketizer.droppedUnits, 0)
    }

    func testALostPacketDropsItsAccessUnitOnly() {
        var depacketizer = H264RTPDepacketizer()
        XCTAssertEqual(depacketizer.feed(packet([0x7C, 0x85, 0xA1], timestamp: 3000)), [])
        // The middle fragment is lost.
        XCTAssertEqual(depacketizer.feed(packet([0x7C, 0x45, 0xA4], timestamp: 3000, marker: true, skip: 1)), [])
        XCTAssertEqual(depacketizer.droppedUnits, 1)
        XCTAssertEqual(depacketizer.feed(packet([0x41, 0x01], timestamp: 6000, marker: true)), [.init(units: [[0x41, 0x01]], timestamp: 6000)])
        // A repeated packet and a late one are ignored.
        let repeated = RTPPacket(marker: true, payloadType: 96, sequenceNumber: sequence, timestamp: 6000, ssrc: 1, payload: [0x41, 0x01])
        XCTAssertEqual(depacketizer.feed(repeated), [])
        // A fragment without its start, an FU-B and an empty STAP-A entry: dropped.
        XCTAssertEqual(depacketizer.feed(packet([0x7C, 0x05, 0xA3], timestamp: 9000, marker: true)), [])
        XCTAssertEqual(depacketizer.feed(packet([0x1D, 0x85, 0, 0, 1], timestamp: 12000, marker: true)), [])
        XCTAssertEqual(depacketizer.feed(packet([0x18, 0x00, 0x05, 0x67], timestamp: 15000, marker: true)), [])
        XCTAssertEqual(depacketizer.droppedUnits, 4)
    }

    func testASequenceJumpIsFollowedAtOnce() {
        var depacketizer = H264RTPDepacketizer()
        XCTAssertEqual(depacketizer.feed(packet([0x41, 0x01], timestamp: 3000, marker: true)).count, 1)
        // A restarted sender: 20000 further on (behind, as 16-bit numbers go).
        XCTAssertEqual(depacketizer.feed(packet([0x41, 0x02], timestamp: 6000, marker: true, skip: 20000)), [], "the frame the jump broke")
        XCTAssertEqual(depacketizer.feed(packet([0x41, 0x03], timestamp: 9000, marker: true)), [.init(units: [[0x41, 0x03]], timestamp: 9000)],
                       "then in-order packets flow again")
    }

    func testAnAccessUnitCannotGrowWithoutBound() {
        var depacketizer = H264RTPDepacketizer()
        let chunk = [UInt8](repeating: 0xAB, count: 60000)
        _ = depacketizer.feed(packet([0x7C, 0x85] + chunk, timestamp: 1))
        for _ in 0..<(H264RTPDepacketizer.maxAccessUnitBytes / chunk.count + 1) {
            _ = depacketizer.feed(packet([0x7C, 0x05] + chunk, timestamp: 1))
        }
        XCTAssertEqual(depacketizer.feed(packet([0x7C, 0x45], timestamp: 1, marker: true)), [])
        XCTAssertEqual(depacketizer.droppedUnits, 1)
    }
}
