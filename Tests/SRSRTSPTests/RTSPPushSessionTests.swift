import SRSKernel
import SRSRTSP
import XCTest

final class RTSPPushSessionTests: XCTestCase {
    private func request(_ method: String, _ uri: String, cseq: Int, _ headers: [(String, String)] = [], body: [UInt8] = []) -> RTSPRequest {
        RTSPRequest(method: method, uri: uri, headers: [("CSeq", "\(cseq)")] + headers.map { (name: $0.0, value: $0.1) }, body: body)
    }

    private func text(_ reply: RTSPPushSession.Reply) -> String {
        switch reply {
        case .respond(let bytes), .respondAndClose(let bytes): String(decoding: bytes, as: UTF8.self)
        case .record(let path, let query): "record \(path) \(query)"
        }
    }

    private let noUDP: (Int) -> (rtp: Int, rtcp: Int)? = { _ in nil }

    /// A session through ANNOUNCE and both SETUPs over TCP, recording.
    private func recordingSession() -> RTSPPushSession {
        var session = RTSPPushSession(sessionId: "S1")
        let sdp = Array(RTSPMessageParserTests.sdp.utf8)
        _ = session.handle(request("ANNOUNCE", "rtsp://h/live/x", cseq: 2, [("Content-Type", "application/sdp")], body: sdp), bindUDP: noUDP)
        _ = session.handle(request("SETUP", "rtsp://h/live/x/streamid=0", cseq: 3, [("Transport", "RTP/AVP/TCP;unicast;interleaved=0-1;mode=record")]), bindUDP: noUDP)
        _ = session.handle(request("SETUP", "rtsp://h/live/x/streamid=1", cseq: 4, [("Transport", "RTP/AVP/TCP;unicast;interleaved=2-3;mode=record")]), bindUDP: noUDP)
        XCTAssertEqual(text(session.handle(request("RECORD", "rtsp://h/live/x?token=1", cseq: 5, [("Session", "S1")]), bindUDP: noUDP)), "record /live/x ")
        _ = session.recordDecided(status: 200, cseq: "5")
        return session
    }

    func testFFmpegsRequestsOverTCP() {
        var session = RTSPPushSession(sessionId: "S1")
        XCTAssertEqual(text(session.handle(request("OPTIONS", "rtsp://h/live/x", cseq: 1), bindUDP: noUDP)),
                       "RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: \(RTSPPushSession.methods)\r\n\r\n")
        XCTAssertEqual(text(session.handle(request("RECORD", "rtsp://h/live/x", cseq: 2), bindUDP: noUDP)),
                       "RTSP/1.0 455 Method Not Valid in This State\r\nCSeq: 2\r\n\r\n")
        let sdp = Array(RTSPMessageParserTests.sdp.utf8)
        XCTAssertEqual(text(session.handle(request("ANNOUNCE", "rtsp://h/live/x?vhost=v", cseq: 3, [("Content-Type", "application/sdp")], body: sdp),
                                           bindUDP: noUDP)), "RTSP/1.0 200 OK\r\nCSeq: 3\r\n\r\n")
        XCTAssertEqual(text(session.handle(request("SETUP", "rtsp://h/live/x/streamid=0", cseq: 4, [("Transport", "RTP/AVP/TCP;unicast;interleaved=0-1;mode=record")]),
                                           bindUDP: noUDP)),
                       "RTSP/1.0 200 OK\r\nCSeq: 4\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1;mode=record\r\nSession: S1;timeout=60\r\n\r\n")
        XCTAssertEqual(text(session.handle(request("SETUP", "rtsp://h/live/x/streamid=0", cseq: 5, [("Transport", "RTP/AVP/TCP;interleaved=2-3")]), bindUDP: noUDP)),
                       "RTSP/1.0 459 Aggregate Operation Not Allowed\r\nCSeq: 5\r\n\r\n", "a track set up twice")
        XCTAssertEqual(text(session.handle(request("SETUP", "rtsp://h/live/x/streamid=1", cseq: 6, [("Transport", "RTP/AVP/TCP;interleaved=0-1")]), bindUDP: noUDP)),
                       "RTSP/1.0 461 Unsupported Transport\r\nCSeq: 6\r\n\r\n", "channels taken")
        XCTAssertEqual(text(session.handle(request("SETUP", "rtsp://h/live/x/streamid=9", cseq: 7, [("Transport", "RTP/AVP/TCP;interleaved=2-3")]), bindUDP: noUDP)),
                       "RTSP/1.0 404 Not Found\r\nCSeq: 7\r\n\r\n")
        XCTAssertEqual(text(session.handle(request("SETUP", "rtsp://h/live/x/streamid=1", cseq: 8, [("Transport", "RTP/AVP/TCP;interleaved=2-3"), ("Session", "S1")]),
                                           bindUDP: noUDP)),
                       "RTSP/1.0 200 OK\r\nCSeq: 8\r\nTransport: RTP/AVP/TCP;unicast;interleaved=2-3;mode=record\r\nSession: S1;timeout=60\r\n\r\n")
        XCTAssertEqual(text(session.handle(request("RECORD", "rtsp://h/live/x", cseq: 9, [("Session", "OTHER")]), bindUDP: noUDP)),
                       "RTSP/1.0 454 Session Not Found\r\nCSeq: 9\r\n\r\n")
        XCTAssertEqual(text(session.handle(request("RECORD", "rtsp://h/live/x", cseq: 10, [("Session", "S1")]), bindUDP: noUDP)), "record /live/x vhost=v")
        XCTAssertEqual(String(decoding: session.recordDecided(status: 200, cseq: "10"), as: UTF8.self),
                       "RTSP/1.0 200 OK\r\nCSeq: 10\r\nSession: S1;timeout=60\r\nRange: npt=0.000-\r\n\r\n")
        XCTAssertEqual(session.state, .recording)
        XCTAssertEqual(text(session.handle(request("DESCRIBE", "rtsp://h/live/x", cseq: 11), bindUDP: noUDP)),
                       "RTSP/1.0 405 Method Not Allowed\r\nCSeq: 11\r\nAllow: \(RTSPPushSession.methods)\r\n\r\n")
        guard case .respondAndClose = session.handle(request("TEARDOWN", "rtsp://h/live/x", cseq: 12, [("Session", "S1")]), bindUDP: noUDP) else {
            return XCTFail("TEARDOWN closes")
        }
    }

    func testUDPSetupBindsServerPortsAndAnnouncesThem() {
        var session = RTSPPushSession(sessionId: "S2")
        let sdp = Array(RTSPMessageParserTests.sdp.utf8)
        _ = session.handle(request("ANNOUNCE", "rtsp://h/live/x", cseq: 1, body: sdp), bindUDP: noUDP)
        var asked: [Int] = []
        let reply = session.handle(request("SETUP", "rtsp://h/live/x/streamid=1", cseq: 2, [("Transport", "RTP/AVP/UDP;unicast;client_port=5002-5003;mode=record")])) {
            asked.append($0)
            return (57200, 57201)
        }
        XCTAssertEqual(asked, [1])
        XCTAssertEqual(text(reply), "RTSP/1.0 200 OK\r\nCSeq: 2\r\nTransport: RTP/AVP/UDP;unicast;client_port=5002-5003;server_port=57200-57201;mode=record\r\n"
                       + "Session: S2;timeout=60\r\n\r\n")
        XCTAssertEqual(session.transports, [nil, .udp(clientRTP: 5002, clientRTCP: 5003, serverRTP: 57200, serverRTCP: 57201)])
        XCTAssertEqual(text(session.handle(request("SETUP", "rtsp://h/live/x/streamid=0", cseq: 3, [("Transport", "RTP/AVP;unicast;client_port=5000-5001")]), bindUDP: noUDP)),
                       "RTSP/1.0 453 Not Enough Bandwidth\r\nCSeq: 3\r\n\r\n", "no free ports")
    }

    func testBadDescriptionsAreRefused() {
        var session = RTSPPushSession(sessionId: "S3")
        guard case .respondAndClose(let bytes) = session.handle(request("ANNOUNCE", "rtsp://h/live/x", cseq: 1, body: Array("v=0\r\n".utf8)), bindUDP: noUDP) else {
            return XCTFail("an SDP without media closes")
        }
        XCTAssertTrue(String(decoding: bytes, as: UTF8.self).hasPrefix("RTSP/1.0 400 "))
        var other = RTSPPushSession(sessionId: "S4")
        let theora = Array("m=video 0 RTP/AVP 96\r\na=rtpmap:96 theora/90000\r\n".utf8)
        XCTAssertTrue(text(other.handle(request("ANNOUNCE", "rtsp://h/live/x", cseq: 1, body: theora), bindUDP: noUDP)).hasPrefix("RTSP/1.0 415 "))
        var third = RTSPPushSession(sessionId: "S5")
        XCTAssertTrue(text(third.handle(request("ANNOUNCE", "rtsp://h/live/x", cseq: 1, [("Content-Type", "text/plain")], body: []), bindUDP: noUDP))
            .hasPrefix("RTSP/1.0 415 "))
    }

    func testRTPBecomesFLVMessages() {
        var session = recordingSession()
        func rtp(_ sequence: UInt16, _ timestamp: UInt32, _ pt: UInt8, _ payload: [UInt8]) -> [UInt8] {
            RTPPacket.header(marker: true, payloadType: pt, sequenceNumber: sequence, timestamp: timestamp, ssrc: UInt32(pt)) + payload
        }
        // Video: an IDR at 90 kHz 1000 and a P frame 40 ms later; audio: one AAC frame at 44.1 kHz 5000.
        var messages = session.interleaved(channel: 0, payload: rtp(1, 1000, 96, [0x65, 0xAA]))
        messages += session.interleaved(channel: 0, payload: rtp(2, 1000 + 3600, 96, [0x41, 0xBB]))
        messages += session.interleaved(channel: 2, payload: rtp(1, 5000, 97, [0x00, 0x10, 0x00, 0x18, 1, 2, 3]))
        messages += session.interleaved(channel: 2, payload: rtp(2, 5000 + 1024, 97, [0x00, 0x10, 0x00, 0x10, 4, 5]))
        messages += session.interleaved(channel: 1, payload: [0x80, 201, 0, 1, 0, 0, 0, 1])  // RTCP RR: ignored
        messages += session.interleaved(channel: 7, payload: [1, 2, 3])  // no such channel
        messages += session.finish()
        let sequenceHeader: [UInt8] = [0x17, 0x00, 0, 0, 0, 0x01, 0x42, 0xC0, 0x1E, 0xFF, 0xE1, 0x00, 0x05, 0x67, 0x42, 0xC0, 0x1E, 0x95,
                                       0x01, 0x00, 0x04, 0x68, 0xCE, 0x3C, 0x80]
        XCTAssertEqual(messages, [
            DemuxedMessage(kind: .audio, timestamp: 0, body: [0xAF, 0x00, 0x12, 0x10], isSequenceHeader: true),
            DemuxedMessage(kind: .audio, timestamp: 0, body: [0xAF, 0x01, 1, 2, 3], isSequenceHeader: false),
            DemuxedMessage(kind: .audio, timestamp: 23, body: [0xAF, 0x01, 4, 5], isSequenceHeader: false),
            DemuxedMessage(kind: .video, timestamp: 0, body: sequenceHeader, isSequenceHeader: true),
            DemuxedMessage(kind: .video, timestamp: 0, body: [0x17, 0x01, 0, 0, 0, 0, 0, 0, 2, 0x65, 0xAA], isSequenceHeader: false),
            DemuxedMessage(kind: .video, timestamp: 40, body: [0x27, 0x01, 0, 0, 0, 0, 0, 0, 2, 0x41, 0xBB], isSequenceHeader: false),
        ])
        XCTAssertEqual(session.droppedPackets, 1)
    }

    func testSenderReportsAlignTheTracks() {
        var session = recordingSession()
        func sr(ssrc: UInt32, ntpMiddle: UInt32, rtp: UInt32) -> [UInt8] {
            let ntpHigh = ntpMiddle >> 16, ntpLow = ntpMiddle << 16
            func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)] }
            return [0x80, 200, 0, 6] + be(ssrc) + be(ntpHigh) + be(ntpLow) + be(rtp) + be(0) + be(0)
        }
        // Video's first packet is at wall time T; audio's first sample is 0.5 s (32768/65536) later.
        _ = session.interleaved(channel: 1, payload: sr(ssrc: 96, ntpMiddle: 0x1000_0000, rtp: 90000))
        _ = session.interleaved(channel: 3, payload: sr(ssrc: 97, ntpMiddle: 0x1000_8000, rtp: 44100))
        var messages = session.interleaved(channel: 0, payload: RTPPacket.header(marker: true, payloadType: 96, sequenceNumber: 1, timestamp: 90000, ssrc: 96) + [0x65, 1])
        messages += session.interleaved(channel: 2, payload: RTPPacket.header(marker: true, payloadType: 97, sequenceNumber: 1, timestamp: 44100, ssrc: 97)
                                        + [0x00, 0x10, 0x00, 0x08, 9])
        messages += session.finish()
        XCTAssertEqual(messages.filter { !$0.isSequenceHeader }.map { "\($0.kind) \($0.timestamp)" }, ["audio 500", "video 0"])
    }

    func testAForgedTimestampJumpDoesNotMoveTheClock() {
        var session = recordingSession()
        func aac(_ sequence: UInt16, _ timestamp: UInt32) -> [DemuxedMessage] {
            session.interleaved(channel: 2, payload: RTPPacket.header(marker: true, payloadType: 97, sequenceNumber: sequence, timestamp: timestamp, ssrc: 97)
                                + [0x00, 0x10, 0x00, 0x08, 9])
        }
        _ = aac(1, 0)
        var last: Int64 = 0
        for index in 0..<50 {
            // Each packet claims half the 32-bit clock later: ignored, time stays near the start.
            last = aac(UInt16(index + 2), UInt32(truncatingIfNeeded: (index + 1) * 0x7FFF_FFFF)).last?.timestamp ?? -1
        }
        XCTAssertEqual(last, 0)
        XCTAssertEqual(aac(60, UInt32(truncatingIfNeeded: 50 * 0x7FFF_FFFF) &+ 44100).last?.timestamp, 1000, "a real step from there counts")
    }

    func testPacketsBeforeRecordAndForeignPayloadTypesAreDropped() {
        var session = RTSPPushSession(sessionId: "S6")
        _ = session.handle(request("ANNOUNCE", "rtsp://h/live/x", cseq: 1, body: Array(RTSPMessageParserTests.sdp.utf8)), bindUDP: noUDP)
        _ = session.handle(request("SETUP", "rtsp://h/live/x/streamid=0", cseq: 2, [("Transport", "RTP/AVP/TCP;interleaved=0-1")]), bindUDP: noUDP)
        XCTAssertEqual(session.interleaved(channel: 0, payload: RTPPacket.header(marker: true, payloadType: 96, sequenceNumber: 1, timestamp: 0, ssrc: 1) + [0x65]), [])
        var recording = recordingSession()
        XCTAssertEqual(recording.interleaved(channel: 0, payload: RTPPacket.header(marker: true, payloadType: 33, sequenceNumber: 1, timestamp: 0, ssrc: 1) + [0x65]), [])
        XCTAssertEqual(recording.interleaved(channel: 0, payload: [0x80, 0x60]), [])
        XCTAssertEqual(session.droppedPackets + recording.droppedPackets, 3)
    }
}
