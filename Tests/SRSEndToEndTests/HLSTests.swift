import Foundation
import XCTest

/// HLS end to end: segments and playlists on disk and over the HTTP server, checked with
/// ffprobe and ffmpeg.
final class HLSTests: XCTestCase {
    private var httpPort = 0
    private var root = ""

    override func tearDown() {
        TestProcesses.shared.killAll()
        super.tearDown()
    }

    /// A server whose HLS files go to `root`, served by its HTTP server; `vhosts` gets the root.
    private func startServer(vhosts: (String) -> String) throws -> ServerProcess {
        httpPort = ServerProcess.freePort()
        root = NSTemporaryDirectory() + "swiftsrs-hls-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        return try ServerProcess(body: vhosts(root), head: "http_server { enabled on; listen \(httpPort); dir \(root); }")
    }

    private func assertSegmentsProbeClean(_ directory: String, file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        let segments = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".ts") }
        for segment in segments {
            let probe = try ExternalTool.run("ffprobe", ["-v", "error", directory + "/" + segment], timeout: 20)
            XCTAssertEqual(probe.output, "", "ffprobe complains about \(segment)", file: file, line: line)
        }
        return segments.count
    }

    private func publish(_ kind: MediaFixtures.Kind, to url: String, log: String) throws -> Process {
        try ExternalTool.start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-re", "-i", try MediaFixtures.path(kind), "-c", "copy", "-f", "flv", url], logFile: log)
    }

    /// (sequence, [(duration, uri, discontinuity)], target) of a playlist.
    private func parsePlaylist(_ path: String) throws -> (sequence: Int, target: Int, segments: [(duration: Double, uri: String, discontinuity: Bool)]) {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("#EXTM3U\n"), text)
        var sequence = -1
        var target = -1
        var segments: [(Double, String, Bool)] = []
        var pendingDuration: Double?
        var discontinuity = false
        for line in text.split(separator: "\n") {
            if line.hasPrefix("#EXT-X-MEDIA-SEQUENCE:") { sequence = Int(line.dropFirst(22)) ?? -1 }
            else if line.hasPrefix("#EXT-X-TARGETDURATION:") { target = Int(line.dropFirst(22)) ?? -1 }
            else if line == "#EXT-X-DISCONTINUITY" { discontinuity = true }
            else if line.hasPrefix("#EXTINF:") { pendingDuration = Double(line.dropFirst(8).split(separator: ",").first ?? "") }
            else if !line.hasPrefix("#"), let duration = pendingDuration {
                segments.append((duration, String(line), discontinuity))
                pendingDuration = nil
                discontinuity = false
            }
        }
        return (sequence, target, segments)
    }

    /// Copies the playlist's media through the HTTP server from its first segment. A live
    /// playlist has no end, so FFmpeg stops after the playlist's duration less half a second.
    private func copyThroughHTTP(_ urlPath: String, to output: String) throws -> (video: Int, audio: Int, errors: String) {
        let playlist = try parsePlaylist(root + "/" + urlPath)
        let seconds = playlist.segments.reduce(0) { $0 + $1.duration } - 0.5
        let result = try ExternalTool.run(
            "ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-live_start_index", "0",
                       "-i", "http://127.0.0.1:\(httpPort)/\(urlPath)", "-c", "copy", "-t", String(seconds), "-f", "mpegts", output],
            timeout: 60)
        XCTAssertFalse(result.timedOut, "ffmpeg did not finish reading \(urlPath)")
        XCTAssertEqual(result.status, 0, result.output)
        return try MediaFixtures.countFrames(output)
    }

    func testThirtySecondStreamSegmentsPlaylistWindowAndCopy() throws {
        let server = try startServer { root in """
            vhost __defaultVhost__ { hls { enabled on; hls_fragment 2; hls_window 60; hls_path \(root); } }
            vhost window.example { hls { enabled on; hls_fragment 2; hls_window 10; hls_path \(root)/w; } }
            """ }
        let full = try publish(.h264AAC30s, to: server.url("live/test"), log: server.directory + "/p1.log")
        let windowed = try publish(.h264AAC30s, to: server.url("live?vhost=window.example/test"), log: server.directory + "/p2.log")
        XCTAssertTrue(ExternalTool.wait(full, timeout: 60))
        XCTAssertTrue(ExternalTool.wait(windowed, timeout: 10))
        sleep(1)

        // Every segment passes ffprobe; durations stay within hls_td_ratio (1.5 x 2 s).
        XCTAssertGreaterThanOrEqual(try assertSegmentsProbeClean(root + "/live"), 14)
        let playlist = try parsePlaylist(root + "/live/test.m3u8")
        XCTAssertEqual(playlist.sequence, 0)
        XCTAssertGreaterThanOrEqual(playlist.segments.count, 14)
        for segment in playlist.segments {
            XCTAssertLessThanOrEqual(segment.duration, 3.0, "segment \(segment.uri) lasts \(segment.duration) s")
            XCTAssertLessThanOrEqual(Int(segment.duration.rounded()), playlist.target)
            XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/live/" + segment.uri), "\(segment.uri) named but missing")
        }
        XCTAssertEqual(playlist.segments.dropLast().map { $0.duration }, Array(repeating: 2.0, count: playlist.segments.count - 1))
        XCTAssertEqual(playlist.target, 3)
        let total = playlist.segments.reduce(0) { $0 + $1.duration }
        XCTAssertEqual(total, 30, accuracy: 0.2)

        // The window slid: old segments left the playlist and the disk, the sequence moved on.
        let windowedList = try parsePlaylist(root + "/w/live/test.m3u8")
        XCTAssertGreaterThan(windowedList.sequence, 5)
        XCTAssertLessThanOrEqual(windowedList.segments.count, 6)
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: root + "/w/live").filter { $0.hasSuffix(".ts") }
        XCTAssertEqual(Set(onDisk), Set(windowedList.segments.map { $0.uri }), "hls_cleanup left or lost files")

        // A player through the HTTP server gets the published frames within one GOP.
        let copy = try copyThroughHTTP("live/test.m3u8", to: server.directory + "/copy.ts")
        let published = try MediaFixtures.countFrames(try MediaFixtures.path(.h264AAC30s))
        XCTAssertEqual(copy.errors, "")
        XCTAssertLessThanOrEqual(abs(copy.video - published.video), MediaFixtures.gopFrames, "video \(copy.video) of \(published.video)")
        XCTAssertLessThanOrEqual(abs(copy.audio - published.audio), 2 * 44, "audio \(copy.audio) of \(published.audio)")
        let head = try ExternalTool.run("curl", ["-s", "-i", "http://127.0.0.1:\(httpPort)/live/test.m3u8"], timeout: 5).output
        XCTAssertTrue(head.contains("Content-Type: application/vnd.apple.mpegurl") && head.contains("Cache-Control: no-cache"), head)
    }

    func testMP3AudioOnlyAndVideoOnlyAreEachPlayable() throws {
        let server = try startServer { root in """
            vhost __defaultVhost__ { hls { enabled on; hls_fragment 2; hls_window 60; hls_path \(root); } }
            """ }
        let publishers = try [(MediaFixtures.Kind.h264MP3, "mp3"), (.audioOnlyAAC, "aac"), (.videoOnly, "video")].map { kind, name in
            try publish(kind, to: server.url("live/\(name)"), log: server.directory + "/\(name).log")
        }
        for publisher in publishers { XCTAssertTrue(ExternalTool.wait(publisher, timeout: 30)) }
        sleep(1)
        XCTAssertGreaterThanOrEqual(try assertSegmentsProbeClean(root + "/live"), 6)
        let mp3 = try copyThroughHTTP("live/mp3.m3u8", to: server.directory + "/mp3.ts")
        XCTAssertGreaterThan(mp3.video, 150, "H.264+MP3 video")
        XCTAssertGreaterThan(mp3.audio, 200, "H.264+MP3 audio")
        XCTAssertEqual(mp3.errors, "")
        let aac = try copyThroughHTTP("live/aac.m3u8", to: server.directory + "/aac.ts")
        XCTAssertEqual(aac.video, 0)
        XCTAssertGreaterThan(aac.audio, 250, "audio-only")
        let video = try copyThroughHTTP("live/video.m3u8", to: server.directory + "/video.ts")
        XCTAssertGreaterThan(video.video, 150, "video-only")
        XCTAssertEqual(video.audio, 0)
        // Audio-only segments are cut by duration (fragment x aof_ratio = 4 s).
        let audioList = try parsePlaylist(root + "/live/aac.m3u8")
        XCTAssertGreaterThanOrEqual(audioList.segments.count, 2)
        for segment in audioList.segments.dropLast() { XCTAssertEqual(segment.duration, 4.0, accuracy: 0.05) }
    }

    /// H.264 + MP3 whose first video frame comes before its first MP3 frame (x264 veryfast
    /// with B-frames, stereo MP3): every HLS segment and the .ts mount carry both tracks
    /// (before, the PMT was fixed at the first video frame, without audio).
    func testMP3AfterVideoKeepsItsTrackInEverySegmentAndTheTSMount() throws {
        let server = try startServer { root in """
            vhost __defaultVhost__ { hls { enabled on; hls_fragment 2; hls_window 60; hls_path \(root); }
                                     http_remux { enabled on; mount [vhost]/[app]/[stream].ts; } }
            """ }
        let published = try MediaFixtures.countFrames(try MediaFixtures.path(.bframesMP3))
        let publisher = try publish(.bframesMP3, to: server.url("live/m"), log: server.directory + "/publish.log")
        let tsPlayer = try ExternalTool.start("ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i",
                                                         "http://127.0.0.1:\(httpPort)/live/m.ts", "-c", "copy", "-t", "5", server.directory + "/mount.ts"],
                                              logFile: server.directory + "/mount.log")
        XCTAssertTrue(ExternalTool.wait(publisher, timeout: 30))
        XCTAssertTrue(ExternalTool.wait(tsPlayer, timeout: 10))
        sleep(1)
        let mount = try MediaFixtures.countFrames(server.directory + "/mount.ts")
        XCTAssertEqual(mount.errors, "")
        XCTAssertGreaterThan(mount.video, 50, "the .ts mount has video")
        XCTAssertGreaterThan(mount.audio, 50, "the .ts mount has the MP3 track")
        let segments = try FileManager.default.contentsOfDirectory(atPath: root + "/live").filter { $0.hasSuffix(".ts") }.sorted()
        XCTAssertGreaterThanOrEqual(segments.count, 3)
        for segment in segments {
            let streams = try ExternalTool.run("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0",
                                                           root + "/live/" + segment], timeout: 20).output
            XCTAssertEqual(Set(streams.split(separator: "\n")), ["h264", "mp3"], "\(segment) has both tracks")
        }
        let copied = try copyThroughHTTP("live/m.m3u8", to: server.directory + "/m.ts")
        XCTAssertEqual(copied.errors, "")
        XCTAssertEqual(copied.video, published.video, accuracy: MediaFixtures.gopFrames)
        XCTAssertEqual(copied.audio, published.audio, accuracy: 2 * 44100 / 1152, "MP3 frames within one GOP (2 s) of what was published")
    }

    func testRepublishAddsDiscontinuityAndDisposeRemovesFiles() throws {
        let server = try startServer { root in """
            vhost __defaultVhost__ { hls { enabled on; hls_fragment 2; hls_window 60; hls_path \(root); hls_dispose 3; } }
            """ }
        for round in 1...2 {
            let publisher = try ExternalTool.start(
                "ffmpeg", ["-hide_banner", "-loglevel", "error", "-re", "-i", try MediaFixtures.path(.h264AAC), "-t", "4.5", "-c", "copy", "-f", "flv", server.url("live/test")],
                logFile: server.directory + "/p\(round).log")
            XCTAssertTrue(ExternalTool.wait(publisher, timeout: 20))
            usleep(300_000)
        }
        let playlist = try parsePlaylist(root + "/live/test.m3u8")
        XCTAssertEqual(playlist.segments.filter { $0.discontinuity }.count, 1, "one discontinuity at the republish")
        let firstAfter = try XCTUnwrap(playlist.segments.firstIndex { $0.discontinuity })
        XCTAssertGreaterThan(firstAfter, 0)
        let copy = try copyThroughHTTP("live/test.m3u8", to: server.directory + "/copy.ts")
        XCTAssertGreaterThan(copy.video, 150, "both publishes playable")
        // hls_dispose 3 s after the last unpublish: every file is gone.
        sleep(4)
        let left = (try? FileManager.default.contentsOfDirectory(atPath: root + "/live")) ?? []
        XCTAssertEqual(left.filter { $0.hasSuffix(".ts") || $0.hasSuffix(".m3u8") }, [], "files left after hls_dispose")
        XCTAssertTrue(server.log.contains("HLS dispose"))
    }

    /// HLS files in the HTTP server's folder and a `.ts` live mount on the same paths: a
    /// request for a segment that is on disk gets the file (before, `live/s-0.ts` was taken
    /// as a player of a stream `s-0` and waited forever), and ffplay, mpv and VLC (as a
    /// non-root user) play the HLS stream; the live mount still serves `live/s.ts`.
    func testFilesWinOverATSLiveMountAndRealPlayersPlayHLS() throws {
        let server = try startServer { root in
            "vhost __defaultVhost__ { hls { enabled on; hls_path \(root); hls_fragment 2; } http_remux { enabled on; mount [vhost]/[app]/[stream].ts; } }"
        }
        _ = try LiveStreamTools.publish(server.url("live/s"), kind: .bframesAAC30s, loop: true, log: server.directory + "/publish.log")
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, ((try? parsePlaylist(root + "/live/s.m3u8"))?.segments.count ?? 0) < 3 { usleep(200_000) }
        let playlist = try parsePlaylist(root + "/live/s.m3u8")
        let segment = try XCTUnwrap(playlist.segments.last?.uri)
        let onDisk = try Data(contentsOf: URL(fileURLWithPath: root + "/live/" + segment))
        let fetched = try ExternalTool.run("curl", ["-s", "--max-time", "5", "-o", server.directory + "/segment.ts", "-w", "%{http_code}",
                                                    "http://127.0.0.1:\(httpPort)/live/\(segment)"], timeout: 10)
        XCTAssertEqual(fetched.output, "200", "the segment on disk is served, not waited for as a live stream")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: server.directory + "/segment.ts")), onDisk)
        let url = "http://127.0.0.1:\(httpPort)/live/s.m3u8"

        // ffplay: its master clock runs (it prints it about 30 times a second).
        let ffplay = try ExternalTool.start("ffplay", ["-nodisp", "-loglevel", "info", url], logFile: server.directory + "/ffplay.log",
                                            environment: ["SDL_AUDIODRIVER": "dummy"])
        sleep(8)
        ExternalTool.stop(ffplay)
        let clocks = ((try? String(contentsOfFile: server.directory + "/ffplay.log", encoding: .utf8)) ?? "")
            .split(whereSeparator: { $0 == "\r" || $0 == "\n" })
            .compactMap { line -> Double? in
                let fields = line.split(separator: " ")
                guard fields.count > 1, fields[1] == "M-A:", let clock = Double(fields[0]), clock.isFinite else { return nil }
                return clock  // "nan" until the first frame
            }
        XCTAssertGreaterThan((clocks.last ?? 0) - (clocks.first ?? 0), 4, "ffplay played at least 4 s")

        // mpv plays 4 s and reaches the end it was given.
        let mpv = try ExternalTool.run("mpv", ["--no-config", "--vo=null", "--ao=null", "--length=4", url], timeout: 30)
        XCTAssertTrue(mpv.output.contains("Exiting... (End of file)"), mpv.output.suffix(500).description)

        // VLC, as a non-root user (it refuses root), copies the stream to a file.
        let out = server.directory + "/vlc"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: server.directory)
        let user = getuid() == 0 ? ["runuser", "-u", "nobody", "--"] : []
        let vlc = try ExternalTool.run(user.first ?? "cvlc", Array(user.dropFirst()) + (user.isEmpty ? [] : ["cvlc"]) + [
            "-q", "--run-time=6", "--play-and-exit", "--sout", "#std{access=file,mux=ts,dst=\(out)/vlc.ts}", url, "vlc://quit"], timeout: 40)
        XCTAssertFalse(vlc.timedOut, "VLC finished")
        let copied = try MediaFixtures.countFrames(out + "/vlc.ts")
        XCTAssertGreaterThan(copied.video, 2 * MediaFixtures.frameRate, "VLC read the segments: \(vlc.output.suffix(500))")
        XCTAssertGreaterThan(copied.audio, 2 * 43)

        // The live mount still plays the stream itself.
        let live = try LiveStreamTools.play("http://127.0.0.1:\(httpPort)/live/s.ts", seconds: 3, directory: server.directory)
        XCTAssertGreaterThan(live.video, 40)
    }
}
