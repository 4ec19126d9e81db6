import XCTest

import SRSConfig

final class StreamCasterConfigTests: XCTestCase {
    func testCastersAreRepeatableWithSRSDefaults() throws {
        let config = try ServerConfig.parse(text: """
            listen 1935;
            stream_caster { enabled on; caster mpegts_over_udp; output rtmp://127.0.0.1/live/livestream; listen 8935; }
            stream_caster { enabled on; caster rtsp; output rtmp://127.0.0.1/[app]/[stream]; listen 554; }
            stream_caster { enabled off; }
            """, file: "c.conf")
        XCTAssertEqual(config.casters.count, 3)
        XCTAssertEqual(config.casters[0].kind, .mpegtsOverUDP)
        XCTAssertEqual(config.casters[0].listen.port, 8935)
        XCTAssertEqual(config.casters[0].output, "rtmp://127.0.0.1/live/livestream")
        XCTAssertEqual([config.casters[1].rtpPortMin, config.casters[1].rtpPortMax], [57200, 57300])
        XCTAssertFalse(config.casters[2].enabled)
        XCTAssertEqual(config.warnings.map(\.description), ["c.conf:3: directive 'stream_caster': caster rtsp is not implemented yet; ignored"])
    }

    func testMistakes() {
        let output = configError { _ = try ServerConfig.parse(text: "stream_caster { enabled on; caster mpegts_over_udp; listen 1; }", file: "c.conf") }
        XCTAssertTrue(output?.message.contains("rtmp:// output") == true, "\(String(describing: output))")
        let kind = configError { _ = try ServerConfig.parse(text: "stream_caster { caster srt; }", file: "c.conf") }
        XCTAssertEqual(kind?.directive, "caster")
    }
}
