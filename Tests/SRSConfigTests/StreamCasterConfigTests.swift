import XCTest

import SRSConfig

final class StreamCasterConfigTests: XCTestCase {
    func testCastersAreRepeatableWithSRSDefaults() throws {
        let config = try ServerConfig.parse(text: """
            listen 1935;
            stream_caster { enabled on; caster mpegts_over_udp; output rtmp://127.0.0.1/live/livestream; listen 8935; }
            stream_caster { enabled on; caster rtsp; output rtmp://127.0.0.1/[app]/[stream]; listen 554; }
            stream_caster { enabled off; }
            stream_caster { enabled on; caster gb28181; output rtmp://127.0.0.1/live/[stream]; listen 9000; }
            """, file: "c.conf")
        XCTAssertEqual(config.casters.count, 4)
        XCTAssertEqual(config.casters[0].kind, .mpegtsOverUDP)
        XCTAssertEqual(config.casters[0].listen.port, 8935)
        XCTAssertEqual(config.casters[0].output, "rtmp://127.0.0.1/live/livestream")
        XCTAssertEqual([config.casters[1].rtpPortMin, config.casters[1].rtpPortMax], [57200, 57300])
        XCTAssertFalse(config.casters[2].enabled)
        XCTAssertEqual(config.warnings.map(\.description), ["c.conf:5: directive 'stream_caster': caster gb28181 is not implemented yet; ignored"])
    }

    func testMistakes() {
        let output = configError { _ = try ServerConfig.parse(text: "stream_caster { enabled on; caster mpegts_over_udp; listen 1; }", file: "c.conf") }
        XCTAssertTrue(output?.message.contains("rtmp:// output") == true, "\(String(describing: output))")
        let ports = configError {
            _ = try ServerConfig.parse(text: "stream_caster { enabled on; caster rtsp; output rtmp://h/[app]/[stream]; rtp_port_min 5000; rtp_port_max 5000; }", file: "c.conf")
        }
        XCTAssertTrue(ports?.message.contains("no port pair") == true, "\(String(describing: ports))")
        let flv = configError { _ = try ServerConfig.parse(text: "stream_caster { enabled on; caster flv; output http://x; }", file: "c.conf") }
        XCTAssertTrue(flv?.message.contains("rtmp:// output") == true)
        let kind = configError { _ = try ServerConfig.parse(text: "stream_caster { caster srt; }", file: "c.conf") }
        XCTAssertEqual(kind?.directive, "caster")
    }
}
