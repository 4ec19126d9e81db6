import XCTest

import SRSConfig

/// `transcode` and `ingest` blocks with SRS's shapes (SRS 2.0's conf/full.conf examples).
final class FFmpegConfigTests: XCTestCase {
    private func vhost(_ body: String) throws -> VhostConfig {
        let config = try ServerConfig.parse(text: "listen 1935; vhost v { \(body) }", file: "conf/x.conf")
        return try XCTUnwrap(config.vhost(named: "v"))
    }

    func testTranscodeScopesAndEngines() throws {
        let vhost = try vhost("""
            transcode {
                enabled on; ffmpeg ./objs/ffmpeg/bin/ffmpeg;
                engine ff {
                    enabled on;
                    vfilter { i ./doc/ffmpeg-logo.png; filter_complex 'overlay=10:10'; }
                    vcodec libx264; vbitrate 300; vfps 20; vwidth 769; vheight 321; vthreads 2; vprofile baseline; vpreset superfast;
                    vparams { t 100; coder 1; }
                    acodec libfdk_aac; abitrate 45; asample_rate 44100; achannels 2;
                    aparams { profile:a aac_low; }
                    output rtmp://127.0.0.1:[port]/[app]?vhost=[vhost]/[stream]_[engine];
                }
                engine off { enabled off; }
            }
            transcode live/livestream { enabled on; engine copy { enabled on; vcodec copy; acodec an; output rtmp://127.0.0.1/[app]/[stream]_c; } }
            """)
        XCTAssertEqual(vhost.transcodes.count, 2)
        let all = vhost.transcodes[0]
        XCTAssertEqual(all.scope, "")
        XCTAssertTrue(all.applies(app: "any", stream: "thing"))
        XCTAssertEqual(all.engines.map(\.name), ["ff"], "disabled engines are left out")
        let engine = all.engines[0]
        XCTAssertEqual(engine.vfilter, ["-i", "./doc/ffmpeg-logo.png", "-filter_complex", "overlay=10:10"])
        XCTAssertEqual(engine.vparams, ["-t", "100", "-coder", "1"])
        XCTAssertEqual(engine.aparams, ["-profile:a", "aac_low"])
        XCTAssertEqual([engine.vwidth, engine.vheight], [768, 320], "made even, as SRS")
        XCTAssertEqual(engine.vfps, 20)
        XCTAssertEqual(engine.iformat, "flv")
        XCTAssertEqual(engine.oformat, "flv")
        let scoped = vhost.transcodes[1]
        XCTAssertTrue(scoped.applies(app: "live", stream: "livestream"))
        XCTAssertFalse(scoped.applies(app: "live", stream: "other"))
        XCTAssertFalse(scoped.engines[0].encodesVideo)
    }

    func testIngestInputs() throws {
        let vhost = try vhost("""
            ingest livestream {
                enabled on;
                input { type file; url ./doc/source.flv; }
                ffmpeg ./objs/ffmpeg/bin/ffmpeg;
                engine { enabled off; output rtmp://127.0.0.1:[port]/live?vhost=[vhost]/livestream; }
            }
            ingest off { enabled off; }
            ingest pull { enabled on; input { type hls; url http://origin/live/s.m3u8; } engine { enabled off; output rtmp://127.0.0.1/live/s; } }
            """)
        XCTAssertEqual(vhost.ingests.map(\.id), ["livestream", "off", "pull"])
        XCTAssertEqual(vhost.ingests[2].inputType, .hls)
        let ingest = vhost.ingests[0]
        XCTAssertTrue(ingest.enabled)
        XCTAssertEqual(ingest.inputType, .file)
        XCTAssertEqual(ingest.inputURL, "./doc/source.flv")
        XCTAssertEqual(ingest.engines.first?.output, "rtmp://127.0.0.1:[port]/live?vhost=[vhost]/livestream")
    }

    func testMistakesNameFileLineAndDirective() throws {
        let both = configError { _ = try self.vhost("transcode {\n enabled on;\n engine x { enabled on; vcodec vn; acodec an; output rtmp://a/b/c; }\n}") }
        XCTAssertEqual(both?.line, 3)
        XCTAssertEqual(both?.directive, "engine")
        XCTAssertTrue(both?.message.contains("drops both") == true, "\(String(describing: both))")
        let profile = configError { _ = try self.vhost("transcode { enabled on; engine x { enabled on; vcodec libx264; acodec aac; output rtmp://a/b/c; } }") }
        XCTAssertTrue(profile?.message.contains("vprofile and vpreset") == true)
        let noOutput = configError { _ = try self.vhost("transcode { enabled on; engine x { enabled on; vcodec copy; acodec copy; } }") }
        XCTAssertTrue(noOutput?.message.contains("needs an output") == true)
        let noURL = configError { _ = try self.vhost("ingest i { enabled on; input { type file; } engine { output rtmp://a/b/c; } }") }
        XCTAssertTrue(noURL?.message.contains("needs input") == true)
        let type = configError { _ = try self.vhost("ingest i { enabled on; input { type udp; url x; } engine { output rtmp://a/b/c; } }") }
        XCTAssertEqual(type?.directive, "type")
        let channels = configError { _ = try self.vhost("transcode { engine x { achannels 6; } }") }
        XCTAssertEqual(channels?.directive, "achannels")
    }
}
