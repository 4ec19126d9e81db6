import Foundation
import SRSKernel
import SRSRTMP
import XCTest

/// Hostile or broken clients: each gets a logged error and a closed connection, while a
/// healthy player on another stream keeps receiving at full rate and the server keeps running.
final class BadInputTests: XCTestCase {
    private var server: ServerProcess!
    private var healthy: HealthyPlayer!

    override func setUpWithError() throws {
        server = try ServerProcess()
        let fixture = try MediaFixtures.path(.h264AAC)
        _ = try ExternalTool.start(
            "ffmpeg", ["-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", fixture, "-c", "copy", "-f", "flv", server.url("live/healthy")],
            logFile: server.directory + "/publisher.log")
        sleep(1)
        healthy = try HealthyPlayer(port: server.port, path: "live/healthy")
        try healthy.awaitFrames(25, timeout: 10)
    }

    override func tearDown() {
        healthy?.stop()
        TestProcesses.shared.killAll()
        server = nil
        super.tearDown()
    }

    /// Runs `attack` and checks the server closed that client and logged `expectedLog`, and
    /// that the healthy player got at least 90% of real-time video meanwhile.
    private func expectRejected(_ expectedLog: String, attack: (TestRTMPClient) throws -> Void) throws {
        let client = try TestRTMPClient(port: server.port, path: "live/other")
        try attack(client)
        XCTAssertTrue(client.waitForClose(timeout: 5), "server did not close the bad client")
        assertHealthyKeepsFlowing(for: 3)
        XCTAssertTrue(server.log.contains(expectedLog), "log lacks '\(expectedLog)':\n\(server.log.suffix(2000))")
        XCTAssertTrue(server.isRunning, "server died")
    }

    func testRandomBytesInsteadOfHandshake() throws {
        try expectRejected("C0 announces version") { client in
            var bytes = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
            bytes += (0..<2000).map { _ in UInt8.random(in: 0...255) }
            client.sendRaw(bytes)
        }
    }

    func testAbsurdMessageLength() throws {
        try expectRejected("exceeds the limit") { client in
            try client.rawHandshake()
            client.sendRaw(TestRTMPClient.rawChunk(typeId: RTMPMessageType.amf0Command, declaredLength: 0xFF_FFFF, payload: [0x02, 0x00]))
        }
    }

    func testMalformedAMFInConnect() throws {
        try expectRejected("command message: AMF0 string: truncated input") { client in
            try client.rawHandshake()
            // "connect" announced with a 65535-byte string that is not there.
            client.sendRaw(TestRTMPClient.rawChunk(typeId: RTMPMessageType.amf0Command, payload: [0x02, 0xFF, 0xFF, 0x63, 0x6F]))
        }
    }

    /// App and stream names become file paths (HLS): a `..` component is refused for publish
    /// and play alike, before any file is made.
    func testPathTraversalNamesAreRefused() throws {
        let publisher = try TestRTMPClient(port: server.port, path: "live/../../escape", mode: .publish)
        XCTAssertFalse(try publisher.start(timeout: 5))
        XCTAssertTrue(publisher.statuses.contains("NetStream.Publish.Denied"), "statuses: \(publisher.statuses)")
        XCTAssertTrue(server.log.contains("publish of an unsafe name: app name 'live/../..' has a '..' component"), server.log.suffix(1500).description)
        let player = try TestRTMPClient(port: server.port, path: "live/../healthy")
        XCTAssertFalse(try player.start(timeout: 5))
        XCTAssertTrue(player.statuses.contains("NetStream.Play.Failed"), "statuses: \(player.statuses)")
        XCTAssertTrue(server.log.contains("play of an unsafe name"), server.log.suffix(1500).description)
        assertHealthyKeepsFlowing(for: 2)
    }

    func testPlayBeforeConnect() throws {
        try expectRejected("command play: received before connect") { client in
            try client.rawHandshake()
            let body = AMF0Encoder.encode(["play", 0, .null, "healthy"])
            client.sendRaw(TestRTMPClient.rawChunk(typeId: RTMPMessageType.amf0Command, streamId: 1, payload: body))
        }
    }

    func testPublishBeforeConnect() throws {
        try expectRejected("command publish: received before connect") { client in
            try client.rawHandshake()
            let body = AMF0Encoder.encode(["publish", 0, .null, "healthy", "live"])
            client.sendRaw(TestRTMPClient.rawChunk(typeId: RTMPMessageType.amf0Command, streamId: 1, payload: body))
        }
    }

    /// The healthy player receives at least 90% of real-time video over the next `seconds`
    /// (less one merged-write window plus a loop tick of burstiness).
    private func assertHealthyKeepsFlowing(for seconds: UInt32) {
        let before = healthy.videoFrames
        let start = Date()
        sleep(seconds)
        let elapsed = Date().timeIntervalSince(start)
        let received = Double(healthy.videoFrames - before)
        let expected = elapsed * Double(MediaFixtures.frameRate)
        XCTAssertGreaterThanOrEqual(received, expected * 0.9 - 0.45 * Double(MediaFixtures.frameRate), "healthy player got \(received) frames in \(elapsed) s")
    }

    func testSecondPublisherOnALiveStreamGetsBadName() throws {
        let intruder = try TestRTMPClient(port: server.port, path: "live/healthy", mode: .publish)
        XCTAssertFalse(try intruder.start(timeout: 5))
        XCTAssertTrue(intruder.statuses.contains("NetStream.Publish.BadName"), "statuses: \(intruder.statuses)")
        XCTAssertTrue(intruder.closedByPeer || intruder.waitForClose(timeout: 5))
        XCTAssertTrue(server.log.contains("is already published by client"))
        assertHealthyKeepsFlowing(for: 3)
    }
}

/// A player on its own thread that counts frames until stopped.
final class HealthyPlayer: @unchecked Sendable {
    private let lock = NSLock()
    private var frames = 0
    private var closed = false
    private var running = true
    private let done = DispatchSemaphore(value: 0)

    private let client: TestRTMPClient

    init(port: Int, path: String) throws {
        let client = try TestRTMPClient(port: port, path: path)
        self.client = client
        guard try client.start() else { throw TestFailure("healthy player could not start: \(client.statuses)") }
        let box = UncheckedBox(client)
        Thread.detachNewThread { [self] in
            while isRunning {
                let open = (try? box.value.pump(timeout: 0.2)) ?? false
                lock.lock()
                frames = box.value.videoFrames
                if !open { closed = true }
                lock.unlock()
                if !open { break }
            }
            done.signal()
        }
    }

    private var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        return running
    }

    var videoFrames: Int {
        lock.lock()
        defer { lock.unlock() }
        return frames
    }

    /// Whether the server closed the connection (or it broke).
    var wasClosed: Bool {
        lock.lock()
        defer { lock.unlock() }
        return closed
    }

    func awaitFrames(_ count: Int, timeout: TimeInterval) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while videoFrames < count && Date() < deadline { usleep(50_000) }
        if videoFrames < count { throw TestFailure("healthy player got \(videoFrames) frames in \(timeout) s") }
    }

    func stop() {
        lock.lock()
        running = false
        lock.unlock()
        done.wait()
        shutdown(client.fd, Int32(SHUT_RDWR))
    }
}

final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
