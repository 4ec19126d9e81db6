import Foundation
import XCTest

/// The embedded HTTP server, the SRS HTTP API and HTTP-FLV, checked with curl and ffmpeg.
final class HTTPServerTests: XCTestCase {
    private var apiPort = 0
    private var httpPort = 0

    override func tearDown() {
        TestProcesses.shared.killAll()
        super.tearDown()
    }

    /// A server with the API and the HTTP server on their own free ports (or one shared port).
    private func startServer(sharedPort: Bool = false, remux: String = "http_remux { enabled on; mount [vhost]/[app]/[stream].flv; }") throws -> ServerProcess {
        apiPort = ServerProcess.freePort()
        httpPort = sharedPort ? apiPort : ServerProcess.freePort()
        let root = NSTemporaryDirectory() + "swiftsrs-www-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root + "/sub", withIntermediateDirectories: true)
        try "<html>hello</html>\n".write(toFile: root + "/index.html", atomically: true, encoding: .utf8)
        try Data((0..<1000).map { UInt8($0 % 251) }).write(to: URL(fileURLWithPath: root + "/sub/data.ts"))
        try "#EXTM3U\n".write(toFile: root + "/sub/live.m3u8", atomically: true, encoding: .utf8)
        return try ServerProcess(
            body: "vhost __defaultVhost__ { \(remux) }",
            head: "http_api { enabled on; listen \(apiPort); crossdomain on; }\nhttp_server { enabled on; listen \(httpPort); dir \(root); }")
    }

    /// curl's output: body, or headers with `-i`.
    private func curl(_ arguments: [String]) throws -> String {
        let result = try ExternalTool.run("curl", ["-s", "--max-time", "10"] + arguments, timeout: 15)
        return result.output
    }

    private func json(_ url: String) throws -> [String: Any] {
        let text = try curl([url])
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw TestFailure("not a JSON object from \(url): \(text)")
        }
        return object
    }

    private func publish(_ server: ServerProcess, loop: Bool = true) throws -> Process {
        let fixture = try MediaFixtures.path(.h264AAC)
        var arguments = ["-hide_banner", "-loglevel", "error", "-re"]
        if loop { arguments += ["-stream_loop", "-1"] }
        return try ExternalTool.start("ffmpeg", arguments + ["-i", fixture, "-c", "copy", "-f", "flv", server.url("live/test")],
                                      logFile: server.directory + "/publisher.log")
    }

    /// conf/srs.conf as shipped (its ports swapped for free ones, run from an empty folder as
    /// from a fresh checkout): what SRS's documentation tells a new user to open works.
    func testTheDefaultConfigServesRTMPHTTPFLVMP4HLSTheAPIAndTheConsole() throws {
        let confURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("conf/srs.conf")
        var config = try String(contentsOf: confURL, encoding: .utf8)
        let rtmpPort = ServerProcess.freePort()
        apiPort = ServerProcess.freePort()
        httpPort = ServerProcess.freePort()
        for (from, to) in [("1935", rtmpPort), ("1985", apiPort), ("8080", httpPort)] {
            XCTAssertTrue(config.contains("listen              \(from);") || config.contains("listen          \(from);"), "conf/srs.conf listens on \(from)")
            config = config.replacingOccurrences(of: "listen              \(from);", with: "listen \(to);")
                .replacingOccurrences(of: "listen          \(from);", with: "listen \(to);")
        }
        let server = try ServerProcess(port: rtmpPort, wholeConfig: config + "\npid ./srs.pid;\n")
        // `/` leads to the console (the folder has no index.html).
        let redirect = try curl(["-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "http://127.0.0.1:\(httpPort)/"])
        XCTAssertEqual(redirect, "302 http://127.0.0.1:\(httpPort)/console/")
        let page = try curl(["-L", "http://127.0.0.1:\(httpPort)/"])
        XCTAssertTrue(page.contains("<title>SwiftSRS console</title>"), page)
        XCTAssertTrue(try curl(["http://127.0.0.1:\(httpPort)/console/console.js"]).contains("/api/v1/streams"))
        _ = try publish(server)
        let api = "http://127.0.0.1:\(apiPort)/api/v1/streams/"
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, !FileManager.default.fileExists(atPath: server.directory + "/objs/nginx/html/live/test.m3u8") { usleep(200_000) }
        let streams = try json(api)["streams"] as? [[String: Any]] ?? []
        XCTAssertEqual(streams.map { $0["name"] as? String }, ["test"], "the API on its port lists the stream")
        let rtmp = try LiveStreamTools.play(server.url("live/test"), seconds: 3, directory: server.directory)
        XCTAssertGreaterThan(rtmp.video, 40)
        let flv = try LiveStreamTools.play("http://127.0.0.1:\(httpPort)/live/test.flv", seconds: 3, directory: server.directory)
        XCTAssertGreaterThan(flv.video, 40)
        XCTAssertGreaterThan(flv.audio, 40)
        let hls = try LiveStreamTools.play("http://127.0.0.1:\(httpPort)/live/test.m3u8", seconds: 3, directory: server.directory)
        XCTAssertGreaterThan(hls.video, 40)
        XCTAssertGreaterThan(hls.audio, 40)
        let mp4 = try LiveStreamTools.play("http://127.0.0.1:\(httpPort)/live/test.mp4", seconds: 3, directory: server.directory)
        XCTAssertGreaterThan(mp4.video, 25, "the second mount: fragmented MP4")
        XCTAssertGreaterThan(mp4.audio, 40)
    }

    func testFFmpegDecodesHTTPFLV() throws {
        let server = try startServer()
        _ = try publish(server, loop: false)
        usleep(500_000)
        let output = server.directory + "/http.flv"
        let result = try ExternalTool.run(
            "ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", "http://127.0.0.1:\(httpPort)/live/test.flv",
                       "-c", "copy", "-t", String(Double(MediaFixtures.duration) - 0.4), "-f", "flv", output], timeout: 20)
        XCTAssertEqual(result.status, 0, result.output)
        let published = try MediaFixtures.countFrames(try MediaFixtures.path(.h264AAC))
        let copied = try MediaFixtures.countFrames(output)
        XCTAssertEqual(copied.errors, "")
        XCTAssertLessThanOrEqual(abs(copied.video - published.video), MediaFixtures.gopFrames, "video \(copied.video) of \(published.video)")
        XCTAssertLessThanOrEqual(abs(copied.audio - published.audio), 2 * 44, "audio \(copied.audio) of \(published.audio)")
    }

    func testHTTPPlayerWaitingBeforePublishGetsTheStream() throws {
        let server = try startServer()
        let output = server.directory + "/early.flv"
        let player = try ExternalTool.start(
            "curl", ["-s", "--max-time", "6", "-o", output, "http://127.0.0.1:\(httpPort)/live/test.flv"], logFile: server.directory + "/curl.log")
        sleep(1)
        _ = try publish(server)
        XCTAssertTrue(ExternalTool.wait(player, timeout: 10))
        let frames = try MediaFixtures.countFrames(output)
        XCTAssertGreaterThan(frames.video, 75, "the waiting player got \(frames.video) frames in ~5 s")
        XCTAssertGreaterThan(frames.audio, 100)
    }

    func testTSAACAndMP3LiveStreamsDecode() throws {
        apiPort = ServerProcess.freePort()
        httpPort = ServerProcess.freePort()
        let server = try ServerProcess(
            body: """
                vhost __defaultVhost__ { http_remux { enabled on; mount [vhost]/[app]/[stream].ts; } }
                vhost aac.example { http_remux { enabled on; mount [vhost]/[app]/[stream].aac; } }
                vhost mp3.example { http_remux { enabled on; mount [vhost]/[app]/[stream].mp3; } }
                """,
            head: "http_api { enabled on; listen \(apiPort); }\nhttp_server { enabled on; listen \(httpPort); dir /nonexistent; }")
        let aac = try MediaFixtures.path(.h264AAC)
        let mp3 = try MediaFixtures.path(.h264MP3)
        for (fixture, url) in [(aac, server.url("live/test")), (aac, server.url("live?vhost=aac.example/test")), (mp3, server.url("live?vhost=mp3.example/test"))] {
            _ = try ExternalTool.start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", fixture, "-c", "copy", "-f", "flv", url],
                                       logFile: server.directory + "/publisher-\(UUID().uuidString.prefix(4)).log")
        }
        sleep(1)
        let ts = server.directory + "/live.ts"
        let decoded = try ExternalTool.run(
            "ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", "http://127.0.0.1:\(httpPort)/live/test.ts", "-c", "copy", "-t", "3", ts],
            timeout: 15)
        XCTAssertEqual(decoded.status, 0, decoded.output)
        let tsFrames = try MediaFixtures.countFrames(ts)
        XCTAssertEqual(tsFrames.errors, "")
        XCTAssertGreaterThan(tsFrames.video, 60)
        XCTAssertGreaterThan(tsFrames.audio, 100)
        for (host, file, codec) in [("aac.example", "live.aac", "aac"), ("mp3.example", "live.mp3", "mp3")] {
            let path = server.directory + "/" + file
            _ = try curl(["--max-time", "3", "-H", "Host: \(host)", "-o", path, "http://127.0.0.1:\(httpPort)/live/\(file.replacingOccurrences(of: "live", with: "test"))"])
            let probe = try ExternalTool.run("ffprobe", ["-v", "error", "-count_frames", "-show_entries", "stream=codec_name,nb_read_frames", "-of", "csv=p=0", path], timeout: 20)
            let fields = probe.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",")
            XCTAssertEqual(fields.first.map(String.init), codec, probe.output)
            XCTAssertGreaterThan(fields.count > 1 ? Int(fields[1]) ?? 0 : 0, 60, "\(codec): \(probe.output)")
        }
        let streams = try json("http://127.0.0.1:\(apiPort)/api/v1/streams")["streams"] as? [[String: Any]] ?? []
        let audioCodecs = Set(streams.compactMap { ($0["audio"] as? [String: Any])?["codec"] as? String })
        XCTAssertEqual(audioCodecs, ["AAC", "MP3"])
        let video = try XCTUnwrap(streams.first?["video"] as? [String: Any])
        XCTAssertEqual(video["width"] as? Int, 320)
        XCTAssertEqual(video["height"] as? Int, 240)
        XCTAssertEqual(video["profile"] as? String, "Constrained Baseline")
        let aacInfo = try XCTUnwrap(streams.compactMap { $0["audio"] as? [String: Any] }.first { $0["codec"] as? String == "AAC" })
        XCTAssertEqual(aacInfo["sample_rate"] as? Int, 44100)
        XCTAssertEqual(aacInfo["channel"] as? Int, 1)
        XCTAssertEqual(aacInfo["profile"] as? String, "LC")
    }

    func testHSTRSOffAnswers404ForUnpublishedStream() throws {
        let server = try startServer(remux: "http_remux { enabled on; mount [vhost]/[app]/[stream].flv; hstrs off; }")
        defer { XCTAssertTrue(server.isRunning) }
        let head = try curl(["-i", "http://127.0.0.1:\(httpPort)/live/none.flv"])
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 404"), head)
    }

    func testEveryAPIEndpointAnswersCodeZero() throws {
        let server = try startServer()
        _ = try publish(server)
        sleep(2)
        for endpoint in ["", "v1/", "v1/versions", "v1/summaries", "v1/rusages", "v1/self_proc_stats", "v1/system_proc_stats",
                         "v1/meminfos", "v1/authors", "v1/features", "v1/vhosts", "v1/streams", "v1/clients"] {
            let object = try json("http://127.0.0.1:\(apiPort)/api/\(endpoint)")
            XCTAssertEqual(object["code"] as? Int, 0, "/api/\(endpoint): \(object)")
        }
        let versions = try json("http://127.0.0.1:\(apiPort)/api/v1/versions")["data"] as? [String: Any]
        XCTAssertEqual(versions?["major"] as? Int, 2)
        let summary = try json("http://127.0.0.1:\(apiPort)/api/v1/summaries")["data"] as? [String: Any]
        let selfInfo = summary?["self"] as? [String: Any]
        XCTAssertEqual(selfInfo?["pid"] as? Int, Int(server.pid))
        XCTAssertGreaterThan(selfInfo?["mem_kbyte"] as? Int ?? 0, 0)
        XCTAssertNotNil((summary?["system"] as? [String: Any])?["conn_srs"])
        let vhosts = try json("http://127.0.0.1:\(apiPort)/api/v1/vhosts")["vhosts"] as? [[String: Any]]
        XCTAssertEqual(vhosts?.first?["name"] as? String, "__defaultVhost__")
        let vhostId = try XCTUnwrap(vhosts?.first?["id"] as? Int)
        XCTAssertEqual((try json("http://127.0.0.1:\(apiPort)/api/v1/vhosts/\(vhostId)")["vhost"] as? [String: Any])?["name"] as? String, "__defaultVhost__")
    }

    /// The JSON type of a decoded value: bool, int, number, string, object, array or null.
    private func kind(_ value: Any) -> String {
        switch value {
        case is NSNull: return "null"
        case is Bool where type(of: value) == Bool.self: return "bool"
        case is Int where type(of: value) == Int.self: return "int"
        case let number as NSNumber:
            let encoding = String(cString: number.objCType)
            return encoding == "c" || encoding == "B" ? "bool" : (encoding == "d" || encoding == "f" ? "number" : "int")
        case is String: return "string"
        case is [String: Any]: return "object"
        case is [Any]: return "array"
        default: return "\(type(of: value))"
        }
    }

    /// Each expected field is there with its type ("number" takes an int too).
    private func assertShape(_ object: [String: Any]?, _ expected: [String: String], _ context: String,
                             file: StaticString = #filePath, line: UInt = #line) {
        guard let object else { return XCTFail("\(context): missing", file: file, line: line) }
        for (name, type) in expected {
            guard let value = object[name] else {
                XCTFail("\(context).\(name) is missing: \(object)", file: file, line: line)
                continue
            }
            let actual = kind(value)
            let accepted = type.split(separator: "|").map(String.init)
            XCTAssertTrue(accepted.contains(actual) || (accepted.contains("number") && actual == "int"),
                          "\(context).\(name) is \(actual), SRS has \(type)", file: file, line: line)
        }
    }

    /// Field names and JSON types as SRS dashboards read them, endpoint by endpoint, from SRS
    /// 2.0's code (2.0release, trunk/src/app): srs_app_http_api.cpp, srs_app_statistic.cpp,
    /// srs_app_utility.cpp; where SRS 3.0 differs (ids as strings), SRS 2.0 is followed.
    func testFieldNamesAndTypesMatchSRS() throws {
        let server = try startServer(remux: "http_remux { enabled on; mount [vhost]/[app]/[stream].flv; } hls { enabled on; hls_fragment 4; hls_path \(NSTemporaryDirectory()); }")
        _ = try publish(server)
        let player = try TestRTMPClient(port: server.port, path: "live/test")
        XCTAssertTrue(try player.start())
        sleep(3)
        let api = "http://127.0.0.1:\(apiPort)"
        let envelope = ["code": "int", "server": "int"]
        // srs_app_http_api.cpp:144-150 (the root), 168-174 (/api).
        let root = try json(api + "/")
        assertShape(root, envelope.merging(["urls": "object"]) { $1 }, "/")
        assertShape(root["urls"] as? [String: Any], ["api": "string"], "/.urls")
        assertShape(try json(api + "/api")["urls"] as? [String: Any], ["v1": "string"], "/api.urls")
        // srs_app_http_api.cpp:192-215 (/api/v1/; SRS's test URLs are not served here).
        assertShape(try json(api + "/api/v1/")["urls"] as? [String: Any], Dictionary(uniqueKeysWithValues: [
            "versions", "summaries", "rusages", "self_proc_stats", "system_proc_stats", "meminfos", "authors", "features", "vhosts",
            "streams", "clients"].map { ($0, "string") }), "/api/v1/.urls")
        // srs_app_statistic.cpp:126-167 (a stream); publish.cid is -1 without a publisher (:97).
        let stream = (try json(api + "/api/v1/streams/")["streams"] as? [[String: Any]])?.first
        assertShape(stream, ["id": "int", "name": "string", "vhost": "int", "app": "string", "live_ms": "int", "clients": "int", "frames": "int",
                             "send_bytes": "int", "recv_bytes": "int", "kbps": "object", "publish": "object", "video": "object|null",
                             "audio": "object|null"], "stream")
        assertShape(stream?["kbps"] as? [String: Any], ["recv_30s": "int", "send_30s": "int"], "stream.kbps")
        assertShape(stream?["publish"] as? [String: Any], ["active": "bool", "cid": "int"], "stream.publish")
        assertShape(stream?["video"] as? [String: Any], ["codec": "string", "profile": "string", "level": "string"], "stream.video")
        assertShape(stream?["audio"] as? [String: Any], ["codec": "string", "sample_rate": "int", "channel": "int", "profile": "string"], "stream.audio")
        let liveMs = Double(stream?["live_ms"] as? Int ?? 0)
        XCTAssertEqual(liveMs / 1000, Date().timeIntervalSince1970, accuracy: 5, "live_ms is the time now, as SRS")
        // srs_app_statistic.cpp:207-219 (a client; alive in seconds as SRS 3+).
        let clients = try json(api + "/api/v1/clients/")["clients"] as? [[String: Any]] ?? []
        XCTAssertEqual(clients.count, 2)
        for client in clients {
            assertShape(client, ["id": "int", "vhost": "int", "stream": "int", "ip": "string", "pageUrl": "string", "swfUrl": "string",
                                 "tcUrl": "string", "url": "string", "type": "string", "publish": "bool", "alive": "number"], "client")
        }
        // srs_app_statistic.cpp:68-87 (a vhost): hls.fragment when HLS is on.
        let vhost = (try json(api + "/api/v1/vhosts/")["vhosts"] as? [[String: Any]])?.first
        assertShape(vhost, ["id": "int", "name": "string", "enabled": "bool", "clients": "int", "streams": "int", "send_bytes": "int",
                            "recv_bytes": "int", "kbps": "object", "hls": "object"], "vhost")
        assertShape(vhost?["hls"] as? [String: Any], ["enabled": "bool", "fragment": "number"], "vhost.hls")
        XCTAssertEqual((vhost?["hls"] as? [String: Any])?["enabled"] as? Bool, true)
        // srs_app_utility.cpp:1438-1550 (summaries).
        let summary = try json(api + "/api/v1/summaries")["data"] as? [String: Any]
        assertShape(summary, ["ok": "bool", "now_ms": "int", "self": "object", "system": "object"], "summaries.data")
        assertShape(summary?["self"] as? [String: Any], ["version": "string", "pid": "int", "ppid": "int", "argv": "string", "cwd": "string",
                                                        "mem_kbyte": "int", "mem_percent": "number", "cpu_percent": "number", "srs_uptime": "int"],
                    "summaries.data.self")
        assertShape(summary?["system"] as? [String: Any], Dictionary(uniqueKeysWithValues: [
            "cpu_percent", "disk_read_KBps", "disk_write_KBps", "disk_busy_percent", "mem_ram_kbyte", "mem_ram_percent", "mem_swap_kbyte",
            "mem_swap_percent", "cpus", "cpus_online", "uptime", "ilde_time", "load_1m", "load_5m", "load_15m", "net_sample_time",
            "net_recv_bytes", "net_send_bytes", "net_recvi_bytes", "net_sendi_bytes", "srs_sample_time", "srs_recv_bytes", "srs_send_bytes",
            "conn_sys", "conn_sys_et", "conn_sys_tw", "conn_sys_udp", "conn_srs"].map { ($0, "number") }), "summaries.data.system")
        // srs_app_http_api.cpp:580-602 (features, flat in data; SRS 3+ also data.features).
        let features = try json(api + "/api/v1/features")["data"] as? [String: Any]
        let names = ["ssl", "hls", "hds", "callback", "api", "httpd", "dvr", "transcode", "ingest", "stat", "nginx", "ffmpeg", "stream_caster",
                     "complex_send", "tcp_nodelay", "so_sendbuf", "mr"]
        assertShape(features, Dictionary(uniqueKeysWithValues: names.map { ($0, "bool") }), "features.data")
        assertShape(features?["features"] as? [String: Any], ["hls": "bool", "callback": "bool", "dvr": "bool"], "features.data.features")
        for working in ["hls", "callback", "dvr", "api", "httpd"] { XCTAssertEqual(features?[working] as? Bool, true, "\(working) works") }
        // Prometheus: a HELP line for every metric.
        let metrics = try curl([api + "/metrics"])
        let types = metrics.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }
        XCTAssertGreaterThan(types.count, 5)
        for line in types {
            let name = line.split(separator: " ")[2]
            XCTAssertTrue(metrics.contains("# HELP \(name) "), "HELP for \(name)")
        }
    }

    func testStreamsShowCodecsAndClientsListRTMPAndHTTPPlayersAndKickWorks() throws {
        let server = try startServer()
        _ = try publish(server)
        sleep(1)
        let rtmpPlayers = try (0..<2).map { _ in try TestRTMPClient(port: server.port) }
        for player in rtmpPlayers { XCTAssertTrue(try player.start()) }
        let flvPlayers = try (0..<2).map { index in
            try ExternalTool.start("curl", ["-s", "-o", "/dev/null", "http://127.0.0.1:\(httpPort)/live/test.flv"], logFile: server.directory + "/flv\(index).log")
        }
        sleep(2)
        for player in rtmpPlayers { try player.pump(timeout: 0.2) }
        let streams = try json("http://127.0.0.1:\(apiPort)/api/v1/streams")["streams"] as? [[String: Any]] ?? []
        XCTAssertEqual(streams.count, 1)
        let stream = try XCTUnwrap(streams.first)
        XCTAssertEqual(stream["name"] as? String, "test")
        XCTAssertEqual(stream["app"] as? String, "live")
        XCTAssertEqual(stream["clients"] as? Int, 5, "publisher + 2 RTMP + 2 HTTP-FLV players")
        XCTAssertEqual((stream["publish"] as? [String: Any])?["active"] as? Bool, true)
        let video = try XCTUnwrap(stream["video"] as? [String: Any])
        XCTAssertEqual(video["codec"] as? String, "H264")
        let audio = try XCTUnwrap(stream["audio"] as? [String: Any])
        XCTAssertEqual(audio["codec"] as? String, "AAC")
        XCTAssertGreaterThan(stream["recv_bytes"] as? Int ?? 0, 0)
        XCTAssertGreaterThan(stream["send_bytes"] as? Int ?? 0, 0)
        let streamId = try XCTUnwrap(stream["id"] as? Int)
        XCTAssertEqual((try json("http://127.0.0.1:\(apiPort)/api/v1/streams/\(streamId)")["stream"] as? [String: Any])?["name"] as? String, "test")

        let clients = try json("http://127.0.0.1:\(apiPort)/api/v1/clients")["clients"] as? [[String: Any]] ?? []
        let types = clients.compactMap { $0["type"] as? String }
        XCTAssertEqual(types.filter { $0 == "Play" }.count, 2, "\(types)")
        XCTAssertEqual(types.filter { $0 == "flv-play" }.count, 2, "\(types)")
        XCTAssertEqual(types.filter { $0 == "fmle-publish" }.count, 1, "\(types)")
        let paged = try json("http://127.0.0.1:\(apiPort)/api/v1/clients?start=1&count=2")["clients"] as? [[String: Any]] ?? []
        XCTAssertEqual(paged.count, 2)

        // Kick one HTTP-FLV player: exactly it goes away.
        let flvIds = clients.filter { $0["type"] as? String == "flv-play" }.compactMap { $0["id"] as? Int }
        let victim = try XCTUnwrap(flvIds.first)
        let kick = try curl(["-X", "DELETE", "http://127.0.0.1:\(apiPort)/api/v1/clients/\(victim)"])
        XCTAssertTrue(kick.contains("\"code\":0"), kick)
        sleep(1)
        XCTAssertEqual(flvPlayers.filter { !$0.isRunning }.count, 1, "exactly one curl player should have been cut")
        let after = try json("http://127.0.0.1:\(apiPort)/api/v1/clients")["clients"] as? [[String: Any]] ?? []
        XCTAssertFalse(after.contains { $0["id"] as? Int == victim })
        XCTAssertEqual(after.count, clients.count - 1)
        for player in rtmpPlayers { XCTAssertTrue(try player.pump(timeout: 0.3), "an RTMP player was cut") }

        // Kick an RTMP player too.
        let rtmpId = try XCTUnwrap(clients.first { $0["type"] as? String == "Play" }?["id"] as? Int)
        XCTAssertTrue(try curl(["-X", "DELETE", "http://127.0.0.1:\(apiPort)/api/v1/clients/\(rtmpId)"]).contains("\"code\":0"))
        sleep(1)
        let closed = try rtmpPlayers.filter { try !$0.pump(timeout: 0.5) }
        XCTAssertEqual(closed.count, 1)
    }

    func testMetricsParseAsPrometheusText() throws {
        let server = try startServer()
        _ = try publish(server)
        sleep(1)
        let player = try TestRTMPClient(port: server.port)
        XCTAssertTrue(try player.start())
        try player.pump(timeout: 1)
        let head = try curl(["-i", "http://127.0.0.1:\(apiPort)/metrics"])
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 200") && head.contains("Content-Type: text/plain; version=0.0.4"), head)
        let text = try curl(["http://127.0.0.1:\(apiPort)/metrics"])
        // Text exposition format 0.0.4: comments, or `name{label="value",...} number`.
        let sample = try NSRegularExpression(pattern: #"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="[^"]*",?)*\})? -?[0-9.eE+-]+$"#)
        var names = Set<String>()
        for line in text.split(separator: "\n") {
            if line.hasPrefix("#") { continue }
            let string = String(line)
            XCTAssertNotNil(sample.firstMatch(in: string, range: NSRange(string.startIndex..., in: string)), "not Prometheus text: \(string)")
            names.insert(String(string.prefix { $0 != "{" && $0 != " " }))
        }
        for name in ["srs_connections", "srs_streams", "srs_clients", "srs_stream_clients", "srs_stream_received_bytes_total",
                     "srs_stream_sent_bytes_total", "srs_stream_dropped_messages_total"] {
            XCTAssertTrue(names.contains(name), "missing \(name) in \(names.sorted())")
        }
        XCTAssertTrue(text.contains(#"srs_stream_clients{vhost="__defaultVhost__",app="live",stream="test"} 2"#), text)
    }

    func testUnknownIdsAnswerSRSCodes() throws {
        let server = try startServer()
        defer { XCTAssertTrue(server.isRunning) }
        XCTAssertEqual(try json("http://127.0.0.1:\(apiPort)/api/v1/streams/999999")["code"] as? Int, 2048)
        XCTAssertEqual(try json("http://127.0.0.1:\(apiPort)/api/v1/clients/999999")["code"] as? Int, 2049)
        XCTAssertTrue(try curl(["-X", "DELETE", "http://127.0.0.1:\(apiPort)/api/v1/clients/999999"]).contains("2049"))
    }

    /// Paging with absurd numbers (start + count past Int.max trapped once) answers, and the
    /// server lives on.
    func testAbsurdPagingAnswers() throws {
        let server = try startServer()
        let idle = try (0..<3).map { _ in try TestRTMPClient(port: server.port) }  // three clients to page over
        sleep(1)
        for query in ["start=1&count=9223372036854775807", "start=-5&count=-1", "start=9223372036854775807&count=1",
                      "start=2&count=99999999999999999999", "start=x&count=y"] {
            for resource in ["clients", "streams"] {
                let answer = try json("http://127.0.0.1:\(apiPort)/api/v1/\(resource)?\(query)")
                XCTAssertEqual(answer["code"] as? Int, 0, "\(resource)?\(query)")
            }
        }
        XCTAssertEqual((try json("http://127.0.0.1:\(apiPort)/api/v1/clients?start=1&count=9223372036854775807")["clients"] as? [Any])?.count, 2)
        XCTAssertTrue(server.isRunning)
        withExtendedLifetime(idle) {}
    }

    func testJSONPCORSAndGzip() throws {
        let server = try startServer()
        defer { XCTAssertTrue(server.isRunning) }
        let jsonp = try curl(["http://127.0.0.1:\(apiPort)/api/v1/versions?callback=show"])
        XCTAssertTrue(jsonp.hasPrefix("show({") && jsonp.hasSuffix("})"), jsonp)
        let options = try curl(["-i", "-X", "OPTIONS", "-H", "Origin: http://example.com", "http://127.0.0.1:\(apiPort)/api/v1/streams"])
        XCTAssertTrue(options.hasPrefix("HTTP/1.1 200"), options)
        XCTAssertTrue(options.contains("Access-Control-Allow-Origin: *"), options)
        let gzipped = try curl(["-i", "--compressed", "http://127.0.0.1:\(apiPort)/api/v1/summaries"])
        XCTAssertTrue(gzipped.contains("Content-Encoding: gzip"), gzipped)
        XCTAssertTrue(gzipped.contains("\"code\":0"), "curl could not inflate the gzip body")
    }

    func testStaticFilesRangesMIMEAndNoEscape() throws {
        let server = try startServer()
        defer { XCTAssertTrue(server.isRunning) }
        XCTAssertEqual(try curl(["http://127.0.0.1:\(httpPort)/"]), "<html>hello</html>\n")
        let m3u8 = try curl(["-i", "http://127.0.0.1:\(httpPort)/sub/live.m3u8"])
        XCTAssertTrue(m3u8.contains("Content-Type: application/vnd.apple.mpegurl"), m3u8)
        XCTAssertTrue(m3u8.contains("Cache-Control: no-cache"), m3u8)
        let range = try curl(["-i", "-r", "10-19", "http://127.0.0.1:\(httpPort)/sub/data.ts"])
        XCTAssertTrue(range.hasPrefix("HTTP/1.1 206"), range)
        XCTAssertTrue(range.contains("Content-Range: bytes 10-19/1000"), range)
        XCTAssertTrue(range.contains("Content-Type: video/MP2T"), range)
        XCTAssertTrue(try curl(["-i", "-r", "5000-", "http://127.0.0.1:\(httpPort)/sub/data.ts"]).hasPrefix("HTTP/1.1 416"))
        XCTAssertTrue(try curl(["-i", "http://127.0.0.1:\(httpPort)/missing.html"]).hasPrefix("HTTP/1.1 404"))
        for escape in ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/sub/../../etc/passwd"] {
            let answer = try curl(["-i", "--path-as-is", "http://127.0.0.1:\(httpPort)\(escape)"])
            XCTAssertFalse(answer.contains("root:"), "\(escape) escaped the root")
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 403") || answer.hasPrefix("HTTP/1.1 404"), "\(escape): \(answer.prefix(40))")
        }
    }

    func testSlowRequestIsCutAndVhostStaticMountServes() throws {
        apiPort = ServerProcess.freePort()
        httpPort = ServerProcess.freePort()
        let root = NSTemporaryDirectory() + "swiftsrs-static-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try "segment\n".write(toFile: root + "/a.txt", atomically: true, encoding: .utf8)
        let server = try ServerProcess(
            body: "vhost __defaultVhost__ { http_static { enabled on; mount [vhost]/static/; dir \(root); } }",
            head: "http_server { enabled on; listen \(httpPort); dir /nonexistent; }")
        XCTAssertEqual(try curl(["http://127.0.0.1:\(httpPort)/static/a.txt"]), "segment\n")
        // Half a request, then silence: cut after the request timeout (10 s), others unhurt.
        let slow = try TestRTMPClient(port: httpPort)
        slow.sendRaw(Array("GET /static/a.txt HTTP/1.1\r\nHost: x\r\n".utf8))
        let start = Date()
        XCTAssertTrue(slow.waitForClose(timeout: 15), "a slow request was never cut")
        XCTAssertGreaterThan(Date().timeIntervalSince(start), 8)
        XCTAssertTrue(server.log.contains("HTTP request not complete within"), server.log)
        XCTAssertEqual(try curl(["http://127.0.0.1:\(httpPort)/static/a.txt"]), "segment\n")
    }

    /// 40 pipelined requests in one write (more than the 32 queued before reading stops):
    /// every response comes back, whole and in order.
    func testPipelinedRequestsAreAnsweredInOrder() throws {
        let server = try startServer()
        defer { XCTAssertTrue(server.isRunning) }
        let client = try TestRTMPClient(port: httpPort)  // a raw TCP client
        let paths = (0..<40).map { $0 % 2 == 0 ? "/sub/data.ts" : "/index.html" }
        client.sendRaw(Array(paths.map { "GET \($0) HTTP/1.1\r\nHost: x\r\n\r\n" }.joined().utf8))
        var received: [UInt8] = []
        var bodies: [[UInt8]] = []
        let deadline = Date().addingTimeInterval(10)
        while bodies.count < paths.count && Date() < deadline {
            if let data = try client.readAvailable(timeout: 0.5) { received += data }
            // Peel off every complete response.
            while let headEnd = received.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound {
                let head = String(decoding: received[..<headEnd], as: UTF8.self)
                guard let lengthLine = head.split(separator: "\r\n").first(where: { $0.hasPrefix("Content-Length: ") }),
                      let length = Int(lengthLine.dropFirst("Content-Length: ".count)) else { return XCTFail("no length in \(head)") }
                guard received.count >= headEnd + length else { break }
                XCTAssertTrue(head.hasPrefix("HTTP/1.1 200"), head)
                bodies.append(Array(received[headEnd..<(headEnd + length)]))
                received.removeFirst(headEnd + length)
            }
        }
        XCTAssertEqual(bodies.count, paths.count)
        for (index, body) in bodies.enumerated() {
            if index % 2 == 0 {
                XCTAssertEqual(body, (0..<1000).map { UInt8($0 % 251) }, "response \(index)")
            } else {
                XCTAssertEqual(body, Array("<html>hello</html>\n".utf8), "response \(index)")
            }
        }
    }

    func testAPIAndHTTPServerShareOnePort() throws {
        let server = try startServer(sharedPort: true)
        _ = try publish(server)
        sleep(1)
        XCTAssertEqual(try json("http://127.0.0.1:\(apiPort)/api/v1/versions")["code"] as? Int, 0)
        XCTAssertEqual(try curl(["http://127.0.0.1:\(apiPort)/"]), "<html>hello</html>\n")
        let file = server.directory + "/shared.flv"
        _ = try curl(["--max-time", "2", "-o", file, "http://127.0.0.1:\(apiPort)/live/test.flv"])
        let flv = try Data(contentsOf: URL(fileURLWithPath: file))
        XCTAssertEqual(Array(flv.prefix(3)), Array("FLV".utf8), "no FLV stream on the shared port")
        XCTAssertGreaterThan(flv.count, 10_000)
    }

    func testBadHTTPRequestsAreRefusedAndOthersKeepFlowing() throws {
        let server = try startServer()
        _ = try publish(server)
        sleep(1)
        let healthy = try HealthyPlayer(port: server.port, path: "live/test")
        defer { healthy.stop() }
        try healthy.awaitFrames(10, timeout: 10)
        for bad in ["GARBAGE\r\n\r\n", "GET / HTTP/2.0\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
                    "GET / HTTP/1.1\r\n" + String(repeating: "X-Long: " + String(repeating: "a", count: 1000) + "\r\n", count: 30) + "\r\n"] {
            let client = try TestRTMPClient(port: httpPort)  // a raw TCP client
            client.sendRaw(Array(bad.utf8))
            XCTAssertTrue(client.waitForClose(timeout: 5), "server kept a bad HTTP client: \(bad.prefix(30))")
        }
        let before = healthy.videoFrames
        sleep(2)
        XCTAssertGreaterThan(healthy.videoFrames - before, 30)
        XCTAssertTrue(server.isRunning)
    }
}
