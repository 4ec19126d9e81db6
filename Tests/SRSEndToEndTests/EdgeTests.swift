import Foundation
import XCTest

/// Edge vhosts (`mode remote`) against SwiftSRS and nginx-rtmp origins: one upstream per
/// stream, publish pushed to the origin, failover between origins, token_traverse.
final class EdgeTests: XCTestCase {
    override func tearDown() {
        TestProcesses.shared.killAll()
        super.tearDown()
    }

    private func json(_ url: String) throws -> [String: Any] {
        let result = try ExternalTool.run("curl", ["-s", "--max-time", "10", url], timeout: 15)
        guard let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any] else {
            throw TestFailure("not a JSON object from \(url): \(result.output)")
        }
        return object
    }

    private func edgeServer(origins: [Int], httpPort: Int, extra: String = "") throws -> ServerProcess {
        try ServerProcess(body: """
            vhost __defaultVhost__ {
                mode remote; origin \(origins.map { "127.0.0.1:\($0)" }.joined(separator: " ")); \(extra)
                http_remux { enabled on; mount [vhost]/[app]/[stream].flv; }
            }
            """, head: "http_server { enabled on; listen \(httpPort); dir /nonexistent; }")
    }

    func testEdgeOfSwiftSRSOrigin() throws {
        let apiPort = ServerProcess.freePort()
        let origin = try ServerProcess(head: "http_api { enabled on; listen \(apiPort); }")
        let httpPort = ServerProcess.freePort()
        let edge = try edgeServer(origins: [origin.port], httpPort: httpPort)
        _ = try LiveStreamTools.publish(origin.url("live/e"), log: origin.directory + "/publisher.log")
        sleep(1)
        // Three RTMP players, an HTTP-FLV player and an ffmpeg player on the edge.
        let players = try (0..<3).map { _ in try HealthyPlayer(port: edge.port, path: "live/e") }
        let curl = try ExternalTool.start("curl", ["-s", "-o", "/dev/null", "--max-time", "6", "http://127.0.0.1:\(httpPort)/live/e.flv"],
                                          logFile: edge.directory + "/curl.log")
        let frames = try LiveStreamTools.play(edge.url("live/e"), seconds: 2, directory: edge.directory)
        XCTAssertGreaterThan(frames.video, 40)
        XCTAssertGreaterThan(frames.audio, 40)
        for player in players { try player.awaitFrames(50, timeout: 5) }
        XCTAssertTrue(curl.isRunning, "the HTTP-FLV player of the edge is still streaming")
        // The origin sees one publisher and exactly one upstream player for the stream.
        let streams = try json("http://127.0.0.1:\(apiPort)/api/v1/streams")["streams"] as? [[String: Any]] ?? []
        let stream = try XCTUnwrap(streams.first { $0["name"] as? String == "e" })
        XCTAssertEqual(stream["clients"] as? Int, 2, "publisher + one edge upstream, whatever the edge serves: \(stream)")
        let clients = try json("http://127.0.0.1:\(apiPort)/api/v1/clients")["clients"] as? [[String: Any]] ?? []
        XCTAssertEqual(clients.filter { $0["name"] as? String == "e" && $0["type"] as? String == "Play" }.count, 1, "\(clients)")
        // When the last edge player leaves, the upstream stops after the grace period.
        players.forEach { $0.stop() }
        ExternalTool.stop(curl)
        sleep(5)
        let after = try json("http://127.0.0.1:\(apiPort)/api/v1/clients")["clients"] as? [[String: Any]] ?? []
        XCTAssertEqual(after.filter { $0["name"] as? String == "e" && $0["type"] as? String == "Play" }.count, 0, "the idle pull stopped")

        // Publishing to the edge makes the stream playable on the origin.
        _ = try LiveStreamTools.publish(edge.url("live/up"), log: edge.directory + "/edge-publisher.log")
        sleep(3)
        let pushed = try LiveStreamTools.play(origin.url("live/up"), seconds: 1, directory: edge.directory)
        XCTAssertGreaterThan(pushed.video, 15, "the origin plays what was published to the edge")
        XCTAssertTrue(edge.isRunning && origin.isRunning)
    }

    func testEdgeVhostWritesHLSForAPulledStream() throws {
        let origin = try ServerProcess()
        let root = NSTemporaryDirectory() + "swiftsrs-edge-hls-\(UUID().uuidString.prefix(8))"
        let httpPort = ServerProcess.freePort()
        let edge = try edgeServer(origins: [origin.port], httpPort: httpPort,
                                  extra: "hls { enabled on; hls_fragment 2; hls_window 30; hls_path \(root); }")
        _ = try LiveStreamTools.publish(origin.url("live/h"), log: origin.directory + "/publisher.log")
        sleep(1)
        // A player makes the edge pull the stream; HLS of the edge vhost segments it.
        let player = try HealthyPlayer(port: edge.port, path: "live/h")
        try player.awaitFrames(50, timeout: 5)
        sleep(7)
        let playlist = try String(contentsOfFile: root + "/live/h.m3u8", encoding: .utf8)
        let segments = playlist.split(separator: "\n").filter { $0.hasSuffix(".ts") }
        XCTAssertGreaterThanOrEqual(segments.count, 2, playlist)
        for segment in segments {
            let probe = try ExternalTool.run("ffprobe", ["-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0", root + "/live/" + segment],
                                             timeout: 20)
            XCTAssertTrue(probe.output.contains("video") && probe.output.contains("audio"), "\(segment): \(probe.output)")
        }
        player.stop()
        XCTAssertTrue(edge.isRunning && origin.isRunning)
    }

    func testEdgeOfNginxOrigin() throws {
        let nginx = try NginxRTMP()
        let httpPort = ServerProcess.freePort()
        let edge = try edgeServer(origins: [nginx.port], httpPort: httpPort)
        _ = try LiveStreamTools.publish(nginx.url("live/n"), log: edge.directory + "/publisher.log")
        sleep(2)
        // nginx-rtmp keeps no GOP cache: the edge's pull starts at the next keyframe, which may be
        // a whole GOP away on a loaded machine, so the players watch longer than one GOP.
        let frames = try LiveStreamTools.play(edge.url("live/n"), seconds: 5, directory: edge.directory)
        XCTAssertGreaterThan(frames.video, 25, "the edge relays nginx-rtmp's stream")
        let curl = try ExternalTool.run("curl", ["-s", "-o", edge.directory + "/n.flv", "--max-time", "3", "http://127.0.0.1:\(httpPort)/live/n.flv"], timeout: 10)
        XCTAssertEqual(curl.status, 28)
        let size = (try FileManager.default.attributesOfItem(atPath: edge.directory + "/n.flv")[.size] as? Int) ?? 0
        XCTAssertGreaterThan(size, 20_000, "HTTP-FLV from the edge of nginx-rtmp")
        // Publish on the edge, play on nginx-rtmp.
        _ = try LiveStreamTools.publish(edge.url("live/pushed"), log: edge.directory + "/edge-publisher.log")
        sleep(3)
        let pushed = try LiveStreamTools.play(nginx.url("live/pushed"), seconds: 5, directory: edge.directory)
        XCTAssertGreaterThan(pushed.video, 25, "nginx-rtmp plays what was published to the edge")
    }

    func testFailoverKeepsTwentyPlayersAttached() throws {
        var first: ServerProcess? = try ServerProcess()
        let second = try ServerProcess()
        let firstPort = first!.port
        _ = try LiveStreamTools.publish(first!.url("live/f"), log: second.directory + "/publisher1.log")
        _ = try LiveStreamTools.publish(second.url("live/f"), log: second.directory + "/publisher2.log")
        let edge = try edgeServer(origins: [firstPort, second.port], httpPort: ServerProcess.freePort())
        sleep(1)
        let players = try (0..<20).map { _ in try HealthyPlayer(port: edge.port, path: "live/f") }
        defer { players.forEach { $0.stop() } }
        for player in players { try player.awaitFrames(25, timeout: 10) }
        XCTAssertTrue(edge.log.contains("playing __defaultVhost__/live/f from 127.0.0.1:\(firstPort)"), "starts on the first origin")
        first?.stop()
        first = nil
        let killedAt = players.map(\.videoFrames)
        sleep(6)
        for (index, player) in players.enumerated() {
            let gained = player.videoFrames - killedAt[index]
            // 6 s at 25 fps is 150 frames; a gap below a few seconds leaves well over 50.
            XCTAssertGreaterThan(gained, 50, "player \(index) got \(gained) frames in the 6 s after its origin died")
            XCTAssertFalse(player.wasClosed, "player \(index) was disconnected")
        }
        XCTAssertTrue(edge.log.contains("playing __defaultVhost__/live/f from 127.0.0.1:\(second.port)"), edge.log.suffix(2000).description)
        // The upstream stays on the healthy second origin.
        let switches = edge.log.components(separatedBy: "edge: playing __defaultVhost__/live/f from").count - 1
        XCTAssertEqual(switches, 2, "one start and one failover, no flipping")
    }

    func testTokenTraverseAsksTheOrigin() throws {
        let directory = NSTemporaryDirectory() + "swiftsrs-token-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let hooks = try HookServer(directory: directory)
        let origin = try ServerProcess(body: "vhost __defaultVhost__ { http_hooks { enabled on; on_connect \(hooks.url("/connect")); } }")
        let edge = try edgeServer(origins: [origin.port], httpPort: ServerProcess.freePort(), extra: "token_traverse on;")
        let bad = try TestRTMPClient(port: edge.port, path: "live?token=bad-token/t")
        XCTAssertFalse(try bad.start(timeout: 5), "the origin refused the token")
        XCTAssertTrue(bad.waitForClose(timeout: 5))
        let good = try TestRTMPClient(port: edge.port, path: "live?token=good/t")
        XCTAssertTrue(try good.start(timeout: 5), "the origin accepted the token: \(good.statuses)")
        let tcUrls = hooks.calls("on_connect").compactMap { $0["tcUrl"] as? String }
        XCTAssertTrue(tcUrls.contains { $0.contains("token=bad-token") } && tcUrls.contains { $0.contains("token=good") },
                      "the origin's on_connect saw both clients' tcUrls: \(tcUrls)")
    }
}
