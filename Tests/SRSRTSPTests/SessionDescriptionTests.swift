import SRSRTSP
import XCTest

final class SessionDescriptionTests: XCTestCase {
    func testFFmpegsAnnounce() throws {
        let description = try SessionDescription(parsing: Array(RTSPMessageParserTests.sdp.utf8))
        XCTAssertEqual(description.media.count, 2)
        let video = description.media[0]
        XCTAssertEqual(video.type, "video")
        XCTAssertEqual(video.payloadType, 96)
        XCTAssertEqual(video.encoding, "H264")
        XCTAssertEqual(video.clockRate, 90000)
        XCTAssertEqual(video.parameters["sprop-parameter-sets"], "Z0LAHpU=,aM48gA==")
        XCTAssertEqual(video.parameters["packetization-mode"], "1")
        XCTAssertEqual(video.control, "streamid=0")
        let audio = description.media[1]
        XCTAssertEqual(audio.encoding, "MPEG4-GENERIC")
        XCTAssertEqual(audio.clockRate, 44100)
        XCTAssertEqual(audio.channels, 2)
        XCTAssertEqual(audio.parameters["config"], "1210")
        XCTAssertEqual(audio.parameters["sizelength"], "13")
        XCTAssertEqual(audio.parameters["mode"], "AAC-hbr")
        XCTAssertEqual(audio.control, "streamid=1")
    }

    func testMalformedDescriptionsAreRefused() {
        XCTAssertThrowsError(try SessionDescription(parsing: Array("v=0\r\ns=x\r\n".utf8)), "no media")
        XCTAssertThrowsError(try SessionDescription(parsing: Array("m=video 0 RTP/AVP\r\n".utf8)), "no payload type")
        XCTAssertThrowsError(try SessionDescription(parsing: Array("m=video 0 RTP/AVP 300\r\n".utf8)), "payload type out of range")
        XCTAssertThrowsError(try SessionDescription(parsing: Array(String(repeating: "m=audio 0 RTP/AVP 0\n", count: 9).utf8)), "too many media")
        // An rtpmap for another payload type, a silly clock rate: ignored, not trusted.
        let odd = try? SessionDescription(parsing: Array("m=video 0 RTP/AVP 96\na=rtpmap:97 H264/90000\na=rtpmap:96 H264/0\n".utf8))
        XCTAssertEqual(odd?.media.first?.clockRate, 0)
        XCTAssertEqual(odd?.media.first?.encoding, "H264")
    }
}
