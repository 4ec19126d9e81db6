import Foundation
import XCTest

/// Transcode and ingest through real ffmpeg children, checked with ffprobe; supervision:
/// restart after a kill, reload and quit leave no child behind.
final class FFmpegProcessTests: XCTestCase {
    private var root = ""

    override func setUp() {
        root = NSTemporaryDirectory() + "swiftsrs-ffmpeg-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    override func tearDown() {
        TestProcesses.shared.killAll()
        try? FileManager.default.removeItem(atPath: root)
        super.tearDown()
    }

    /// ffprobe's facts of a few seconds of `url`: codec, size, bitrate per stream type.
    private func probe(_ url: String, seconds: Int = 4) throws -> [String: [String: String]] {
        let copy = root + "/probe-\(UUID().uuidString.prefix(6)).flv"
        let result = try ExternalTool.run("ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", url, "-t", "\(seconds)", "-c", "copy", copy],
                                          timeout: Double(seconds) + 20)
        XCTAssertEqual(result.status, 0, "ffmpeg read \(url): \(result.output)")
        let streams = try ExternalTool.run("ffprobe", ["-v", "error", "-show_entries", "stream=codec_type,codec_name,width,height,channels,sample_rate",
                                                       "-of", "compact", copy], timeout: 20).output
        var facts: [String: [String: String]] = [:]
        for line in streams.split(separator: "\n") where line.hasPrefix("stream|") {
            var fields: [String: String] = [:]
            for pair in line.split(separator: "|").dropFirst() {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
            }
            if let type = fields["codec_type"] { facts[type] = fields }
        }
        // The bitrate band of the video: bytes over the copied seconds.
        let size = (try? FileManager.default.attributesOfItem(atPath: copy)[.size] as? Int) ?? 0
        facts["file"] = ["kbps": "\(size * 8 / 1000 / seconds)"]
        return facts
    }

    /// PIDs of the ffmpeg children of `pid` (from /proc: name and parent of each process).
    private func children(of pid: Int32) -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry -> Int32? in
            guard let child = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let name = stat[stat.index(after: stat.firstIndex(of: "(")!)..<close]
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            return name == "ffmpeg" && fields.count > 1 && Int32(fields[1]) == pid ? child : nil
        }
    }

    private func waitUntil(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(200_000)
        }
        return try condition()
    }

    /// A logo overlay engine, a 3-rendition ladder named by [engine], and an audio-only
    /// MP3-to-AAC engine: every output plays with the configured codec and size.
    func testTranscodeEngines() throws {
        let logo = root + "/logo.png"
        XCTAssertEqual(try ExternalTool.run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "color=red:size=32x32", "-frames:v", "1", logo],
                                            timeout: 20).status, 0)
        let ladder = [("hd", 320, 240, 400), ("sd", 240, 180, 250), ("ld", 160, 120, 120)].map { name, width, height, kbps in
            "engine \(name) { enabled on; vcodec libx264; vbitrate \(kbps); vwidth \(width); vheight \(height); vprofile main; vpreset veryfast; acodec copy; output rtmp://127.0.0.1:[port]/[app]/[stream]_[engine]; }"
        }.joined(separator: "\n")
        let server = try ServerProcess(body: """
            vhost __defaultVhost__ {
                transcode live/logo { enabled on; ffmpeg ffmpeg;
                    engine logo { enabled on; vfilter { i \(logo); filter_complex 'overlay=10:10'; } vcodec libx264; vbitrate 300; vprofile baseline; vpreset superfast; acodec copy;
                                  output rtmp://127.0.0.1:[port]/[app]?vhost=[vhost]/[stream]_[engine]; } }
                transcode live/ladder { enabled on; \(ladder) }
                transcode live/mp3 { enabled on; engine aac { enabled on; vcodec copy; acodec aac; abitrate 64; asample_rate 44100; achannels 2; output rtmp://127.0.0.1:[port]/[app]/[stream]_aac; } }
            }
            """, head: "ff_log_dir \(root);")
        for (name, kind) in [("logo", MediaFixtures.Kind.bframesAAC30s), ("ladder", .bframesAAC30s), ("mp3", .bframesMP3)] {
            _ = try LiveStreamTools.publish(server.url("live/\(name)"), kind: kind, loop: true, log: server.directory + "/\(name).log")
        }
        sleep(4)
        let logo1 = try probe(server.url("live/logo_logo"))
        XCTAssertEqual(logo1["video"]?["codec_name"], "h264")
        XCTAssertEqual(logo1["audio"]?["codec_name"], "aac")
        for (name, width, height, kbps) in [("hd", 320, 240, 400), ("sd", 240, 180, 250), ("ld", 160, 120, 120)] {
            let facts = try probe(server.url("live/ladder_\(name)"))
            XCTAssertEqual(facts["video"]?["codec_name"], "h264", name)
            XCTAssertEqual(facts["video"]?["width"], "\(width)", name)
            XCTAssertEqual(facts["video"]?["height"], "\(height)", name)
            let measured = Int(facts["file"]?["kbps"] ?? "0") ?? 0
            XCTAssertGreaterThan(measured, kbps / 3, "\(name): \(measured) kbps for \(kbps) configured")
            XCTAssertLessThan(measured, kbps * 2 + 150, "\(name): \(measured) kbps for \(kbps) configured")
        }
        let aac = try probe(server.url("live/mp3_aac"))
        XCTAssertEqual(aac["audio"]?["codec_name"], "aac", "MP3 became AAC")
        XCTAssertEqual(aac["audio"]?["channels"], "2")
        XCTAssertEqual(aac["video"]?["codec_name"], "h264")
        // The transcoded streams are not transcoded again, and each ffmpeg logs to ff_log_dir.
        let logs = try FileManager.default.contentsOfDirectory(atPath: root).filter { $0.hasPrefix("ffmpeg-encoder-") }
        XCTAssertEqual(Set(logs), ["ffmpeg-encoder-__defaultVhost__-live-logo-logo.log", "ffmpeg-encoder-__defaultVhost__-live-ladder-hd.log",
                                   "ffmpeg-encoder-__defaultVhost__-live-ladder-sd.log", "ffmpeg-encoder-__defaultVhost__-live-ladder-ld.log",
                                   "ffmpeg-encoder-__defaultVhost__-live-mp3-aac.log"])
        let transcoders = children(of: server.pid)
        XCTAssertEqual(transcoders.count, 5, "one ffmpeg per engine, none for the outputs")
        XCTAssertEqual(server.stop(), 0)
        for pid in transcoders { XCTAssertEqual(kill(pid, 0), -1, "ffmpeg \(pid) outlived the server") }
    }

    /// Ingest of an FLV file, an HTTP-FLV URL and an RTSP source (the ingest's ffmpeg listens
    /// for RTSP, another ffmpeg pushes to it): each plays as RTMP. The API lists them; a
    /// killed ffmpeg comes back; a reload removing one stops exactly it; quit leaves none.
    func testIngestSupervision() throws {
        let httpPort = ServerProcess.freePort()
        let apiPort = ServerProcess.freePort()
        let rtspPort = ServerProcess.freePort()
        let fixture = try MediaFixtures.path(.bframesAAC30s)
        // The HTTP-FLV source: this server's own live mount of a published stream.
        let ingests = { (withRTSP: Bool) in """
            ingest file { enabled on; input { type file; url \(fixture); } ffmpeg ffmpeg; engine { enabled off; output rtmp://127.0.0.1:[port]/live?vhost=[vhost]/fromfile; } }
            ingest http { enabled on; input { type stream; url http://127.0.0.1:\(httpPort)/live/source.flv; } engine { enabled off; output rtmp://127.0.0.1:[port]/live/fromhttp; } }
            """ + (withRTSP ? """
            ingest rtsp { enabled on; input { type stream; url rtsp://127.0.0.1:\(rtspPort)/cam; } engine { enabled off; perfile { rtsp_flags listen; } output rtmp://127.0.0.1:[port]/live/fromrtsp; } }
            """ : "")
        }
        let head = "ff_log_dir \(root); http_api { enabled on; listen \(apiPort); } http_server { enabled on; listen \(httpPort); dir \(root); }"
        let server = try ServerProcess(body: "vhost __defaultVhost__ { http_remux { enabled on; mount [vhost]/[app]/[stream].flv; } \(ingests(true)) }", head: head)
        _ = try LiveStreamTools.publish(server.url("live/source"), kind: .h264AAC, loop: true, log: server.directory + "/source.log")
        sleep(1)
        // The RTSP source is like an IP camera: no B-frames (ffmpeg's RTSP demuxer gives the
        // first B-frame packets no PTS, and its FLV muxer then refuses them).
        _ = try ExternalTool.start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", try MediaFixtures.path(.h264AAC),
                                              "-c", "copy", "-f", "rtsp",
                                              "-rtsp_transport", "tcp", "rtsp://127.0.0.1:\(rtspPort)/cam"], logFile: server.directory + "/rtsp.log")
        sleep(4)
        for name in ["fromfile", "fromhttp", "fromrtsp"] {
            let played = try LiveStreamTools.play(server.url("live/\(name)"), seconds: 3, directory: server.directory)
            XCTAssertGreaterThan(played.video, 30, name)
            XCTAssertGreaterThan(played.audio, 30, name)
        }
        func processes() throws -> [[String: Any]] {
            let text = try ExternalTool.run("curl", ["-s", "--max-time", "5", "http://127.0.0.1:\(apiPort)/api/v1/processes"], timeout: 10).output
            return ((try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?["processes"] as? [[String: Any]]) ?? []
        }
        let listed = try processes()
        XCTAssertEqual(Set(listed.compactMap { $0["name"] as? String }), ["file", "http", "rtsp"])
        XCTAssertTrue(listed.allSatisfy { $0["state"] as? String == "running" && $0["type"] as? String == "ingest" }, "\(listed)")

        // Kill the file ingest's ffmpeg: it is restarted and the stream comes back.
        let file = try XCTUnwrap(listed.first { $0["name"] as? String == "file" })
        let killed = try XCTUnwrap(file["pid"] as? Int)
        kill(Int32(killed), SIGKILL)
        XCTAssertTrue(try waitUntil(8) {
            let now = try processes().first { $0["name"] as? String == "file" }
            return now?["state"] as? String == "running" && (now?["pid"] as? Int).map { $0 != killed } == true
        }, "restarted")
        sleep(2)
        XCTAssertGreaterThan(try LiveStreamTools.play(server.url("live/fromfile"), seconds: 2, directory: server.directory).video, 20, "the stream came back")
        XCTAssertTrue(server.log.contains("ended (killed by signal 9); restarting"))

        // Reload without the RTSP ingest: exactly its ffmpeg stops.
        let before = Dictionary(uniqueKeysWithValues: try processes().map { ($0["name"] as? String ?? "", $0["pid"] as? Int ?? 0) })
        try """
            daemon off; srs_log_tank console; srs_log_level trace; listen \(server.port); pid \(server.directory)/srs.pid; pithy_print_ms 1000;
            \(head)
            vhost __defaultVhost__ { http_remux { enabled on; mount [vhost]/[app]/[stream].flv; } \(ingests(false)) }
            """.write(toFile: server.configPath, atomically: true, encoding: .utf8)
        kill(server.pid, SIGHUP)
        XCTAssertTrue(try waitUntil(8) { try processes().count == 2 })
        let after = Dictionary(uniqueKeysWithValues: try processes().map { ($0["name"] as? String ?? "", $0["pid"] as? Int ?? 0) })
        XCTAssertEqual(after["file"], before["file"], "the file ingest ran on")
        XCTAssertEqual(after["http"], before["http"], "the HTTP ingest ran on")
        XCTAssertEqual(kill(Int32(before["rtsp"] ?? 0), 0), -1, "the RTSP ingest's ffmpeg is gone")
        let remaining = children(of: server.pid)
        XCTAssertEqual(remaining.count, 2)
        // Nothing of the server's leaked into the children: no descriptor of a child is one
        // of the server's (its listening sockets, clients, log, epoll, eventfds).
        func targets(_ pid: Int32) -> Set<String> {
            let folder = "/proc/\(pid)/fd"
            return Set(((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).compactMap {
                try? FileManager.default.destinationOfSymbolicLink(atPath: folder + "/" + $0)
            }.filter { $0.hasPrefix("socket:") || $0.hasPrefix("anon_inode:") || $0.hasSuffix("srs.log") })
        }
        let serverTargets = targets(server.pid).filter { $0.hasPrefix("socket:") || $0.hasSuffix("srs.log") }
        XCTAssertGreaterThan(serverTargets.count, 3)
        for pid in remaining { XCTAssertTrue(targets(pid).isDisjoint(with: serverTargets), "ffmpeg \(pid) holds a descriptor of the server") }

        // Quit: no child behind, none a zombie.
        XCTAssertEqual(server.stop(), 0)
        for pid in remaining { XCTAssertEqual(kill(pid, 0), -1, "ffmpeg \(pid) outlived the server") }
    }
}
