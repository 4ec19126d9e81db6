import Foundation
import XCTest

/// Test media made with ffmpeg once per test run: testsrc2 + sine, a keyframe every 2 s.
enum MediaFixtures {
    enum Kind: String, CaseIterable {
        case h264AAC = "h264-aac"
        case h264MP3 = "h264-mp3"
        case audioOnlyAAC = "aac-only"
        case videoOnly = "h264-only"
        /// 30 s of H.264 + AAC, for HLS.
        case h264AAC30s = "h264-aac-30s"
        /// ~4 Mbps of noisy 640x360 H.264 + AAC: fills socket buffers fast (slow-player tests).
        case heavy = "h264-aac-heavy"
        /// 30 s as a real publisher sends it: x264 `veryfast` with B-frames, stereo AAC.
        case bframesAAC30s = "h264-bframes-aac-30s"
        /// x264 `veryfast` with B-frames and stereo MP3 at 44.1 kHz: ffmpeg sends the first
        /// video frame before the first MP3 frame.
        case bframesMP3 = "h264-bframes-mp3"

        /// Seconds of media.
        var seconds: Int { self == .h264AAC30s || self == .bframesAAC30s ? 30 : MediaFixtures.duration }
    }

    static let directory: String = {
        let path = NSTemporaryDirectory() + "swiftsrs-fixtures-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    /// Seconds of media in each fixture.
    static let duration = 8
    static let frameRate = 25
    static let gopFrames = 50

    /// The path of a fixture, made on first use.
    static func path(_ kind: Kind) throws -> String {
        let path = "\(directory)/\(kind.rawValue).flv"
        if FileManager.default.fileExists(atPath: path) { return path }
        var arguments = ["-hide_banner", "-loglevel", "error", "-y"]
        let video = ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=\(frameRate)"]
        let audio = ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"]
        let x264 = ["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "\(gopFrames)",
                    "-keyint_min", "\(gopFrames)", "-pix_fmt", "yuv420p", "-b:v", "300k"]
        let duration = kind.seconds
        switch kind {
        case .h264AAC, .h264AAC30s: arguments += video + audio + ["-t", "\(duration)"] + x264 + ["-c:a", "aac", "-b:a", "64k"]
        case .heavy:
            let noisy = ["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=\(frameRate),noise=alls=80:allf=t+u"]
            arguments += noisy + audio + ["-t", "\(duration)"] + x264.dropLast(2) + ["-b:v", "4M", "-c:a", "aac", "-b:a", "64k"]
        case .bframesAAC30s, .bframesMP3:
            let bframes = ["-c:v", "libx264", "-preset", "veryfast", "-g", "\(gopFrames)", "-keyint_min", "\(gopFrames)", "-pix_fmt", "yuv420p",
                           "-b:v", "300k", "-ac", "2"]
            arguments += video + audio + ["-t", "\(duration)"] + bframes + (kind == .bframesMP3 ? ["-c:a", "libmp3lame"] : ["-c:a", "aac"]) + ["-b:a", "96k"]
        case .h264MP3: arguments += video + audio + ["-t", "\(duration)"] + x264 + ["-c:a", "libmp3lame", "-b:a", "64k"]
        case .audioOnlyAAC: arguments += audio + ["-t", "\(duration)", "-c:a", "aac", "-b:a", "64k"]
        case .videoOnly: arguments += video + ["-t", "\(duration)"] + x264
        }
        arguments += ["-f", "flv", path + ".tmp"]
        let result = try ExternalTool.run("ffmpeg", arguments, timeout: 60)
        guard result.status == 0 else {
            throw TestFailure("making fixture \(kind.rawValue) failed: \(result.output)")
        }
        try FileManager.default.moveItem(atPath: path + ".tmp", toPath: path)
        return path
    }

    /// Frames per stream type ("video", "audio") that ffprobe decodes in `file`, and whether it
    /// printed any error.
    static func countFrames(_ file: String) throws -> (video: Int, audio: Int, errors: String) {
        let result = try ExternalTool.run(
            "ffprobe", ["-v", "error", "-count_frames", "-show_entries", "stream=codec_type,nb_read_frames", "-of", "csv=p=0", file],
            timeout: 60)
        var video = 0
        var audio = 0
        var errors = ""
        for line in result.output.split(separator: "\n") {
            let fields = line.split(separator: ",")
            if fields.count == 2, let count = Int(fields[1]) {
                if fields[0] == "video" { video = count } else if fields[0] == "audio" { audio = count }
            } else {
                errors += line + "\n"
            }
        }
        return (video, audio, errors)
    }
}
