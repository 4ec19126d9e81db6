import SRSRTSP
import XCTest

final class RTSPMessageParserTests: XCTestCase {
    static let sdp = """
        v=0\r
        o=- 0 0 IN IP4 127.0.0.1\r
        s=No Name\r
        c=IN IP4 127.0.0.1\r
        t=0 0\r
        a=tool:libavformat 61.7.100\r
        m=video 0 RTP/AVP 96\r
        b=AS:300\r
        a=rtpmap:96 H264/90000\r
        a=fmtp:96 packetization-mode=1; sprop-parameter-sets=Z0LAHpU=,aM48gA==; profile-level-id=42C01E\r
        a=control:streamid=0\r
        m=audio 0 RTP/AVP 97\r
        b=AS:96\r
        a=rtpmap:97 MPEG4-GENERIC/44100/2\r
        a=fmtp:97 profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3; config=1210\r
        a=control:streamid=1\r

        """

    static func announce(cseq: Int = 2) -> [UInt8] {
        let body = Array(sdp.utf8)
        return Array("ANNOUNCE rtsp://127.0.0.1:8554/live/x RTSP/1.0\r\nContent-Type: application/sdp\r\nCSeq: \(cseq)\r\nUser-Agent: Lavf61.7.100\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
    }

    func testARequestWithABodyInAnySlicing() throws {
        let bytes = Self.announce() + [0x24, 0x01, 0x00, 0x03, 0xAA, 0xBB, 0xCC] + Array("OPTIONS * RTSP/1.0\r\nCSeq: 3\r\n\r\n".utf8)
        for split in [1, 2, 7, 100, bytes.count] {
            var parser = RTSPMessageParser()
            var messages: [RTSPMessageParser.Message] = []
            for start in stride(from: 0, to: bytes.count, by: split) {
                messages += try parser.feed(bytes[start..<min(start + split, bytes.count)])
            }
            XCTAssertEqual(messages.count, 3, "split \(split)")
            guard case .request(let announce) = messages[0] else { return XCTFail("\(messages[0])") }
            XCTAssertEqual(announce.method, "ANNOUNCE")
            XCTAssertEqual(announce.uri, "rtsp://127.0.0.1:8554/live/x")
            XCTAssertEqual(announce.path, "/live/x")
            XCTAssertEqual(announce.cseq, "2")
            XCTAssertEqual(announce["content-type"], "application/sdp")
            XCTAssertEqual(announce.body, Array(Self.sdp.utf8))
            XCTAssertEqual(messages[1], .interleaved(channel: 1, payload: [0xAA, 0xBB, 0xCC]))
            guard case .request(let options) = messages[2] else { return XCTFail("\(messages[2])") }
            XCTAssertEqual(options.method, "OPTIONS")
            XCTAssertEqual(options.path, "*")
            XCTAssertEqual(parser.bufferedByteCount, 0)
        }
    }

    func testBadInputIsRefusedWithItsStatusAndStaysRefused() {
        func error(_ text: [UInt8], limits: RTSPMessageParser.Limits = .init()) -> RTSPParseError? {
            var parser = RTSPMessageParser(limits: limits)
            do {
                _ = try parser.feed(text)
                return nil
            } catch {
                XCTAssertThrowsError(try parser.feed(Array("OPTIONS * RTSP/1.0\r\n\r\n".utf8)), "stays failed")
                return error
            }
        }
        XCTAssertEqual(error(Array("GET / HTTP/1.1\r\n\r\n".utf8))?.status, 400)
        XCTAssertEqual(error(Array("OPTIONS * RTSP/2.0\r\n\r\n".utf8))?.status, 505)
        XCTAssertEqual(error(Array("OPTIONS * RTSP/1.0\r\nno colon\r\n\r\n".utf8))?.status, 400)
        XCTAssertEqual(error(Array("ANNOUNCE * RTSP/1.0\r\nContent-Length: -1\r\n\r\n".utf8))?.status, 400)
        XCTAssertEqual(error(Array("ANNOUNCE * RTSP/1.0\r\nContent-Length: 70000\r\n\r\n".utf8))?.status, 413)
        XCTAssertEqual(error([UInt8](repeating: 0x41, count: 20000))?.status, 400, "a head that never ends")
        XCTAssertEqual(error(Array(("OPTIONS * RTSP/1.0\r\n" + String(repeating: "X: y\r\n", count: 65) + "\r\n").utf8))?.status, 400)
        XCTAssertNil(error(Array("OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n".utf8)), "a truncated request waits")
    }

    func testAResponseEchoesCSeqAndCountsItsBody() {
        let response = RTSPResponse(status: 200, headers: [("Session", "ABC;timeout=60")], body: Array("hi".utf8))
        XCTAssertEqual(String(decoding: response.serialize(cseq: "7"), as: UTF8.self),
                       "RTSP/1.0 200 OK\r\nCSeq: 7\r\nSession: ABC;timeout=60\r\nContent-Length: 2\r\n\r\nhi")
        XCTAssertEqual(String(decoding: RTSPResponse(status: 461).serialize(cseq: nil), as: UTF8.self), "RTSP/1.0 461 Unsupported Transport\r\n\r\n")
    }
}
