import Foundation
import SRSKernel
import XCTest

/// Publish and play through a real `srs` with real clients: FFmpeg, rtmpdump (librtmp) and
/// GStreamer, plus the project's own client for many players at once.
final class RTMPPublishPlayTests: XCTestCase {
    override func tearDown() {
        TestProcesses.shared.killAll()
        super.tearDown()
    }

    /// Starts `ffmpeg -re -i fixture -c copy -f flv URL` (looping when asked).
    private func publish(_ kind: MediaFixtures.Kind, to url: String, loop: Bool = false, log: String) throws -> Process {
        let fixture = try MediaFixtures.path(kind)
        var arguments = ["-hide_banner", "-loglevel", "error", "-re"]
        if loop { arguments += ["-stream_loop", "-1"] }
        arguments += ["-i", fixture, "-c", "copy", "-f", "flv", url]
        return try ExternalTool.start("ffmpeg", arguments, logFile: log)
    }

    /// Publishes a fixture with `ffmpeg -re`, and copies it with an FFmpeg player that joins
    /// half a second later (inside the first GOP) and stops after the stream's duration.
    /// (An FFmpeg 5.1 player that connects before the publisher stalls its output at 256 KiB,
    /// with nginx-rtmp as with this server, so the player joins second.)
    private func checkCopy(_ kind: MediaFixtures.Kind, vhost: String = "vhost __defaultVhost__ { }") throws {
        let server = try ServerProcess(body: vhost)
        let output = server.directory + "/copy.flv"
        let publisher = try publish(kind, to: server.url("live/test"), log: server.directory + "/publisher.log")
        usleep(500_000)
        let duration = String(Double(MediaFixtures.duration) - 0.4)
        let player = try ExternalTool.start(
            "ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", server.url("live/test"), "-c", "copy", "-t", duration, "-f", "flv", output],
            logFile: server.directory + "/player.log")
        XCTAssertTrue(ExternalTool.wait(publisher, timeout: 30), "publisher did not finish")
        XCTAssertEqual(publisher.terminationStatus, 0, "ffmpeg publisher failed")
        XCTAssertTrue(ExternalTool.wait(player, timeout: 10), "player did not finish")
        ExternalTool.stop(player)
        let published = try MediaFixtures.countFrames(try MediaFixtures.path(kind))
        let copied = try MediaFixtures.countFrames(output)
        XCTAssertEqual(copied.errors, "", "ffprobe found errors in the \(kind.rawValue) copy")
        // Frame counts match within the first GOP.
        XCTAssertLessThanOrEqual(abs(copied.video - published.video), MediaFixtures.gopFrames, "\(kind.rawValue) video: published \(published.video), played \(copied.video)")
        XCTAssertLessThanOrEqual(abs(copied.audio - published.audio), 2 * 44, "\(kind.rawValue) audio: published \(published.audio), played \(copied.audio)")
        if published.video > 0 { XCTAssertGreaterThan(copied.video, published.video / 2) }
        if published.audio > 0 { XCTAssertGreaterThan(copied.audio, published.audio / 2) }
        XCTAssertTrue(server.isRunning)
        XCTAssertEqual(server.stop(), 0, "srs did not quit cleanly on SIGTERM")
    }

    func testFFmpegCopiesH264AACAsPublished() throws { try checkCopy(.h264AAC) }
    func testFFmpegCopiesH264MP3AsPublished() throws { try checkCopy(.h264MP3) }
    func testFFmpegCopiesAudioOnlyAsPublished() throws { try checkCopy(.audioOnlyAAC) }
    func testFFmpegCopiesVideoOnlyAsPublished() throws { try checkCopy(.videoOnly) }
    /// Merged read (SRS's `mr`): the publisher's socket is read about every 350 ms, in
    /// larger reads, and every frame still arrives.
    func testFFmpegCopiesH264AACWithMergedRead() throws {
        try checkCopy(.h264AAC, vhost: "vhost __defaultVhost__ { publish { mr on; mr_latency 350; } }")
    }

    /// pithy_print_ms 1000: a "<- CPB" line for the publisher and a "-> PLA" line for the
    /// players about every second, whichever loops the clients are on (before, a loop without
    /// a publisher used up the publisher's turn: one publisher got two lines in 15 minutes).
    func testPithyLinesComeEveryIntervalForEachKind() throws {
        let server = try ServerProcess()
        _ = try publish(.h264AAC, to: server.url("live/test"), loop: true, log: server.directory + "/publisher.log")
        let players = try (0..<4).map { _ in try TestRTMPClient(port: server.port, path: "live/test") }
        for player in players { XCTAssertTrue(try player.start()) }
        sleep(2)
        let startedAt = server.log.split(separator: "\n").count
        for _ in 0..<20 {
            sleep(1)
            for player in players { _ = try player.pump(timeout: 0.01) }
        }
        let lines = server.log.split(separator: "\n").dropFirst(startedAt)
        let publisherLines = lines.filter { $0.contains("<- CPB") }.count
        let playerLines = lines.filter { $0.contains("-> PLA") }.count
        XCTAssertGreaterThanOrEqual(publisherLines, 15, "publisher lines in 20 s")
        XCTAssertLessThanOrEqual(publisherLines, 21)
        XCTAssertGreaterThanOrEqual(playerLines, 15, "player lines in 20 s")
        XCTAssertLessThanOrEqual(playerLines, 21, "one line per kind per interval, not one per client")
        XCTAssertGreaterThanOrEqual(Set(lines.filter { $0.contains("-> PLA") }.compactMap { $0.split(separator: "]").dropFirst(3).first }).count, 2,
                                    "players take turns")
    }

    func testLateJoinerStartsAtKeyframeAtOnce() throws {
        let server = try ServerProcess()
        _ = try publish(.h264AAC, to: server.url("live/test"), loop: true, log: server.directory + "/publisher.log")
        sleep(3)  // mid-GOP: keyframes come every 2 s
        let player = try TestRTMPClient(port: server.port)
        let begin = Date()
        XCTAssertTrue(try player.start(), "play did not start: \(player.statuses)")
        try player.pump(timeout: 5) { player.firstVideo != nil }
        let delay = Date().timeIntervalSince(begin)
        let first = try XCTUnwrap(player.firstVideo, "no video within 5 s")
        XCTAssertEqual(first.payload[0] >> 4, 1, "first video frame is not a keyframe")
        XCTAssertLessThan(delay, 1.0, "first frame took \(delay) s")
        XCTAssertEqual(player.statuses.prefix(2), ["NetStream.Play.Reset", "NetStream.Play.Start"])
    }

    func testPlayerIsKeptAcrossUnpublishAndRepublish() throws {
        let server = try ServerProcess()
        let player = try TestRTMPClient(port: server.port)
        XCTAssertTrue(try player.start())
        let fixture = try MediaFixtures.path(.h264AAC)
        for round in 1...2 {
            let publisher = try ExternalTool.start(
                "ffmpeg", ["-hide_banner", "-loglevel", "error", "-re", "-i", fixture, "-t", "3", "-c", "copy", "-f", "flv", server.url("live/test")],
                logFile: server.directory + "/publisher\(round).log")
            try player.pump(timeout: 6) { !publisher.isRunning }
            XCTAssertEqual(publisher.terminationStatus, 0)
            try player.pump(timeout: 1)
            XCTAssertGreaterThanOrEqual(player.videoFrames, round * 70, "round \(round): \(player.videoFrames) frames")
        }
        XCTAssertFalse(player.closedByPeer, "the player was dropped on unpublish")
        XCTAssertEqual(player.timestampRegressions, 0, "timestamps went back across the republish")
        XCTAssertEqual(server.log.components(separatedBy: "unpublish stream __defaultVhost__/live/test").count - 1, 2)
    }

    func testRtmpdumpPlays() throws {
        let server = try ServerProcess()
        _ = try publish(.h264AAC, to: server.url("live/test"), loop: true, log: server.directory + "/publisher.log")
        sleep(1)
        let output = server.directory + "/rtmpdump.flv"
        let dump = try ExternalTool.run("rtmpdump", ["-q", "-v", "-r", server.url("live/test"), "-o", output], timeout: 5)
        XCTAssertTrue(dump.timedOut, "rtmpdump ended early: \(dump.output)")
        let frames = try MediaFixtures.countFrames(output)
        XCTAssertGreaterThan(frames.video, 75, "rtmpdump got \(frames.video) video frames in 5 s")
        XCTAssertGreaterThan(frames.audio, 100, "rtmpdump got \(frames.audio) audio frames in 5 s")
    }

    func testGStreamerPlaysAndDecodes() throws {
        let server = try ServerProcess()
        _ = try publish(.h264AAC, to: server.url("live/test"), loop: true, log: server.directory + "/publisher.log")
        sleep(1)
        let result = try ExternalTool.run(
            "gst-launch-1.0",
            ["-q", "rtmpsrc", "location=\(server.url("live/test")) live=1", "!", "flvdemux", "name=d", "d.video", "!", "queue", "!",
             "h264parse", "!", "avdec_h264", "!", "identity", "eos-after=100", "!", "fakesink", "sync=false"],
            timeout: 20)
        XCTAssertFalse(result.timedOut, "gst-launch did not decode 100 frames in 20 s: \(result.output)")
        XCTAssertEqual(result.status, 0, "gst-launch failed: \(result.output)")
    }

    func testGStreamerPublishesThroughLibrtmp() throws {
        let server = try ServerProcess()
        let player = try TestRTMPClient(port: server.port, path: "live/gst")
        XCTAssertTrue(try player.start())
        let publisher = try ExternalTool.start(
            "gst-launch-1.0",
            ["-q", "-e", "videotestsrc", "num-buffers=150", "is-live=true", "!", "video/x-raw,width=320,height=240,framerate=25/1", "!",
             "x264enc", "key-int-max=50", "tune=zerolatency", "speed-preset=ultrafast", "!", "h264parse", "!",
             "flvmux", "streamable=true", "name=m", "!", "rtmpsink", "location=\(server.url("live/gst")) live=1",
             "audiotestsrc", "num-buffers=250", "is-live=true", "!", "voaacenc", "!", "aacparse", "!", "m."],
            logFile: server.directory + "/gst.log")
        try player.pump(timeout: 20) { player.videoFrames >= 140 }
        XCTAssertGreaterThanOrEqual(player.videoFrames, 140, "player got \(player.videoFrames) of 150 frames from the GStreamer publisher")
        XCTAssertGreaterThan(player.audioFrames, 100)
        XCTAssertEqual(player.timestampRegressions, 0)
        XCTAssertTrue(ExternalTool.wait(publisher, timeout: 10))
    }

    func testHundredPlayersReceiveTheWholeStream() throws {
        let server = try ServerProcess()
        let count = 100
        let published = try MediaFixtures.countFrames(try MediaFixtures.path(.h264AAC))
        let results = ResultBox(count: count)
        let ready = DispatchSemaphore(value: 0)
        var threads: [Thread] = []
        let port = server.port
        for index in 0..<count {
            let thread = Thread {
                do {
                    let player = try TestRTMPClient(port: port)
                    let started = try player.start()
                    ready.signal()
                    try player.pump(timeout: 25) { player.videoFrames >= published.video && player.audioFrames >= published.audio }
                    results.set(index, (started, player.videoFrames, player.audioFrames, player.timestampRegressions))
                } catch {
                    ready.signal()
                    results.set(index, (false, 0, 0, 0))
                }
            }
            thread.start()
            threads.append(thread)
        }
        for _ in 0..<count { ready.wait() }
        let publisher = try publish(.h264AAC, to: server.url("live/test"), log: server.directory + "/publisher.log")
        XCTAssertTrue(ExternalTool.wait(publisher, timeout: 30))
        XCTAssertTrue(results.waitAll(timeout: 30), "players did not finish")
        for (index, result) in results.all.enumerated() {
            XCTAssertTrue(result.started, "player \(index) did not start")
            XCTAssertEqual(result.video, published.video, "player \(index) video frames")
            XCTAssertEqual(result.audio, published.audio, "player \(index) audio frames")
            XCTAssertEqual(result.regressions, 0, "player \(index) saw timestamps go back")
        }
        XCTAssertTrue(server.isRunning)
    }
}

/// Results of player threads.
final class ResultBox: @unchecked Sendable {
    typealias Entry = (started: Bool, video: Int, audio: Int, regressions: Int)
    private let lock = NSCondition()
    private var entries: [Entry?]

    init(count: Int) { entries = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ entry: Entry) {
        lock.lock()
        entries[index] = entry
        lock.broadcast()
        lock.unlock()
    }

    func waitAll(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        lock.lock()
        defer { lock.unlock() }
        while entries.contains(where: { $0 == nil }) {
            if !lock.wait(until: deadline) { return false }
        }
        return true
    }

    var all: [Entry] {
        lock.lock()
        defer { lock.unlock() }
        return entries.map { $0 ?? (false, 0, 0, 0) }
    }
}
