import Foundation
import XCTest

/// forward: every publish relayed to nginx-rtmp or another SwiftSRS, surviving restarts.
final class ForwardTests: XCTestCase {
    override func tearDown() {
        TestProcesses.shared.killAll()
        super.tearDown()
    }

    func testForwardToNginxRTMP() throws {
        let nginx = try NginxRTMP()
        let server = try ServerProcess(body: "vhost __defaultVhost__ { forward 127.0.0.1:\(nginx.port); }")
        _ = try LiveStreamTools.publish(server.url("live/fw"), log: server.directory + "/publisher.log")
        sleep(3)
        // nginx-rtmp has no GOP cache: its player starts at the next keyframe.
        let frames = try LiveStreamTools.play(nginx.url("live/fw"), seconds: 3, directory: server.directory)
        XCTAssertGreaterThan(frames.video, 25, "nginx-rtmp played the forwarded stream")
        XCTAssertGreaterThan(frames.audio, 25)
        XCTAssertTrue(server.log.contains("forward __defaultVhost__/live/fw to 127.0.0.1:\(nginx.port) publishing"), server.log.suffix(1500).description)
    }

    func testForwardReconnectsAndResendsHeaders() throws {
        let destinationPort = ServerProcess.freePort()
        var destination: ServerProcess? = try ServerProcess(port: destinationPort)
        let server = try ServerProcess(body: "vhost __defaultVhost__ { forward { enabled on; destination 127.0.0.1:\(destinationPort); } }")
        _ = try LiveStreamTools.publish(server.url("live/again"), log: server.directory + "/publisher.log")
        sleep(2)
        let first = try LiveStreamTools.play("rtmp://127.0.0.1:\(destinationPort)/live/again", seconds: 1, directory: server.directory)
        XCTAssertGreaterThan(first.video, 10)
        destination?.stop()
        destination = nil
        sleep(2)
        let restarted = try ServerProcess(port: destinationPort)
        // Backoff: 1 s, then 2 s, then 4 s.
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline && !restarted.log.contains("publish __defaultVhost__/live/again") { usleep(200_000) }
        XCTAssertTrue(restarted.log.contains("publish __defaultVhost__/live/again"), "the forward did not come back:\n\(server.log.suffix(2000))")
        sleep(1)
        // A fresh player decodes: metadata and sequence headers were sent again.
        let second = try LiveStreamTools.play("rtmp://127.0.0.1:\(destinationPort)/live/again", seconds: 1, directory: server.directory)
        XCTAssertGreaterThan(second.video, 10)
        XCTAssertTrue(server.log.contains("retry 127.0.0.1:\(destinationPort) in"), "the reconnect was logged")
        XCTAssertTrue(server.isRunning)
    }
}
