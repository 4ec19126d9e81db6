import Foundation
import XCTest

/// Running the server in production: API authentication, the raw API's reload, log reopening
/// on SIGUSR1, heartbeat reports, system figures, environment overrides.
final class OperationsTests: XCTestCase {
    override func tearDown() {
        TestProcesses.shared.killAll()
        super.tearDown()
    }

    private func curl(_ arguments: [String]) throws -> String {
        try ExternalTool.run("curl", ["-s", "--max-time", "5"] + arguments, timeout: 10).output
    }

    private func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
    }

    /// The server accepts on its RTMP port first; the API's port opens right after.
    private func waitForPort(_ port: Int) {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline && !ServerProcess.canConnect(port: port) { usleep(50_000) }
    }

    func testAPIAuthenticationAndTheRawAPIReload() throws {
        let apiPort = ServerProcess.freePort()
        let server = try ServerProcess(body: "vhost __defaultVhost__ { }", head: """
            http_api { enabled on; listen \(apiPort); auth { enabled on; username admin; password "s3cret"; } raw_api { enabled on; allow_reload on; } }
            """)
        waitForPort(apiPort)
        let base = "http://127.0.0.1:\(apiPort)"
        for path in ["/api/v1/streams", "/metrics", "/api/v1/raw?rpc=reload"] {
            XCTAssertEqual(try curl(["-o", "/dev/null", "-w", "%{http_code}", base + path]), "401", "no credentials: \(path)")
            XCTAssertEqual(try curl(["-o", "/dev/null", "-w", "%{http_code}", "-u", "admin:wrong", base + path]), "401", "wrong password: \(path)")
            XCTAssertEqual(try curl(["-o", "/dev/null", "-w", "%{http_code}", "-u", "admin:s3cre", base + path]), "401", "a prefix of it: \(path)")
        }
        XCTAssertTrue(try curl(["-i", base + "/api/v1/streams"]).contains("WWW-Authenticate: Basic"))
        XCTAssertEqual(json(try curl(["-u", "admin:s3cret", base + "/api/v1/streams"]))["code"] as? Int, 0)
        XCTAssertTrue(try curl(["-u", "admin:s3cret", base + "/metrics"]).contains("srs_"))
        // A kick without credentials leaves the client connected.
        let player = try ExternalTool.start("ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-i", server.url("live/waiting"), "-f", "null", "-"],
                                            logFile: server.directory + "/player.log")
        sleep(1)
        let clients = json(try curl(["-u", "admin:s3cret", base + "/api/v1/clients"]))["clients"] as? [[String: Any]] ?? []
        let id = try XCTUnwrap(clients.first?["id"] as? Int, "\(clients)")
        XCTAssertEqual(try curl(["-o", "/dev/null", "-w", "%{http_code}", "-X", "DELETE", base + "/api/v1/clients/\(id)"]), "401")
        sleep(1)
        XCTAssertTrue(player.isRunning, "the client is still connected")
        XCTAssertEqual(json(try curl(["-u", "admin:s3cret", "-X", "DELETE", base + "/api/v1/clients/\(id)"]))["code"] as? Int, 0)
        XCTAssertTrue(ExternalTool.wait(player, timeout: 5), "kicked with credentials")
        // rpc=reload with credentials reloads (SRS 5's answer) by POST: with auth on, a GET (which
        // any page can make a browser send) is refused; rpc=raw shows the settings.
        XCTAssertEqual(try curl(["-o", "/dev/null", "-w", "%{http_code}", "-u", "admin:s3cret", base + "/api/v1/raw?rpc=reload"]), "405")
        XCTAssertEqual(json(try curl(["-u", "admin:s3cret", "-X", "POST", base + "/api/v1/raw?rpc=reload"]))["code"] as? Int, 0)
        XCTAssertFalse(try curl(["-u", "admin:s3cret", base + "/api/v1/versions?callback=steal"]).hasPrefix("steal("), "no JSONP with auth on")
        let raw = json(try curl(["-u", "admin:s3cret", base + "/api/v1/raw?rpc=raw"]))
        XCTAssertEqual(((raw["http_api"] as? [String: Any])?["raw_api"] as? [String: Any])?["allow_reload"] as? Bool, true, "\(raw)")
        sleep(1)
        XCTAssertTrue(server.log.contains("reload asked through the raw API"))
        XCTAssertTrue(server.log.contains("reload: config applied"))
    }

    func testTheRawAPIIsOffByDefault() throws {
        let apiPort = ServerProcess.freePort()
        let server = try ServerProcess(body: "vhost __defaultVhost__ { }", head: "http_api { enabled on; listen \(apiPort); }")
        waitForPort(apiPort)
        XCTAssertEqual(json(try curl(["http://127.0.0.1:\(apiPort)/api/v1/raw?rpc=reload"]))["code"] as? Int, 1061)
        XCTAssertFalse(server.log.contains("reload: reading"), "no reload happened")
    }

    func testSIGUSR1ReopensTheLogAfterLogrotateMovedIt() throws {
        let directory = NSTemporaryDirectory() + "swiftsrs-logs-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let logFile = directory + "/srs.log"
        let port = ServerProcess.freePort()
        let server = try ServerProcess(port: port, wholeConfig: """
            daemon off; srs_log_tank file; srs_log_file \(logFile); listen \(port); pid \(directory)/srs.pid;
            vhost __defaultVhost__ { }
            """)
        XCTAssertTrue(try String(contentsOfFile: logFile, encoding: .utf8).contains("RTMP listen"))
        try FileManager.default.moveItem(atPath: logFile, toPath: logFile + ".1")
        kill(server.pid, SIGUSR1)
        usleep(500_000)
        let moved = try String(contentsOfFile: logFile + ".1", encoding: .utf8)
        XCTAssertTrue(ServerProcess.canConnect(port: port), "a client connects: its line goes to the log")
        usleep(500_000)
        let fresh = try String(contentsOfFile: logFile, encoding: .utf8)
        XCTAssertTrue(fresh.contains("SIGUSR1: log reopened"), fresh)
        XCTAssertTrue(fresh.contains("RTMP client"), "the next lines go to the new file: \(fresh)")
        XCTAssertEqual(try String(contentsOfFile: logFile + ".1", encoding: .utf8), moved, "nothing more goes to the moved one")
        XCTAssertTrue(server.isRunning)
    }

    func testReloadSwitchesTheLogTankAndLevel() throws {
        let port = ServerProcess.freePort()
        let directory = NSTemporaryDirectory() + "swiftsrs-logswitch-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let head = "daemon off; listen \(port); pid \(directory)/srs.pid; vhost __defaultVhost__ { }\n"
        let server = try ServerProcess(port: port, wholeConfig: head + "srs_log_tank console; srs_log_level trace;\n")
        let logFile = directory + "/switched.log"
        try (head + "srs_log_tank file; srs_log_file \(logFile); srs_log_level trace;\n").write(toFile: server.configPath, atomically: true, encoding: .utf8)
        kill(server.pid, SIGHUP)
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline && !((try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "").contains("reload: config applied") { usleep(100_000) }
        let consoleBefore = server.log
        XCTAssertTrue(ServerProcess.canConnect(port: port))
        usleep(500_000)
        XCTAssertTrue(try String(contentsOfFile: logFile, encoding: .utf8).contains("RTMP client"), "the file tank took over")
        XCTAssertEqual(server.log, consoleBefore, "the console got nothing more")
        // Level warn: trace lines are gone.
        try (head + "srs_log_tank file; srs_log_file \(logFile); srs_log_level warn;\n").write(toFile: server.configPath, atomically: true, encoding: .utf8)
        kill(server.pid, SIGHUP)
        usleep(1_000_000)  // the reload is applied
        let beforeClient = try String(contentsOfFile: logFile, encoding: .utf8)
        XCTAssertTrue(ServerProcess.canConnect(port: port))
        usleep(500_000)
        XCTAssertEqual(try String(contentsOfFile: logFile, encoding: .utf8), beforeClient, "no trace line at level warn")
        XCTAssertTrue(server.isRunning)
    }

    func testHeartbeatReportsAndSummariesMove() throws {
        let receiverPort = ServerProcess.freePort()
        let apiPort = ServerProcess.freePort()
        let bodies = NSTemporaryDirectory() + "swiftsrs-heartbeats-\(UUID().uuidString.prefix(8)).jsonl"
        try Self.receiver.write(toFile: bodies + ".py", atomically: true, encoding: .utf8)
        _ = try ExternalTool.start("python3", [bodies + ".py", "\(receiverPort)", bodies], logFile: bodies + ".log")
        usleep(300_000)
        let server = try ServerProcess(body: "vhost __defaultVhost__ { }", head: """
            http_api { enabled on; listen \(apiPort); }
            heartbeat { enabled on; interval 1; url http://127.0.0.1:\(receiverPort)/api/v1/servers; device_id "edge-7"; summaries on; }
            """)
        let summaries = { () throws -> [String: Any] in
            (self.json(try self.curl(["http://127.0.0.1:\(apiPort)/api/v1/summaries"]))["data"] as? [String: Any])?["system"] as? [String: Any] ?? [:]
        }
        waitForPort(apiPort)
        let before = try summaries()
        _ = try LiveStreamTools.publish(server.url("live/hb"), log: server.directory + "/publisher.log")
        _ = try LiveStreamTools.play(server.url("live/hb"), seconds: 3, directory: server.directory)
        sleep(2)
        let after = try summaries()
        let reports = ((try? String(contentsOfFile: bodies, encoding: .utf8)) ?? "").split(separator: "\n").map { json(String($0)) }
        XCTAssertGreaterThanOrEqual(reports.count, 4, "a report a second: \(reports.count)")
        let report = try XCTUnwrap(reports.last)
        XCTAssertEqual(report["device_id"] as? String, "edge-7")
        XCTAssertFalse((report["ip"] as? String ?? "").isEmpty, "\(report)")
        XCTAssertEqual(((report["summaries"] as? [String: Any])?["self"] as? [String: Any])?["pid"] as? Int, Int(server.pid))
        // Loopback traffic is SRS's intranet figure; it moved with the stream.
        let received = (before["net_recvi_bytes"] as? Int ?? 0, after["net_recvi_bytes"] as? Int ?? 0)
        XCTAssertGreaterThan(received.1 - received.0, 200_000, "net_recvi_bytes moved: \(received)")
        for field in ["disk_read_KBps", "disk_write_KBps", "disk_busy_percent", "net_recv_bytes", "net_send_bytes"] {
            XCTAssertNotNil(after[field] as? NSNumber, "\(field) in \(after)")
        }
        // 32 MB written past the page cache show in the disk figures of the next sample (5 s).
        let written = try ExternalTool.run("dd", ["if=/dev/zero", "of=\(server.directory)/disk.bin", "bs=1M", "count=32", "oflag=direct"], timeout: 30)
        XCTAssertEqual(written.status, 0, written.output)
        var writeRate = 0.0
        let deadline = Date().addingTimeInterval(12)
        while Date() < deadline && writeRate <= 100 {
            writeRate = (try summaries()["disk_write_KBps"] as? NSNumber)?.doubleValue ?? 0
            usleep(500_000)
        }
        XCTAssertGreaterThan(writeRate, 100, "disk_write_KBps moved with 32 MB written")
    }

    func testEnvironmentOverridesWhereTheServerListens() throws {
        let rtmpPort = ServerProcess.freePort()
        let apiPort = ServerProcess.freePort()
        let confURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("conf/rtmp.conf")
        let server = try ServerProcess(port: rtmpPort, environment: ["SRS_LISTEN": "\(rtmpPort)", "SRS_HTTP_API_ENABLED": "on",
                                                                     "SRS_HTTP_API_LISTEN": "\(apiPort)", "SRS_PID": "./srs.pid"],
                                       wholeConfig: try String(contentsOf: confURL, encoding: .utf8))
        waitForPort(apiPort)
        XCTAssertEqual(json(try curl(["http://127.0.0.1:\(apiPort)/api/v1/versions"]))["code"] as? Int, 0, "the API the environment asked for")
        XCTAssertTrue(server.log.contains("from the environment: SRS_LISTEN=\(rtmpPort) (listen)"), server.log)
        let checked = try ExternalTool.run(ServerProcess.binaryPath, ["-t", "-c", confURL.path], timeout: 10, environment: ["SRS_LISTEN": "19350"])
        XCTAssertEqual(checked.status, 0)
        XCTAssertTrue(checked.output.contains("from the environment: SRS_LISTEN=19350 (listen)"), checked.output)
    }

    /// Appends each POSTed JSON body to a file, a line each; answers {"code":0}.
    static let receiver = #"""
        import http.server, json, sys
        port, path = int(sys.argv[1]), sys.argv[2]
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
                with open(path, 'a') as f: f.write(json.dumps(json.loads(body)) + '\n')
                answer = b'{"code":0}'
                self.send_response(200); self.send_header('Content-Length', str(len(answer))); self.end_headers(); self.wfile.write(answer)
            def log_message(self, *args): pass
        http.server.HTTPServer(('127.0.0.1', port), Handler).serve_forever()
        """#
}
