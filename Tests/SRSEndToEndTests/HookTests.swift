import Foundation
import SRSRTMP
import XCTest

/// http_hooks against a real callback server, security rules and refer lists.
final class HookTests: XCTestCase {
    override func tearDown() {
        TestProcesses.shared.killAll()
        super.tearDown()
    }

    private func assertFields(_ body: [String: Any], _ fields: [String], _ action: String, file: StaticString = #filePath, line: UInt = #line) {
        for field in fields {
            XCTAssertNotNil(body[field], "\(action) lacks \(field): \(body)", file: file, line: line)
        }
    }

    func testEveryHookArrivesWithSRSFields() throws {
        let directory = NSTemporaryDirectory() + "swiftsrs-hooks-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let hooks = try HookServer(directory: directory)
        let httpPort = ServerProcess.freePort()
        let server = try ServerProcess(body: """
            vhost __defaultVhost__ {
                http_remux { enabled on; mount [vhost]/[app]/[stream].flv; }
                hls { enabled on; hls_path \(directory)/html; hls_fragment 1; }
                http_hooks {
                    enabled on; timeout 5;
                    on_connect \(hooks.url("/connect")); on_close \(hooks.url("/close"));
                    on_publish \(hooks.url("/publish/1")) \(hooks.url("/zero/publish/2"));
                    on_unpublish \(hooks.url("/unpublish")); on_play \(hooks.url("/play")); on_stop \(hooks.url("/stop"));
                    on_hls \(hooks.url("/hls"));
                }
            }
            """, head: "http_server { enabled on; listen \(httpPort); dir \(directory)/html; }")
        let publish = try LiveStreamTools.publish(server.url("live/hooked"), loop: false, log: server.directory + "/publisher-hooked.log")
        sleep(2)
        let play = try ExternalTool.run("ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-i", server.url("live/hooked"),
                                                   "-t", "1", "-c", "copy", "-f", "null", "-"], timeout: 15)
        XCTAssertEqual(play.status, 0, "RTMP play through on_play: \(play.output)")
        let curl = try ExternalTool.run("curl", ["-s", "-o", "/dev/null", "--max-time", "2", "http://127.0.0.1:\(httpPort)/live/hooked.flv"], timeout: 10)
        XCTAssertEqual(curl.status, 28, "curl should stream until its --max-time: \(curl.output)")
        XCTAssertTrue(ExternalTool.wait(publish, timeout: 20))
        sleep(2)

        let publishes = hooks.calls.filter { $0.body["action"] as? String == "on_publish" }
        XCTAssertEqual(publishes.map(\.path), ["/publish/1", "/zero/publish/2"], "both on_publish URLs, in order")
        for body in publishes.map(\.body) {
            assertFields(body, ["client_id", "ip", "vhost", "app", "tcUrl", "stream", "param"], "on_publish")
            XCTAssertEqual(body["stream"] as? String, "hooked")
            XCTAssertEqual(body["app"] as? String, "live")
            XCTAssertEqual(body["ip"] as? String, "127.0.0.1")
        }
        let connects = hooks.calls("on_connect")
        XCTAssertGreaterThanOrEqual(connects.count, 2, "publisher and RTMP player connect")
        for body in connects { assertFields(body, ["client_id", "ip", "vhost", "app", "tcUrl", "pageUrl"], "on_connect") }
        let plays = hooks.calls("on_play")
        XCTAssertEqual(plays.count, 2, "one RTMP and one HTTP-FLV player: \(plays)")
        for body in plays { assertFields(body, ["client_id", "ip", "vhost", "app", "stream", "param", "pageUrl"], "on_play") }
        let stops = hooks.calls("on_stop")
        XCTAssertEqual(stops.count, 2, "on_stop for the RTMP and the HTTP-FLV player: \(stops)")
        for body in stops { assertFields(body, ["client_id", "ip", "vhost", "app", "stream", "param"], "on_stop") }
        let unpublishes = hooks.calls("on_unpublish")
        XCTAssertEqual(unpublishes.count, 1)
        for body in unpublishes { assertFields(body, ["client_id", "ip", "vhost", "app", "stream", "param"], "on_unpublish") }
        let closes = hooks.calls("on_close")
        XCTAssertGreaterThanOrEqual(closes.count, 2)
        for body in closes { assertFields(body, ["client_id", "ip", "vhost", "send_bytes", "recv_bytes", "app"], "on_close") }
        XCTAssertTrue(closes.contains { ($0["recv_bytes"] as? Int ?? 0) > 100_000 }, "the publisher's on_close counts its bytes")
        let segments = hooks.calls("on_hls")
        XCTAssertGreaterThanOrEqual(segments.count, 3, "one on_hls per segment of an 8 s publish at hls_fragment 1")
        for body in segments {
            assertFields(body, ["client_id", "ip", "vhost", "app", "stream", "param", "duration", "cwd", "file", "url", "m3u8", "m3u8_url", "seq_no"], "on_hls")
            if let file = body["file"] as? String { XCTAssertTrue(FileManager.default.fileExists(atPath: file), "on_hls names a written file: \(file)") }
        }
        XCTAssertEqual(segments.first?["m3u8_url"] as? String, "live/hooked.m3u8")
        XCTAssertTrue(server.isRunning)
    }

    func testNonZeroAnswersReject() throws {
        let directory = NSTemporaryDirectory() + "swiftsrs-hooks-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let hooks = try HookServer(directory: directory)
        let server = try ServerProcess(body: """
            vhost __defaultVhost__ { http_hooks { enabled on; on_publish \(hooks.url("/p")); on_play \(hooks.url("/p")); } }
            """)
        let denied = try TestRTMPClient(port: server.port, path: "live/denied", mode: .publish)
        XCTAssertFalse(try denied.start(timeout: 5), "on_publish answered code 1")
        XCTAssertTrue(denied.statuses.contains("NetStream.Publish.Denied"), "\(denied.statuses)")
        XCTAssertTrue(denied.waitForClose(timeout: 5))
        let player = try TestRTMPClient(port: server.port, path: "live/denied")
        XCTAssertFalse(try player.start(timeout: 5))
        XCTAssertTrue(player.statuses.contains("NetStream.Play.Failed"), "\(player.statuses)")
        // A 500 is a failure of the hook server: rejected too (fail_open is off).
        let broken = try TestRTMPClient(port: server.port, path: "live/broken", mode: .publish)
        XCTAssertFalse(try broken.start(timeout: 5))
        let allowed = try TestRTMPClient(port: server.port, path: "live/fine", mode: .publish)
        XCTAssertTrue(try allowed.start(timeout: 5), "\(allowed.statuses)")
        XCTAssertTrue(server.log.contains("on_publish \(hooks.url("/p")) rejected the client"), server.log.suffix(1500).description)
    }

    /// https:// callbacks (SRS 4+) go over TLS and verify the server's certificate: a hook
    /// server with a certificate from a CA the server trusts (SSL_CERT_FILE) is called and
    /// decides; one whose certificate nobody vouches for fails the call (and so the publish).
    func testHTTPSHooksVerifyTheCertificate() throws {
        let directory = NSTemporaryDirectory() + "swiftsrs-hooks-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func openssl(_ arguments: [String]) throws {
            let result = try ExternalTool.run("openssl", arguments, timeout: 30)
            XCTAssertEqual(result.status, 0, "openssl \(arguments): \(result.output)")
        }
        let d = directory
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(toFile: d + "/san.ext", atomically: true, encoding: .utf8)
        try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", d + "/ca.key", "-out", d + "/ca.pem", "-days", "2",
                     "-subj", "/CN=SwiftSRS test CA"])
        try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", d + "/hook.key", "-out", d + "/hook.csr", "-subj", "/CN=127.0.0.1"])
        try openssl(["x509", "-req", "-in", d + "/hook.csr", "-CA", d + "/ca.pem", "-CAkey", d + "/ca.key", "-CAcreateserial",
                     "-out", d + "/hook.pem", "-days", "2", "-extfile", d + "/san.ext"])
        try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", d + "/self.key", "-out", d + "/self.pem", "-days", "2",
                     "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"])
        let trusted = try HookServer(directory: directory, tls: (directory + "/hook.pem", directory + "/hook.key"))
        let untrusted = try HookServer(directory: directory, tls: (directory + "/self.pem", directory + "/self.key"))
        XCTAssertTrue(trusted.url("/p").hasPrefix("https://"))
        let server = try ServerProcess(body: """
            vhost __defaultVhost__ { http_hooks { enabled on; on_publish \(trusted.url("/p")); on_play \(trusted.url("/p")); } }
            vhost untrusted.example { http_hooks { enabled on; on_publish \(untrusted.url("/p")); } }
            """, environment: ["SSL_CERT_FILE": directory + "/ca.pem"])
        let allowed = try TestRTMPClient(port: server.port, path: "live/fine", mode: .publish)
        XCTAssertTrue(try allowed.start(timeout: 5), "\(allowed.statuses) \(server.log.suffix(1500))")
        let denied = try TestRTMPClient(port: server.port, path: "live/denied", mode: .publish)
        XCTAssertFalse(try denied.start(timeout: 5), "the HTTPS hook answered code 1")
        XCTAssertEqual(trusted.calls("on_publish").compactMap { $0["stream"] as? String }, ["fine", "denied"])
        let unverified = try TestRTMPClient(port: server.port, path: "live/x?vhost=untrusted.example", mode: .publish)
        XCTAssertFalse(try unverified.start(timeout: 5), "a certificate nobody vouches for fails the call")
        XCTAssertEqual(untrusted.calls.count, 0, "no request reached the unverified server")
        XCTAssertTrue(server.log.contains("is not trusted"), server.log.suffix(1500).description)
    }

    func testHangingHookTimesOutWhileOtherStreamsFlow() throws {
        let directory = NSTemporaryDirectory() + "swiftsrs-hooks-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let hooks = try HookServer(directory: directory)
        let server = try ServerProcess(body: """
            vhost __defaultVhost__ { http_hooks { enabled on; timeout 2; on_play \(hooks.url("/p")); } }
            vhost open.test { http_hooks { enabled on; timeout 1; fail_open on; on_play http://127.0.0.1:1/unreachable; } }
            """)
        _ = try LiveStreamTools.publish(server.url("live/healthy"), log: server.directory + "/publisher-healthy.log")
        sleep(1)
        let healthy = try HealthyPlayer(port: server.port, path: "live/healthy")
        defer { healthy.stop() }
        try healthy.awaitFrames(25, timeout: 10)
        let before = healthy.videoFrames
        let started = Date()
        let hanging = try TestRTMPClient(port: server.port, path: "live/hang")
        XCTAssertFalse(try hanging.start(timeout: 8), "a hook that never answers rejects")
        let waited = Date().timeIntervalSince(started)
        XCTAssertGreaterThan(waited, 1.8, "rejected before the 2 s timeout")
        XCTAssertLessThan(waited, 5, "rejected long after the 2 s timeout")
        XCTAssertTrue(hanging.statuses.contains("NetStream.Play.Failed"), "\(hanging.statuses)")
        let frames = healthy.videoFrames - before
        // 0.45 s of slack: merged writes deliver in 350 ms bursts.
        XCTAssertGreaterThanOrEqual(Double(frames), (waited * 0.9 - 0.45) * Double(MediaFixtures.frameRate), "the healthy player stalled while a hook hung: \(frames) frames in \(waited) s")
        // fail_open: an unreachable hook server admits the player.
        let open = try TestRTMPClient(port: server.port, path: "live?vhost=open.test/healthy")
        XCTAssertTrue(try open.start(timeout: 5), "fail_open admits: \(open.statuses)")
        XCTAssertTrue(server.waitForLog("fail_open: admitted"), server.log.suffix(1500).description)
    }

    func testSecurityRules() throws {
        let httpPort = ServerProcess.freePort()
        // Publishing from 127.0.0.1 is allowed, playing is denied (deny wins over allow all).
        let strict = try ServerProcess(body: """
            vhost __defaultVhost__ {
                security { enabled on; allow publish 127.0.0.1; allow play all; deny play 127.0.0.0/8; }
                http_remux { enabled on; mount [vhost]/[app]/[stream].flv; }
            }
            """, head: "http_server { enabled on; listen \(httpPort); dir /nonexistent; }")
        let publisher = try TestRTMPClient(port: strict.port, path: "live/s", mode: .publish)
        XCTAssertTrue(try publisher.start(timeout: 5), "\(publisher.statuses)")
        let player = try TestRTMPClient(port: strict.port, path: "live/s")
        XCTAssertFalse(try player.start(timeout: 5))
        XCTAssertTrue(player.statuses.contains("NetStream.Play.Failed"), "\(player.statuses)")
        let curl = try ExternalTool.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "3", "http://127.0.0.1:\(httpPort)/live/s.flv"], timeout: 10)
        XCTAssertEqual(curl.output.trimmingCharacters(in: .whitespacesAndNewlines), "403")
        XCTAssertTrue(strict.log.contains("security: 127.0.0.1 may not play"))
        // No allow rule for publish: denied; play allowed.
        let playOnly = try ServerProcess(body: "vhost __defaultVhost__ { security { enabled on; allow play all; } }")
        let refused = try TestRTMPClient(port: playOnly.port, path: "live/s", mode: .publish)
        XCTAssertFalse(try refused.start(timeout: 5))
        XCTAssertTrue(refused.statuses.contains("NetStream.Publish.Denied"), "\(refused.statuses)")
        let watcher = try TestRTMPClient(port: playOnly.port, path: "live/s")
        XCTAssertTrue(try watcher.start(timeout: 5), "\(watcher.statuses)")
    }

    func testReferLists() throws {
        let server = try ServerProcess(body: "vhost __defaultVhost__ { refer_play a.com; }")
        _ = try LiveStreamTools.publish(server.url("live/r"), log: server.directory + "/publisher-r.log")
        sleep(1)
        let output = server.directory + "/out.flv"
        // rtmpdump's --stop does not end a live download: stop it after 3 s.
        let allowed = try ExternalTool.start("rtmpdump", ["-q", "-v", "-r", server.url("live/r"), "-p", "http://www.a.com/player.html", "-o", output],
                                             logFile: server.directory + "/rtmpdump.log")
        sleep(3)
        ExternalTool.stop(allowed)
        let size = (try FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        XCTAssertGreaterThan(size, 10_000, "rtmpdump with an allowed pageUrl got media")
        let refused = try ExternalTool.run("rtmpdump", ["-q", "-v", "-r", server.url("live/r"), "-p", "http://evil-a.com/player.html",
                                                        "-o", "/dev/null"], timeout: 15)
        XCTAssertNotEqual(refused.status, 0, "rtmpdump with a foreign pageUrl was served")
        XCTAssertTrue(server.log.contains("refer: pageUrl 'http://evil-a.com/player.html' may not play"), server.log.suffix(1500).description)
    }
}
