import Foundation
import XCTest

/// DVR end to end: ffmpeg publishes, the recordings are checked with ffprobe.
final class DVRTests: XCTestCase {
    private var root = ""

    override func setUp() {
        root = NSTemporaryDirectory() + "swiftsrs-dvr-\(UUID().uuidString.prefix(8))"
    }

    override func tearDown() {
        TestProcesses.shared.killAll()
        try? FileManager.default.removeItem(atPath: root)
        super.tearDown()
    }

    private func flvFiles(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".flv") }.sorted().map { folder + "/" + $0 }
    }

    private func waitFor(_ process: Process, seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(100_000) }
    }

    private func duration(_ file: String) throws -> Double {
        let result = try ExternalTool.run("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", file], timeout: 30)
        return Double(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// Three 10 s segments (cut at the 2 s keyframes), each ffprobe-clean and within one GOP
    /// of dvr_duration, together holding every published frame.
    private func assertSegments(_ files: [String], hold published: (video: Int, audio: Int, errors: String),
                                file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(files.count, 3, "\(files)", file: file, line: line)
        var video = 0
        var audio = 0
        for path in files {
            let frames = try MediaFixtures.countFrames(path)
            XCTAssertEqual(frames.errors, "", "ffprobe is silent on \(path)", file: file, line: line)
            video += frames.video
            audio += frames.audio
            XCTAssertEqual(try duration(path), 10, accuracy: 2.1, "within one GOP of dvr_duration: \(path)", file: file, line: line)
        }
        XCTAssertEqual(video, published.video, file: file, line: line)
        XCTAssertEqual(audio, published.audio, file: file, line: line)
    }

    func testSessionAndSegmentPlansRecordThirtySecondsFrameForFrame() throws {
        let server = try ServerProcess(body: """
            vhost __defaultVhost__ { dvr { enabled on; dvr_plan session; dvr_path \(root)/session/[app]/[stream].[timestamp].flv; } }
            vhost seg.example { dvr { enabled on; dvr_plan segment; dvr_duration 10; dvr_path \(root)/segment/[app]/[stream]-[timestamp].flv; } }
            """)
        let fixture = try MediaFixtures.path(.h264AAC30s)
        let published = try MediaFixtures.countFrames(fixture)
        let session = try LiveStreamTools.publish(server.url("live/rec"), kind: .h264AAC30s, loop: false, log: server.directory + "/session.log")
        let segment = try LiveStreamTools.publish(server.url("live/rec?vhost=seg.example"), kind: .h264AAC30s, loop: false,
                                                  log: server.directory + "/segment.log")
        waitFor(session, seconds: 45)
        waitFor(segment, seconds: 5)
        sleep(2)
        // Session: one file with every frame.
        let sessionFiles = flvFiles(root + "/session/live")
        XCTAssertEqual(sessionFiles.count, 1, "\(sessionFiles)")
        let recorded = try MediaFixtures.countFrames(try XCTUnwrap(sessionFiles.first))
        XCTAssertEqual(recorded.errors, "", "ffprobe is silent on the session recording")
        XCTAssertEqual(recorded.video, published.video)
        XCTAssertEqual(recorded.audio, published.audio)
        XCTAssertEqual(try duration(sessionFiles[0]), 30, accuracy: 0.5)
        // Segment: 10 s files cut at the 2 s keyframes, together every frame.
        try assertSegments(flvFiles(root + "/segment/live"), hold: published)
        XCTAssertTrue(server.isRunning)
    }

    func testAppendAcrossThreeRepublishesIsOneMonotonicFile() throws {
        let server = try ServerProcess(body: "vhost __defaultVhost__ { dvr { enabled on; dvr_plan append; dvr_path \(root)/[app]/[stream].flv; } }")
        let fixture = try MediaFixtures.path(.h264MP3)
        for round in 0..<3 {
            let publisher = try ExternalTool.start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-re", "-t", "3", "-i", fixture, "-c", "copy",
                                                              "-f", "flv", server.url("live/a")], logFile: server.directory + "/publish-\(round).log")
            waitFor(publisher, seconds: 15)
            sleep(1)
        }
        let files = flvFiles(root + "/live")
        XCTAssertEqual(files, [root + "/live/a.flv"])
        let frames = try MediaFixtures.countFrames(files[0])
        XCTAssertEqual(frames.errors, "", "ffprobe is silent on the appended file")
        XCTAssertEqual(frames.video, 3 * 3 * MediaFixtures.frameRate, accuracy: 6, "three publishes of 3 s")
        XCTAssertGreaterThan(frames.audio, 3 * 100, "MP3 of all three publishes")
        // No timestamp goes back, per stream, across the republishes.
        let packets = try ExternalTool.run("ffprobe", ["-v", "error", "-show_entries", "packet=codec_type,dts_time", "-of", "csv=p=0", files[0]],
                                           timeout: 30).output
        var last: [String: Double] = [:]
        var regressions = 0
        for line in packets.split(separator: "\n") {
            let fields = line.split(separator: ",")
            guard fields.count == 2, let time = Double(fields[1]) else { continue }
            let kind = String(fields[0])
            if let previous = last[kind], time < previous { regressions += 1 }
            last[kind] = time
        }
        XCTAssertEqual(regressions, 0)
        XCTAssertGreaterThan(last["video"] ?? 0, 8, "the third publish continues after the second")
    }

    /// MP4 (fragmented): a 30 s session and segments of a B-frame AAC publish, and an MP3
    /// publish whose video comes first; each file holds every published frame.
    func testMP4RecordingsHoldEveryPublishedFrame() throws {
        let server = try ServerProcess(body: """
            vhost __defaultVhost__ { dvr { enabled on; dvr_path \(root)/session/[app]/[stream].mp4; } }
            vhost seg.example { dvr { enabled on; dvr_plan segment; dvr_duration 10; dvr_path \(root)/segment/[app]/[stream]-[timestamp].mp4; } }
            vhost mp3.example { dvr { enabled on; dvr_path \(root)/mp3/[app]/[stream].mp4; } }
            """)
        let published = try MediaFixtures.countFrames(try MediaFixtures.path(.bframesAAC30s))
        let publishedMP3 = try MediaFixtures.countFrames(try MediaFixtures.path(.bframesMP3))
        let session = try LiveStreamTools.publish(server.url("live/rec"), kind: .bframesAAC30s, loop: false, log: server.directory + "/session.log")
        let segment = try LiveStreamTools.publish(server.url("live/rec?vhost=seg.example"), kind: .bframesAAC30s, loop: false,
                                                  log: server.directory + "/segment.log")
        let mp3 = try LiveStreamTools.publish(server.url("live/rec?vhost=mp3.example"), kind: .bframesMP3, loop: false,
                                              log: server.directory + "/mp3.log")
        waitFor(session, seconds: 45)
        waitFor(segment, seconds: 5)
        waitFor(mp3, seconds: 5)
        sleep(2)
        let sessionFile = root + "/session/live/rec.mp4"
        let recorded = try MediaFixtures.countFrames(sessionFile)
        XCTAssertEqual(recorded.errors, "", "ffprobe is silent on the MP4 session recording")
        XCTAssertEqual(recorded.video, published.video)
        XCTAssertEqual(recorded.audio, published.audio)
        XCTAssertEqual(try duration(sessionFile), 30, accuracy: 0.5)
        let decode = try ExternalTool.run("ffmpeg", ["-v", "error", "-i", sessionFile, "-f", "null", "-"], timeout: 60)
        XCTAssertEqual(decode.status, 0)
        XCTAssertEqual(decode.output, "", "every frame decodes")

        let segments = ((try? FileManager.default.contentsOfDirectory(atPath: root + "/segment/live")) ?? []).sorted()
        XCTAssertTrue(segments.allSatisfy { $0.hasSuffix(".mp4") }, "\(segments)")
        try assertSegments(segments.map { root + "/segment/live/" + $0 }, hold: published)

        let mp3Frames = try MediaFixtures.countFrames(root + "/mp3/live/rec.mp4")
        XCTAssertEqual(mp3Frames.errors, "", "ffprobe is silent on the MP3 recording")
        XCTAssertEqual(mp3Frames.video, publishedMP3.video)
        XCTAssertEqual(mp3Frames.audio, publishedMP3.audio, "the MP3 track is there although video came first")
        XCTAssertTrue(server.isRunning)
    }

    /// A server killed while recording MP4 leaves a file (under its temporary name) that plays
    /// up to its last fragment: fragments are written whole.
    func testAnMP4CutShortByAKilledServerPlaysToItsLastFragment() throws {
        let server = try ServerProcess(body: "vhost __defaultVhost__ { dvr { enabled on; dvr_path \(root)/[app]/[stream].mp4; } }")
        _ = try LiveStreamTools.publish(server.url("live/crash"), kind: .bframesAAC30s, loop: false, log: server.directory + "/publish.log")
        sleep(9)
        kill(server.pid, SIGKILL)
        let file = root + "/live/crash.mp4.tmp"
        let frames = try MediaFixtures.countFrames(file)
        XCTAssertEqual(frames.errors, "", "ffprobe is silent on what the killed server left")
        XCTAssertGreaterThanOrEqual(frames.video, 6 * MediaFixtures.frameRate, "at least the GOPs before the last")
        XCTAssertGreaterThan(frames.audio, 6 * 43)
    }

    /// A path that cannot be created, and a "disk" that blocks for good (the file's temporary
    /// name is a FIFO nobody reads): one clear log line, players get every frame, and a
    /// graceful quit still ends in bounded time.
    func testAnUnwritablePathAndABlockedDiskNeverHurtPlayers() throws {
        try FileManager.default.createDirectory(atPath: root + "/live", withIntermediateDirectories: true)
        XCTAssertEqual(mkfifo(root + "/live/f.flv.tmp", 0o644), 0)
        let server = try ServerProcess(body: """
            vhost __defaultVhost__ { dvr { enabled on; dvr_path /proc/swiftsrs-dvr/[stream].flv; } }
            vhost slow.example { dvr { enabled on; dvr_path \(root)/[app]/[stream].flv; } }
            """)
        _ = try LiveStreamTools.publish(server.url("live/u"), log: server.directory + "/unwritable.log")
        _ = try LiveStreamTools.publish(server.url("live/f?vhost=slow.example"), log: server.directory + "/blocked.log")
        sleep(2)
        let unwritable = try LiveStreamTools.play(server.url("live/u"), seconds: 4, directory: server.directory)
        let blocked = try LiveStreamTools.play(server.url("live/f?vhost=slow.example"), seconds: 4, directory: server.directory)
        XCTAssertGreaterThan(unwritable.video, 80, "4 s of 25 fps while DVR cannot write")
        XCTAssertGreaterThan(blocked.video, 80, "4 s of 25 fps while DVR's disk blocks")
        XCTAssertTrue(server.log.contains("DVR __defaultVhost__/live/u: create the folder of /proc/swiftsrs-dvr/u.flv"), server.log.suffix(2000).description)
        XCTAssertEqual(server.log.components(separatedBy: "recording stopped, the stream plays on").count - 1, 1, "one line, not one per batch")
        let started = Date()
        XCTAssertEqual(server.stop(), 0)
        XCTAssertLessThan(Date().timeIntervalSince(started), 8, "a blocked write does not hold the quit")
    }
}
