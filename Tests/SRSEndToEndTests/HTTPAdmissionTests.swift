import Foundation
import XCTest

/// One admission path for every protocol: an HTTP-FLV player is refused for the same reasons
/// as an RTMP player (unsafe names, `security`, `refer`/`refer_play` against its Referer).
final class HTTPAdmissionTests: XCTestCase {
    override func tearDown() {
        TestProcesses.shared.killAll()
        super.tearDown()
    }

    /// HTTP status of a GET of a live stream (the body is read for at most `seconds`).
    private func status(_ url: String, referer: String? = nil, seconds: Int = 3) throws -> (code: String, bytes: Int) {
        var arguments = ["-s", "--path-as-is", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", "--max-time", "\(seconds)"]
        if let referer { arguments += ["-e", referer] }
        let result = try ExternalTool.run("curl", arguments + [url], timeout: Double(seconds) + 10)
        let parts = result.output.split(separator: " ")
        return (String(parts.first ?? ""), Int(parts.last ?? "") ?? 0)
    }

    func testHTTPPlayersAreRefusedUnsafeNamesLikeRTMPPlayers() throws {
        let httpPort = ServerProcess.freePort()
        let server = try ServerProcess(body: "vhost __defaultVhost__ { http_remux { enabled on; mount [vhost]/[app]/[stream].flv; } }",
                                       head: "http_server { enabled on; listen \(httpPort); dir /nonexistent; }")
        _ = try LiveStreamTools.publish(server.url("live/safe"), log: server.directory + "/publisher.log")
        sleep(1)
        let base = "http://127.0.0.1:\(httpPort)"
        XCTAssertEqual(try status(base + "/live/%2e%2e/safe.flv").code, "403", "an encoded '..' app component")
        XCTAssertEqual(try status(base + "/live/../live/safe.flv").code, "403", "a plain '..' app component")
        XCTAssertEqual(try status(base + "/live/bad%0Aname.flv").code, "403", "an encoded line feed in the stream name")
        XCTAssertEqual(try status(base + "/live/bad%01name.flv").code, "403", "an encoded control character")
        let good = try status(base + "/live/safe.flv", seconds: 2)
        XCTAssertEqual(good.code, "200")
        XCTAssertGreaterThan(good.bytes, 10_000, "the safe stream still plays")
        XCTAssertTrue(server.log.contains("play of an unsafe name: stream name has a control character; play refused"), server.log.suffix(2000).description)
        XCTAssertFalse(server.log.contains("bad\nname"), "the control character never reaches the log")
        XCTAssertTrue(server.isRunning)
    }

    func testReferPlayAppliesToTheHTTPReferer() throws {
        let httpPort = ServerProcess.freePort()
        let server = try ServerProcess(body: """
            vhost __defaultVhost__ {
                refer_play a.com;
                http_remux { enabled on; mount [vhost]/[app]/[stream].flv; }
            }
            """, head: "http_server { enabled on; listen \(httpPort); dir /nonexistent; }")
        _ = try LiveStreamTools.publish(server.url("live/r"), log: server.directory + "/publisher.log")
        sleep(1)
        let url = "http://127.0.0.1:\(httpPort)/live/r.flv"
        let allowed = try status(url, referer: "http://www.a.com/player.html", seconds: 2)
        XCTAssertEqual(allowed.code, "200")
        XCTAssertGreaterThan(allowed.bytes, 10_000, "a listed Referer gets the stream")
        XCTAssertEqual(try status(url, referer: "http://evil-a.com/player.html").code, "403", "a Referer that is not listed")
        XCTAssertEqual(try status(url).code, "403", "no Referer at all, as an RTMP player without pageUrl")
        XCTAssertTrue(server.log.contains("refer: pageUrl 'http://evil-a.com/player.html' may not play"), server.log.suffix(2000).description)
        // The connect-level list (`refer`) applies to HTTP players too.
        let allPort = ServerProcess.freePort()
        let strict = try ServerProcess(body: """
            vhost __defaultVhost__ {
                refer b.com;
                http_remux { enabled on; mount [vhost]/[app]/[stream].flv; }
            }
            """, head: "http_server { enabled on; listen \(allPort); dir /nonexistent; }")
        _ = try LiveStreamTools.publish(strict.url("live/r"), log: strict.directory + "/publisher.log")
        sleep(1)
        XCTAssertEqual(try status("http://127.0.0.1:\(allPort)/live/r.flv", referer: "http://a.com/").code, "403")
        XCTAssertEqual(try status("http://127.0.0.1:\(allPort)/live/r.flv", referer: "http://cdn.b.com/", seconds: 2).code, "200")
    }
}
