import Foundation
import XCTest

/// Video on demand from `http_server.dir`, with curl, ffprobe and ffmpeg: FLV seeking by byte
/// (`?start=`), MP4 byte ranges (Range and SRS's `?range=`), large files sent in pieces, and
/// an HLS VOD playlist as static files.
final class VODTests: XCTestCase {
    override func tearDown() {
        TestProcesses.shared.killAll()
        super.tearDown()
    }

    private func startServer() throws -> (server: ServerProcess, root: String, base: String) {
        let httpPort = ServerProcess.freePort()
        let root = NSTemporaryDirectory() + "swiftsrs-vod-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let server = try ServerProcess(head: "http_server { enabled on; listen \(httpPort); dir \(root); }")
        return (server, root, "http://127.0.0.1:\(httpPort)")
    }

    /// (status, headers) of a curl download to `file`.
    private func curl(_ arguments: [String], to file: String) throws -> (status: Int, headers: String) {
        let headers = file + ".headers"
        let result = try ExternalTool.run("curl", ["-sS", "-D", headers, "-o", file, "-w", "%{http_code}"] + arguments, timeout: 60)
        return (Int(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, (try? String(contentsOfFile: headers, encoding: .utf8)) ?? "")
    }

    /// Byte offsets of the video keyframe tags of an FLV file, with their timestamps.
    private func keyframeOffsets(_ bytes: [UInt8]) -> [(offset: Int, timestamp: Int)] {
        var found: [(Int, Int)] = []
        var offset = 13
        while offset + 15 <= bytes.count {
            let size = Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            let timestamp = Int(bytes[offset + 7]) << 24 | Int(bytes[offset + 4]) << 16 | Int(bytes[offset + 5]) << 8 | Int(bytes[offset + 6])
            if bytes[offset] == 9, bytes[offset + 11] >> 4 == 1, bytes[offset + 12] == 1 { found.append((offset, timestamp)) }
            offset += 11 + size + 4
        }
        return found
    }

    func testFLVSeekingByByteGivesAPlayableFileFromTheKeyframe() throws {
        let (server, root, base) = try startServer()
        let source = try MediaFixtures.path(.bframesMP3)
        try FileManager.default.copyItem(atPath: source, toPath: root + "/vod.flv")
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: source)))
        let keyframes = keyframeOffsets(bytes)
        XCTAssertGreaterThanOrEqual(keyframes.count, 4, "a keyframe every 2 s in 8 s")
        let seek = keyframes[2]
        let out = server.directory + "/seek.flv"
        let answer = try curl(["\(base)/vod.flv?start=\(seek.offset)"], to: out)
        XCTAssertEqual(answer.status, 200)
        XCTAssertTrue(answer.headers.contains("Content-Type: video/x-flv"), answer.headers)
        let got = Array(try Data(contentsOf: URL(fileURLWithPath: out)))
        XCTAssertEqual(Array(got.suffix(bytes.count - seek.offset)), Array(bytes[seek.offset...]), "the file from the keyframe on")
        XCTAssertEqual(Array(got.prefix(3)), Array("FLV".utf8))
        XCTAssertTrue(answer.headers.contains("Content-Length: \(got.count)"), answer.headers)
        let frames = try MediaFixtures.countFrames(out)
        XCTAssertEqual(frames.errors, "")
        let expectedVideo = (MediaFixtures.duration * 1000 - seek.timestamp) * MediaFixtures.frameRate / 1000
        XCTAssertEqual(frames.video, expectedVideo, accuracy: 3, "video from \(seek.timestamp) ms to the end")
        XCTAssertGreaterThan(frames.audio, 50)
        let first = try ExternalTool.run("ffprobe", ["-v", "error", "-select_streams", "v", "-read_intervals", "%+#1", "-show_entries",
                                                     "packet=dts_time,flags", "-of", "csv=p=0", out], timeout: 20)
        let fields = first.output.split(separator: "\n").first?.split(separator: ",") ?? []
        XCTAssertEqual(fields.count, 2, first.output)
        XCTAssertEqual((Double(fields.first ?? "") ?? 0) * 1000, Double(seek.timestamp), accuracy: 1, "starts at the keyframe's time")
        XCTAssertTrue(fields.last?.hasPrefix("K") ?? false, "the first video packet is a keyframe")
        // ffmpeg plays it through.
        let copy = try ExternalTool.run("ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-i", "\(base)/vod.flv?start=\(seek.offset)",
                                                   "-c", "copy", "-f", "null", "-"], timeout: 60)
        XCTAssertEqual(copy.status, 0, copy.output)
        // An offset inside a tag is refused; start=0 is the whole file.
        XCTAssertEqual(try curl(["\(base)/vod.flv?start=\(seek.offset + 1)"], to: server.directory + "/bad.flv").status, 400)
        XCTAssertEqual(try curl(["\(base)/vod.flv?start=\(bytes.count + 10)"], to: server.directory + "/past.flv").status, 416)
        XCTAssertEqual(try curl(["\(base)/vod.flv?start=0"], to: server.directory + "/whole.flv").status, 200)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: server.directory + "/whole.flv")), Data(bytes))
        XCTAssertEqual(server.stop(), 0)
    }

    func testMP4RangesLargeFilesAndAnHLSVODPlaylist() throws {
        let (server, root, base) = try startServer()
        // A 4 MB MP4 (the heavy fixture, moov at the end as ffmpeg writes it by default).
        let mp4 = root + "/movie.mp4"
        let made = try ExternalTool.run("ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", try MediaFixtures.path(.heavy),
                                                   "-c", "copy", mp4], timeout: 60)
        XCTAssertEqual(made.status, 0, made.output)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: mp4)))
        XCTAssertGreaterThan(bytes.count, 2 << 20, "larger than many pieces of 256 KB")
        let whole = try curl(["\(base)/movie.mp4"], to: server.directory + "/whole.mp4")
        XCTAssertEqual(whole.status, 200)
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: server.directory + "/whole.mp4"))), bytes, "sent whole, piece by piece")
        let ranged = try curl(["-H", "Range: bytes=1000000-1999999", "\(base)/movie.mp4"], to: server.directory + "/part")
        XCTAssertEqual(ranged.status, 206)
        XCTAssertTrue(ranged.headers.contains("Content-Range: bytes 1000000-1999999/\(bytes.count)"), ranged.headers)
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: server.directory + "/part"))), Array(bytes[1_000_000..<2_000_000]))
        let query = try curl(["\(base)/movie.mp4?range=100-199"], to: server.directory + "/query")
        XCTAssertEqual(query.status, 206, "SRS's ?range= for Flash")
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: server.directory + "/query"))), Array(bytes[100..<200]))
        XCTAssertEqual(try curl(["-H", "Range: bytes=\(bytes.count)-", "\(base)/movie.mp4"], to: server.directory + "/none").status, 416)
        // ffprobe reads the moov at the end through ranges.
        let frames = try MediaFixtures.countFrames("\(base)/movie.mp4")
        XCTAssertEqual(frames.errors, "")
        XCTAssertEqual(frames.video, MediaFixtures.duration * MediaFixtures.frameRate)

        // HLS VOD: a playlist and its segments as static files.
        try FileManager.default.createDirectory(atPath: root + "/vod", withIntermediateDirectories: true)
        let hls = try ExternalTool.run("ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", try MediaFixtures.path(.bframesMP3),
                                                  "-c", "copy", "-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod", root + "/vod/index.m3u8"], timeout: 60)
        XCTAssertEqual(hls.status, 0, hls.output)
        let copied = server.directory + "/vod.ts"
        let copy = try ExternalTool.run("ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", "\(base)/vod/index.m3u8",
                                                   "-c", "copy", "-f", "mpegts", copied], timeout: 60)
        XCTAssertEqual(copy.status, 0, copy.output)
        let vod = try MediaFixtures.countFrames(copied)
        XCTAssertEqual(vod.errors, "")
        XCTAssertEqual(vod.video, MediaFixtures.duration * MediaFixtures.frameRate)
        XCTAssertGreaterThan(vod.audio, 250)
        XCTAssertEqual(server.stop(), 0)
    }
}
