import Foundation
import XCTest

/// ffmpeg as the real publisher and player of the end-to-end tests, and a process's RSS.
enum LiveStreamTools {
    /// ffmpeg publishing a fixture to `url` at real-time pace, looped by default.
    static func publish(_ url: String, kind: MediaFixtures.Kind = .h264AAC, loop: Bool = true, log: String) throws -> Process {
        var arguments = ["-hide_banner", "-loglevel", "error", "-re"]
        if loop { arguments += ["-stream_loop", "-1"] }
        return try ExternalTool.start("ffmpeg", arguments + ["-i", try MediaFixtures.path(kind), "-c", "copy", "-f", "flv", url], logFile: log)
    }

    /// ffmpeg copies `seconds` of `url` to a file in `directory`; returns its (video, audio)
    /// frame counts, failing the test when ffmpeg fails or ffprobe finds errors.
    static func play(_ url: String, seconds: Int, directory: String,
                     file: StaticString = #filePath, line: UInt = #line) throws -> (video: Int, audio: Int) {
        let output = directory + "/played-\(UUID().uuidString.prefix(6)).flv"
        let result = try ExternalTool.run("ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", url, "-t", "\(seconds)",
                                                     "-c", "copy", "-f", "flv", output], timeout: Double(seconds) + 15)
        XCTAssertEqual(result.status, 0, "ffmpeg play of \(url): \(result.output)", file: file, line: line)
        let frames = try MediaFixtures.countFrames(output)
        XCTAssertEqual(frames.errors, "", "ffprobe found errors in what \(url) delivered", file: file, line: line)
        return (frames.video, frames.audio)
    }

    /// VmRSS of `pid` in kB.
    static func residentKB(_ pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let value = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else {
            throw TestFailure("no VmRSS for \(pid)")
        }
        return value
    }
}
