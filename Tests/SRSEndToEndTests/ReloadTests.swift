import Foundation
import XCTest

/// SIGHUP: what a reload changes, applied to a running server without touching other clients.
final class ReloadTests: XCTestCase {
    override func tearDown() {
        TestProcesses.shared.killAll()
        super.tearDown()
    }

    private func head(_ server: ServerProcess, listen: String) -> String {
        """
        daemon off; srs_log_tank console; srs_log_level trace; pid \(server.directory)/srs.pid; pithy_print_ms 1000;
        listen \(listen);

        """
    }

    private func reload(_ server: ServerProcess, _ config: String) throws {
        try config.write(toFile: server.configPath, atomically: true, encoding: .utf8)
        kill(server.pid, SIGHUP)
    }

    func testReloadAppliesChangesAndKeepsOtherClients() throws {
        let oldDestination = try ServerProcess()
        let destination = try ServerProcess()
        let server = try ServerProcess(body: """
            vhost __defaultVhost__ { forward 127.0.0.1:\(oldDestination.port); }
            vhost doomed.test { }
            """)
        let hlsRoot = server.directory + "/html"
        _ = try LiveStreamTools.publish(server.url("live/keep"), log: server.directory + "/keep.log")
        _ = try LiveStreamTools.publish(server.url("live?vhost=doomed.test/gone"), log: server.directory + "/gone.log")
        sleep(1)
        let healthy = try HealthyPlayer(port: server.port, path: "live/keep")
        defer { healthy.stop() }
        let doomed = try HealthyPlayer(port: server.port, path: "live?vhost=doomed.test/gone")
        defer { doomed.stop() }
        try healthy.awaitFrames(25, timeout: 10)
        try doomed.awaitFrames(25, timeout: 10)
        XCTAssertTrue(server.log.contains("mw=350ms"))

        let extraPort = ServerProcess.freePort()
        let before = healthy.videoFrames
        let started = Date()
        // Broken first: refused, nothing changes.
        try reload(server, head(server, listen: "\(server.port)") + "vhost __defaultVhost__ { gop_cache maybe; }\n")
        sleep(1)
        XCTAssertTrue(server.log.contains("keeping the running config"), server.log.suffix(1000).description)
        // Then: a new listen port, doomed.test removed, fresh.test added (disabled), HLS on,
        // mw_latency 100, a forward destination.
        try reload(server, head(server, listen: "\(server.port) \(extraPort)") + """
            vhost __defaultVhost__ {
                mw_latency 100;
                hls { enabled on; hls_path \(hlsRoot); hls_fragment 1; }
                forward 127.0.0.1:\(destination.port);
            }
            vhost fresh.test { enabled off; }

            """)
        // The doomed vhost's player is closed; the healthy one keeps flowing.
        let deadline = Date().addingTimeInterval(5)
        while !doomed.wasClosed && Date() < deadline { usleep(100_000) }
        XCTAssertTrue(doomed.wasClosed, "the removed vhost's player was not closed")
        XCTAssertTrue(server.log.contains("reload: vhost doomed.test was removed or disabled"))
        // HLS starts for the running stream.
        let playlist = hlsRoot + "/live/keep.m3u8"
        let hlsDeadline = Date().addingTimeInterval(8)
        while !FileManager.default.fileExists(atPath: playlist) && Date() < hlsDeadline { usleep(200_000) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: playlist), "hls turned on by reload wrote no playlist")
        // Its segments hold media: the codecs came from the cached sequence headers.
        let text = (try? String(contentsOfFile: playlist, encoding: .utf8)) ?? ""
        let segment = try XCTUnwrap(text.split(separator: "\n").first { $0.hasSuffix(".ts") }, text)
        let frames = try MediaFixtures.countFrames(hlsRoot + "/live/" + segment)
        XCTAssertGreaterThan(frames.video, 10, "the first segment after the reload has no video")
        XCTAssertGreaterThan(frames.audio, 10)
        // The forward moves from the old destination to the new one.
        let forwardDeadline = Date().addingTimeInterval(8)
        while !destination.log.contains("publish __defaultVhost__/live/keep") && Date() < forwardDeadline { usleep(200_000) }
        XCTAssertTrue(destination.log.contains("publish __defaultVhost__/live/keep"), "the forward changed by reload did not start")
        XCTAssertTrue(oldDestination.log.contains("unpublish stream __defaultVhost__/live/keep"), "the old forward was not stopped")
        // The new port serves, and the added vhost is in force.
        let viaNewPort = try TestRTMPClient(port: extraPort, path: "live/keep")
        XCTAssertTrue(try viaNewPort.start(timeout: 5), "the listen port added by reload")
        try viaNewPort.pump(timeout: 3) { viaNewPort.videoFrames > 10 }
        XCTAssertGreaterThan(viaNewPort.videoFrames, 10)
        let disabled = try TestRTMPClient(port: server.port, path: "live?vhost=fresh.test/keep")
        XCTAssertFalse(try disabled.start(timeout: 3), "the disabled vhost added by reload still served")
        // New players get the new mw_latency.
        let late = try TestRTMPClient(port: server.port, path: "live/keep")
        XCTAssertTrue(try late.start(timeout: 5))
        XCTAssertTrue(server.log.contains("mw=100ms"), "the new mw_latency is not in force")

        // The healthy player never stopped: 90% of real time over the whole sequence.
        let elapsed = Date().timeIntervalSince(started)
        let received = Double(healthy.videoFrames - before)
        XCTAssertGreaterThanOrEqual(received, (elapsed * 0.9 - 0.45) * Double(MediaFixtures.frameRate),
                                    "the untouched player got \(received) frames in \(elapsed) s")
        XCTAssertFalse(healthy.wasClosed)
        XCTAssertTrue(server.isRunning)
    }

    func testHundredReloadsUnderLoad() throws {
        let hlsRoot = NSTemporaryDirectory() + "swiftsrs-reload-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: hlsRoot) }
        let server = try ServerProcess()
        _ = try LiveStreamTools.publish(server.url("live/load"), log: server.directory + "/publisher.log")
        sleep(1)
        let players = try (0..<10).map { _ in try HealthyPlayer(port: server.port, path: "live/load") }
        defer { players.forEach { $0.stop() } }
        for player in players { try player.awaitFrames(25, timeout: 10) }
        let rssBefore = try LiveStreamTools.residentKB(server.pid)
        let configs = [
            head(server, listen: "\(server.port)") + "vhost __defaultVhost__ { mw_latency 100; gop_cache off; }\n",
            head(server, listen: "\(server.port)") + "vhost __defaultVhost__ { hls { enabled on; hls_path \(hlsRoot); hls_fragment 1; } }\nvhost x.test { }\n",
        ]
        let before = players.map(\.videoFrames)
        let started = Date()
        for index in 0..<100 {
            try reload(server, configs[index % 2])
            usleep(50_000)
        }
        sleep(2)
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertTrue(server.isRunning, "a reload crashed the server")
        for (index, player) in players.enumerated() {
            XCTAssertFalse(player.wasClosed, "player \(index) was dropped")
            let received = Double(player.videoFrames - before[index])
            XCTAssertGreaterThanOrEqual(received, (elapsed * 0.9 - 0.45) * Double(MediaFixtures.frameRate), "player \(index): \(received) frames in \(elapsed) s")
        }
        let rssAfter = try LiveStreamTools.residentKB(server.pid)
        // AddressSanitizer keeps freed memory in quarantine: RSS says nothing about leaks there.
        if !ServerProcess.underAddressSanitizer {
            XCTAssertLessThan(rssAfter - rssBefore, 20_000, "RSS grew from \(rssBefore) to \(rssAfter) kB over 100 reloads")
        }
        // Signals that arrive while a reload runs coalesce (one reload for several SIGHUPs).
        let applied = server.log.components(separatedBy: "reload: config applied").count - 1
        XCTAssertGreaterThanOrEqual(applied, 50, "the SIGHUPs were applied")
    }

    /// SIGTERM: HLS closes its current segment and the playlist is written before the exit.
    func testSigtermFinishesHLSSegment() throws {
        let root = NSTemporaryDirectory() + "swiftsrs-quit-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let server = try ServerProcess(body: "vhost __defaultVhost__ { hls { enabled on; hls_path \(root); hls_fragment 30; } }")
        _ = try LiveStreamTools.publish(server.url("live/q"), log: server.directory + "/publisher.log")
        sleep(4)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/live/q.m3u8"), "no segment can be complete yet with hls_fragment 30")
        let started = Date()
        XCTAssertEqual(server.stop(), 0)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "graceful quit is bounded")
        let playlist = try String(contentsOfFile: root + "/live/q.m3u8", encoding: .utf8)
        XCTAssertTrue(playlist.contains("q-0.ts"), "the partial segment was closed at quit: \(playlist)")
        let size = (try FileManager.default.attributesOfItem(atPath: root + "/live/q-0.ts")[.size] as? Int) ?? 0
        XCTAssertGreaterThan(size, 10_000)
    }
}
