import Foundation
import SRSClient
import XCTest

/// The client library's tools and C API against SwiftSRS and nginx-rtmp, checked with ffmpeg
/// and ffprobe: dump matches ffmpeg's copy packet for packet, ingest and raw publishing play,
/// the C example builds with cc and publishes; every executable answers --help.
final class ClientToolsTests: XCTestCase {
    override func tearDown() {
        TestProcesses.shared.killAll()
        super.tearDown()
    }

    private var binaries: URL { URL(fileURLWithPath: ServerProcess.binaryPath).deletingLastPathComponent() }
    private var tools: String { binaries.appendingPathComponent("srs-tools").path }
    private var packageRoot: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }

    private func scratch() throws -> String {
        let path = NSTemporaryDirectory() + "swiftsrs-tools-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// (type, dts, pts, size, keyframe) of every audio and video packet ffprobe reads in `file`.
    private func packets(_ file: String) throws -> [(type: String, dts: Int, pts: Int, size: Int, key: Bool)] {
        let result = try ExternalTool.run("ffprobe", ["-v", "error", "-show_entries", "packet=codec_type,dts,pts,size,flags", "-of", "csv=p=0", file], timeout: 30)
        return result.output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count >= 5, fields[0] == "video" || fields[0] == "audio", let dts = Int(fields[2]), let pts = Int(fields[1]), let size = Int(fields[3]) else { return nil }
            return (String(fields[0]), dts, pts, size, fields[4].hasPrefix("K"))
        }
    }

    // MARK: dump

    /// srs-tools dump and ffmpeg -c copy both wait for the stream, then one publish: the same
    /// packets (kind, size, keyframe flag, times relative to the first).
    private func assertDumpMatchesFFmpeg(publishURL: String, playURL: String, directory: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let dumped = directory + "/dump.flv"
        let copied = directory + "/copy.flv"
        let dump = try ExternalTool.start(tools, ["dump", "-u", playURL, "-o", dumped, "-d", "9"], logFile: directory + "/dump.log")
        let copy = try ExternalTool.start("ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", playURL, "-c", "copy", "-t", "6", "-f", "flv", copied],
                                          logFile: directory + "/copy.log")
        Thread.sleep(forTimeInterval: 1.5)
        let publisher = try ExternalTool.start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-re", "-i", try MediaFixtures.path(.bframesMP3), "-c", "copy",
                                                          "-f", "flv", publishURL], logFile: directory + "/publish.log")
        XCTAssertTrue(ExternalTool.wait(copy, timeout: 30), "ffmpeg's copy did not end", file: file, line: line)
        XCTAssertTrue(ExternalTool.wait(dump, timeout: 30), "dump did not end", file: file, line: line)
        XCTAssertEqual(dump.terminationStatus, 0, (try? String(contentsOfFile: directory + "/dump.log", encoding: .utf8)) ?? "", file: file, line: line)
        _ = ExternalTool.wait(publisher, timeout: 30)
        let ours = try packets(dumped)
        let theirs = try packets(copied)
        XCTAssertGreaterThan(theirs.count, 200, "ffmpeg copied 6 s", file: file, line: line)
        let base = (ours.first?.dts ?? 0, theirs.first?.dts ?? 0)
        let window = 5000
        let a = ours.filter { $0.dts - base.0 < window }.map { "\($0.type) \($0.dts - base.0) \($0.pts - $0.dts) \($0.size) \($0.key)" }
        let b = theirs.filter { $0.dts - base.1 < window }.map { "\($0.type) \($0.dts - base.1) \($0.pts - $0.dts) \($0.size) \($0.key)" }
        XCTAssertGreaterThan(a.count, 150, file: file, line: line)
        XCTAssertEqual(a, b, "the dump and ffmpeg's copy differ", file: file, line: line)
        XCTAssertEqual(try MediaFixtures.countFrames(dumped).errors, "", file: file, line: line)
    }

    func testDumpMatchesFFmpegsCopyFromSwiftSRSAndNginxRTMP() throws {
        let server = try ServerProcess()
        try assertDumpMatchesFFmpeg(publishURL: server.url("live/d"), playURL: server.url("live/d"), directory: try scratch())
        XCTAssertEqual(server.stop(), 0)
        let nginx = try NginxRTMP()
        defer { nginx.stop() }
        try assertDumpMatchesFFmpeg(publishURL: nginx.url("live/d"), playURL: nginx.url("live/d"), directory: try scratch())
    }

    // MARK: ingest, print, publish-raw

    /// ffmpeg reads `seconds` of `url` into a file: (video, audio frames, errors) and its packets.
    private func record(_ url: String, seconds: Int, to path: String) throws -> Process {
        try ExternalTool.start("ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", url, "-c", "copy", "-t", String(seconds), "-f", "flv", path],
                               logFile: path + ".log")
    }

    func testIngestAndPrintAgainstSwiftSRSAndNginxRTMP() throws {
        let directory = try scratch()
        let server = try ServerProcess()
        let nginx = try NginxRTMP()
        defer { nginx.stop() }
        for (index, url) in [server.url("live/i"), nginx.url("live/i")].enumerated() {
            let recorded = directory + "/ingested-\(index).flv"
            let player = try record(url, seconds: 5, to: recorded)
            Thread.sleep(forTimeInterval: 1)
            let ingest = try ExternalTool.start(tools, ["ingest", "-i", try MediaFixtures.path(.h264AAC), "-u", url], logFile: directory + "/ingest-\(index).log")
            Thread.sleep(forTimeInterval: 2)
            if index == 0 {
                let printed = try ExternalTool.run(tools, ["print", "-u", url, "-n", "30"], timeout: 20)
                XCTAssertEqual(printed.status, 0, printed.output)
                let lines = printed.output.split(separator: "\n")
                XCTAssertEqual(lines.count, 30, printed.output)
                XCTAssertTrue(lines.contains { $0.hasPrefix("Video packet dts=") && $0.contains("H.264 keyframe (sequence header)") }, printed.output)
                XCTAssertTrue(lines.contains { $0.hasPrefix("Audio packet dts=") && $0.contains("AAC 44kHz") }, printed.output)
                XCTAssertTrue(lines.contains { $0.hasPrefix("Data packet") && $0.contains("onMetaData") }, printed.output)
            }
            XCTAssertTrue(ExternalTool.wait(player, timeout: 30))
            XCTAssertTrue(ExternalTool.wait(ingest, timeout: 30))
            XCTAssertEqual(ingest.terminationStatus, 0, (try? String(contentsOfFile: directory + "/ingest-\(index).log", encoding: .utf8)) ?? "")
            let frames = try MediaFixtures.countFrames(recorded)
            XCTAssertEqual(frames.errors, "")
            XCTAssertEqual(frames.video, 5 * MediaFixtures.frameRate, accuracy: 3, "5 s of the ingested file through \(index == 0 ? "SwiftSRS" : "nginx-rtmp")")
            XCTAssertGreaterThan(frames.audio, 200)
        }
        XCTAssertEqual(server.stop(), 0)
    }

    func testRawH264AndAACPublishWithTheFilesTimestamps() throws {
        let server = try ServerProcess()
        // A real publisher's stream (x264 veryfast: B-frames as references, a pyramid), and
        // one whose B-frames are not references (their picture order counts must not carry on).
        let pyramid = try scratch()
        let cut = try ExternalTool.run("ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", try MediaFixtures.path(.bframesAAC30s),
                                                  "-t", "8", "-c", "copy", pyramid + "/source.flv"], timeout: 60)
        XCTAssertEqual(cut.status, 0, cut.output)
        let flat = try scratch()
        let encoded = try ExternalTool.run("ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
                                                      "-f", "lavfi", "-i", "sine=frequency=300:sample_rate=44100", "-t", "8", "-c:v", "libx264", "-preset", "fast",
                                                      "-bf", "2", "-x264-params", "b-pyramid=none", "-g", "50", "-pix_fmt", "yuv420p", "-c:a", "aac", "-ac", "1",
                                                      flat + "/source.flv"], timeout: 60)
        XCTAssertEqual(encoded.status, 0, encoded.output)
        for (index, directory) in [pyramid, flat].enumerated() {
            try assertRawPublish(from: directory, url: server.url("live/raw\(index)"))
        }
        XCTAssertEqual(server.stop(), 0)
    }

    /// Publishes `directory/source.flv`'s media as raw .h264 and .aac files with srs-tools and
    /// compares what a player records with the source.
    private func assertRawPublish(from directory: String, url: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let source = directory + "/source.flv"
        for (arguments, name) in [(["-an", "-c:v", "copy", "-bsf:v", "h264_mp4toannexb", "-f", "h264"], "in.h264"), (["-vn", "-c:a", "copy", "-f", "adts"], "in.aac")] {
            let made = try ExternalTool.run("ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", source] + arguments + [directory + "/" + name], timeout: 60)
            XCTAssertEqual(made.status, 0, made.output, file: file, line: line)
        }
        let recorded = directory + "/raw.flv"
        let player = try record(url, seconds: 6, to: recorded)
        Thread.sleep(forTimeInterval: 1)
        let published = try ExternalTool.run(tools, ["publish-raw", "--h264", directory + "/in.h264", "--aac", directory + "/in.aac", "--fps", "25", "-u", url],
                                             timeout: 30)
        XCTAssertEqual(published.status, 0, published.output, file: file, line: line)
        let theirs = try packets(source).filter { $0.type == "video" }
        XCTAssertTrue(published.output.contains("published \(theirs.count) video and"), published.output, file: file, line: line)
        XCTAssertTrue(ExternalTool.wait(player, timeout: 30), file: file, line: line)
        let frames = try MediaFixtures.countFrames(recorded)
        XCTAssertEqual(frames.errors, "", file: file, line: line)
        XCTAssertEqual(frames.video, 150, accuracy: 3, file: file, line: line)
        // Video: 40 ms apart in decode order, and the composition offsets (B-frames) of the
        // original up to one constant.
        let ours = try packets(recorded).filter { $0.type == "video" }
        XCTAssertGreaterThan(ours.count, 140, file: file, line: line)
        for (index, pair) in zip(ours, ours.dropFirst()).enumerated() { XCTAssertEqual(pair.1.dts - pair.0.dts, 40, "frame \(index)", file: file, line: line) }
        let shift = (ours[0].pts - ours[0].dts) - (theirs[0].pts - theirs[0].dts)
        XCTAssertLessThanOrEqual(abs(shift), 80, "the reordering delay is a few frames at most", file: file, line: line)
        for (index, (a, b)) in zip(ours, theirs).enumerated() {
            XCTAssertEqual((a.pts - a.dts) - (b.pts - b.dts), shift, "composition offset of frame \(index)", file: file, line: line)
            XCTAssertEqual(a.size, b.size, "frame \(index)", file: file, line: line)
        }
        XCTAssertTrue(theirs.contains { $0.pts != $0.dts }, "the source has B-frames", file: file, line: line)
        // Audio: 1024 samples at 44.1 kHz apart.
        let audio = try packets(recorded).filter { $0.type == "audio" }
        XCTAssertGreaterThan(audio.count, 250, file: file, line: line)
        for pair in zip(audio, audio.dropFirst()) {
            XCTAssertTrue((22...24).contains(pair.1.dts - pair.0.dts), "\(pair.0.dts) -> \(pair.1.dts)", file: file, line: line)
        }
    }

    // MARK: The Swift library

    /// The error of a play that cannot start, nil when it started.
    private func playError(_ url: String) -> String? {
        do {
            _ = try RTMPClient.play(url: url, timeoutMs: 3000)
            return nil
        } catch {
            return error.description
        }
    }

    func testTheSwiftLibraryPublishesAsyncAndPlaysBlocking() async throws {
        let server = try ServerProcess()
        let url = server.url("live/lib")
        let file = try FLVFileReader(path: try MediaFixtures.path(.h264AAC))
        _ = try file.readHeader()
        var tags: [MediaPacket] = []
        while let tag = try file.readTag() { tags.append(tag) }
        let media = tags.filter { $0.type == 8 || $0.type == 9 }
        // A blocking player waits for the stream; an async publisher sends the whole file.
        let player = try RTMPClient.play(url: url)
        let publisher = AsyncRTMPClient(url: url)
        try await publisher.publish()
        for tag in tags { try await publisher.writePacket(tag) }
        var received: [MediaPacket] = []
        while received.count < media.count, let packet = try player.readPacket() {
            if packet.type == 8 || packet.type == 9 { received.append(packet) }
        }
        XCTAssertEqual(received.map(\.type), media.map(\.type))
        XCTAssertEqual(received.map(\.payload), media.map(\.payload), "every packet as the file has it")
        XCTAssertTrue(received.first?.isSequenceHeader ?? false)
        await publisher.close()
        player.close()
        // A second publisher of the same stream is refused with the server's status.
        let late = AsyncRTMPClient(url: url)
        let again = AsyncRTMPClient(url: url)
        try await late.publish()
        do {
            try await again.publish()
            XCTFail("a second publisher was accepted")
        } catch let error as RTMPClientError {
            XCTAssertNotNil(error.statusCode, "\(error)")
            XCTAssertTrue(error.description.contains(url), "\(error)")
        }
        // Nothing listening: a clear error, no hang.
        let refused = playError("rtmp://127.0.0.1:\(ServerProcess.freePort())/live/x")
        XCTAssertTrue(refused?.contains("Connection refused") ?? false, refused ?? "connected to nothing")
        XCTAssertEqual(server.stop(), 0)
    }

    // MARK: C API

    func testTheCExampleBuildsWithCcAndPublishes() throws {
        let directory = try scratch()
        let library = binaries.appendingPathComponent("libsrs_librtmp.so").path
        XCTAssertTrue(FileManager.default.fileExists(atPath: library), "\(library) is built by swift build")
        let program = directory + "/srs_publish_flv"
        let built = try ExternalTool.run("cc", ["-Wall", "-Werror", "-I", packageRoot.appendingPathComponent("Sources/SRSLibRTMP/include").path,
                                                packageRoot.appendingPathComponent("Sources/SRSLibRTMP/examples/srs_publish_flv.c").path,
                                                "-L", binaries.path, "-lsrs_librtmp", "-o", program], timeout: 60)
        XCTAssertEqual(built.status, 0, built.output)
        let swiftRuntime = URL(fileURLWithPath: try ExternalTool.require("swift")).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("lib/swift/linux").path
        let server = try ServerProcess()
        let recorded = directory + "/c.flv"
        let player = try record(server.url("live/c"), seconds: 5, to: recorded)
        Thread.sleep(forTimeInterval: 1)
        let published = try ExternalTool.run(program, [try MediaFixtures.path(.h264MP3), server.url("live/c")], timeout: 30,
                                             environment: ["LD_LIBRARY_PATH": "\(binaries.path):\(swiftRuntime)"])
        XCTAssertEqual(published.status, 0, published.output)
        XCTAssertTrue(published.output.contains("srs_librtmp 0."), published.output)
        XCTAssertTrue(published.output.contains("Data packet dts=0"), published.output)
        XCTAssertTrue(published.output.contains("published "), published.output)
        XCTAssertTrue(ExternalTool.wait(player, timeout: 30))
        let frames = try MediaFixtures.countFrames(recorded)
        XCTAssertEqual(frames.errors, "")
        XCTAssertEqual(frames.video, 5 * MediaFixtures.frameRate, accuracy: 3)
        XCTAssertGreaterThan(frames.audio, 150, "MP3 frames")
        // A refused publish is an error code and a message, not a crash.
        let second = try ExternalTool.run(program, [try MediaFixtures.path(.h264MP3), "rtmp://127.0.0.1:\(ServerProcess.freePort())/live/c"], timeout: 30,
                                          environment: ["LD_LIBRARY_PATH": "\(binaries.path):\(swiftRuntime)"])
        XCTAssertEqual(second.status, 1)
        XCTAssertTrue(second.output.contains("publish failed: ") && second.output.contains("Connection refused"), second.output)
        XCTAssertEqual(server.stop(), 0)
    }

    // MARK: Command lines

    func testEveryExecutableAnswersHelpAndKeepsSRSOptions() throws {
        for (binary, arguments, expected) in [
            ("srs", ["--help"], "-c <file>"), ("srs", ["-h"], "-t"), ("srs-bench", ["--help"], "srs-bench <mode>"),
            ("srs-tools", ["--help"], "publish-raw"), ("srs-tools", ["dump", "--help"], "-o <o>"),
            ("srs", ["--generate-completion-script", "bash"], "complete"), ("srs-tools", ["--generate-completion-script", "zsh"], "compdef"),
        ] {
            let result = try ExternalTool.run(binaries.appendingPathComponent(binary).path, arguments, timeout: 10)
            XCTAssertEqual(result.status, 0, "\(binary) \(arguments): \(result.output)")
            XCTAssertTrue(result.output.contains(expected), "\(binary) \(arguments): \(result.output)")
        }
        let version = try ExternalTool.run(ServerProcess.binaryPath, ["-v"], timeout: 10)
        XCTAssertEqual(version.output.trimmingCharacters(in: .whitespacesAndNewlines), "0.1.0")
        let check = try ExternalTool.run(ServerProcess.binaryPath, ["-t", "-c", packageRoot.appendingPathComponent("conf/srs.conf").path], timeout: 10)
        XCTAssertEqual(check.status, 0, check.output)
        XCTAssertTrue(check.output.contains("test is successful"), check.output)
        let unknown = try ExternalTool.run(ServerProcess.binaryPath, ["-x"], timeout: 10)
        XCTAssertEqual(unknown.status, 1, "SRS's status for a usage mistake")
        XCTAssertEqual(unknown.output.trimmingCharacters(in: .whitespacesAndNewlines), "srs: Unknown option '-x' (srs --help)")
        let bench = try ExternalTool.run(binaries.appendingPathComponent("srs-bench").path, ["play", "-u", "rtmp://127.0.0.1/live/s"], timeout: 10)
        XCTAssertEqual(bench.status, 1)
        XCTAssertTrue(bench.output.contains("-d"), "a bounded run is required: \(bench.output)")
        // A dump of a stream nobody publishes still ends at -d.
        let server = try ServerProcess()
        let started = Date()
        let silent = try ExternalTool.run(tools, ["dump", "-u", server.url("live/nobody"), "-o", try scratch() + "/none.flv", "-d", "2"], timeout: 15)
        XCTAssertEqual(silent.status, 0, silent.output)
        XCTAssertTrue(silent.output.contains("dumped 0 packets"), silent.output)
        XCTAssertLessThan(Date().timeIntervalSince(started), 6)
        XCTAssertEqual(server.stop(), 0)
        let raw = try ExternalTool.run(tools, ["publish-raw", "-u", "rtmp://127.0.0.1/live/s"], timeout: 10)
        XCTAssertNotEqual(raw.status, 0)
        XCTAssertTrue(raw.output.contains("give --h264 FILE, --aac FILE or both"), raw.output)
    }
}
