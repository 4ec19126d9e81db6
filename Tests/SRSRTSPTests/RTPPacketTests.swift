import SRSRTSP
import XCTest

final class RTPPacketTests: XCTestCase {
    func testHeaderFieldsCSRCsExtensionAndPadding() throws {
        let plain = try XCTUnwrap(RTPPacket(parsing: [0x80, 0xE0, 0x12, 0x34, 0x00, 0x01, 0x5F, 0x90, 0xDE, 0xAD, 0xBE, 0xEF, 0x65, 0x88]))
        XCTAssertTrue(plain.marker)
        XCTAssertEqual(plain.payloadType, 96)
        XCTAssertEqual(plain.sequenceNumber, 0x1234)
        XCTAssertEqual(plain.timestamp, 90000)
        XCTAssertEqual(plain.ssrc, 0xDEAD_BEEF)
        XCTAssertEqual(Array(plain.payload), [0x65, 0x88])
        // One CSRC, a one-word extension, two bytes of padding.
        let full: [UInt8] = [0xB1, 0x61, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, /* CSRC */ 1, 2, 3, 4, /* ext */ 0xBE, 0xDE, 0, 1, 9, 9, 9, 9,
                             /* payload */ 0x41, 0x42, /* padding */ 0, 2]
        let packet = try XCTUnwrap(RTPPacket(parsing: full))
        XCTAssertFalse(packet.marker)
        XCTAssertEqual(packet.payloadType, 97)
        XCTAssertEqual(Array(packet.payload), [0x41, 0x42])
        XCTAssertEqual(RTPPacket.header(marker: true, payloadType: 96, sequenceNumber: 0x1234, timestamp: 90000, ssrc: 0xDEAD_BEEF),
                       [0x80, 0xE0, 0x12, 0x34, 0x00, 0x01, 0x5F, 0x90, 0xDE, 0xAD, 0xBE, 0xEF])
    }

    func testWhatIsNotRTPIsRefused() {
        XCTAssertNil(RTPPacket(parsing: [0x80, 0x60, 0, 1]), "short")
        XCTAssertNil(RTPPacket(parsing: [0x40] + [UInt8](repeating: 0, count: 11)), "version 1")
        XCTAssertNil(RTPPacket(parsing: [0x8F] + [UInt8](repeating: 0, count: 20)), "15 CSRCs do not fit")
        XCTAssertNil(RTPPacket(parsing: [0xA0, 0x60] + [UInt8](repeating: 0, count: 9) + [200]), "padding longer than the packet")
        XCTAssertNil(RTPPacket(parsing: [0x90, 0x60] + [UInt8](repeating: 0, count: 10) + [0, 0, 0xFF, 0xFF]), "extension longer than the packet")
    }

    func testSenderReportsOfACompoundPacket() {
        // SR (ssrc 0x11223344, NTP 0x00010002.00030004, RTP 90000, counts), then an SDES.
        let sr: [UInt8] = [0x80, 200, 0, 6, 0x11, 0x22, 0x33, 0x44, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00, 0x04,
                           0x00, 0x01, 0x5F, 0x90, 0, 0, 0, 10, 0, 0, 0x10, 0]
        let sdes: [UInt8] = [0x81, 202, 0, 2, 0x11, 0x22, 0x33, 0x44, 1, 0, 0, 0]
        XCTAssertEqual(RTCPSenderReport.reports(in: sdes + sr), [RTCPSenderReport(ssrc: 0x1122_3344, ntpMiddle: 0x0002_0003, rtpTimestamp: 90000)])
        XCTAssertEqual(RTCPSenderReport.reports(in: Array(sr.prefix(20))), [], "truncated")
        XCTAssertEqual(RTCPSenderReport.reports(in: [0x80, 200, 0xFF, 0xFF]), [], "a length past the end")
    }
}
