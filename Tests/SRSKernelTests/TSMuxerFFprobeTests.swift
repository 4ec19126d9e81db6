import Foundation
import XCTest
@testable import SRSKernel

/// End-to-end: mux real H.264 and AAC made by ffmpeg, then let ffprobe parse and decode the result.
/// ffmpeg and ffprobe must be on PATH; the tests fail (not skip) without them.
final class TSMuxerFFprobeTests: XCTestCase {
    struct Failure: Error, Sendable, CustomStringConvertible { let description: String }

    /// One H.264 access unit as the muxer's caller gives it: Annex B, AUD first, SPS/PPS before an IDR.
    struct AccessUnit: Sendable { let bytes: [UInt8]; let isKeyframe: Bool }

    struct Inputs: Sendable {
        let video: [AccessUnit]
        let audioFrames: [[UInt8]]
        let audioSampleRate: Int
    }

    /// Made once for all tests of this class (2 s of 25 fps H.264 with GOP 25, 2 s of AAC).
    static let inputs: Result<Inputs, Failure> = makeInputs()

    // MARK: - Tests

    func testVideoAndAudioTSIsCleanForFFprobe() throws {
        let inputs = try Self.inputs.get()
        XCTAssertEqual(inputs.video.count, 50, "the H.264 splitter found 50 access units")
        XCTAssertEqual(inputs.video.filter(\.isKeyframe).count, 2, "GOP 25: two IDR access units")
        XCTAssertGreaterThan(inputs.audioFrames.count, 80, "about 2 s of 1024-sample AAC frames")

        var muxer = TSMuxer(video: .h264, audio: .aac)
        var ts: [UInt8] = []
        let base: Int64 = 90000
        var audioIndex = 0
        for (index, unit) in inputs.video.enumerated() {
            let dts = base + Int64(index) * 3600
            // Audio due before this video frame goes first (decode order across PIDs).
            while audioIndex < inputs.audioFrames.count && audioPTS(audioIndex, inputs, base) <= dts {
                ts += muxer.writeAudio(inputs.audioFrames[audioIndex], pts: audioPTS(audioIndex, inputs, base))
                audioIndex += 1
            }
            if unit.isKeyframe { ts += muxer.tables() }  // a new segment starts at each keyframe, as in HLS
            // A constant composition offset makes every PES carry both PTS and DTS.
            ts += muxer.writeVideo(unit.bytes, pts: dts + 7200, dts: dts, isKeyframe: unit.isKeyframe)
        }
        while audioIndex < inputs.audioFrames.count {
            ts += muxer.writeAudio(inputs.audioFrames[audioIndex], pts: audioPTS(audioIndex, inputs, base))
            audioIndex += 1
        }
        try assertWellFormed(ts, pids: [0x0000, 0x1001, 0x0100, 0x0101])

        let streams = try probe(ts, name: "av")
        XCTAssertEqual(streams.count, 2, "\(streams)")
        let video = streams.first { $0["codec_name"] == "h264" }
        let audio = streams.first { $0["codec_name"] == "aac" }
        XCTAssertEqual(video?["id"], "0x100")
        XCTAssertEqual(video?["nb_read_frames"], "50")
        XCTAssertEqual(audio?["id"], "0x101")
        XCTAssertEqual(audio?["nb_read_frames"], String(inputs.audioFrames.count))
    }

    func testAudioOnlyTSWithSeveralFramesPerPESIsCleanForFFprobe() throws {
        let inputs = try Self.inputs.get()
        var muxer = TSMuxer(video: nil, audio: .aac)
        var ts = muxer.tables()
        let base: Int64 = 90000
        // Three ADTS frames per PES, as SRS aggregates audio for HLS; PCR rides on the audio PID.
        for start in stride(from: 0, to: inputs.audioFrames.count, by: 3) {
            let frames = inputs.audioFrames[start..<min(start + 3, inputs.audioFrames.count)].flatMap { $0 }
            if start % 30 == 0 && start > 0 { ts += muxer.tables() }
            ts += muxer.writeAudio(frames, pts: audioPTS(start, inputs, base))
        }
        try assertWellFormed(ts, pids: [0x0000, 0x1001, 0x0101])

        let streams = try probe(ts, name: "a")
        XCTAssertEqual(streams.count, 1, "\(streams)")
        XCTAssertEqual(streams.first?["codec_name"], "aac")
        XCTAssertEqual(streams.first?["id"], "0x101")
        XCTAssertEqual(streams.first?["nb_read_frames"], String(inputs.audioFrames.count))
    }

    // MARK: - Muxing helpers

    private func audioPTS(_ index: Int, _ inputs: Inputs, _ base: Int64) -> Int64 {
        base + Int64(index) * 1024 * 90000 / Int64(inputs.audioSampleRate)
    }

    /// Checks sync bytes, the PID set, and that each PID's continuity_counter advances by one per packet.
    private func assertWellFormed(_ ts: [UInt8], pids: Set<UInt16>, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(ts.count % 188, 0, file: file, line: line)
        var last: [UInt16: UInt8] = [:]
        for offset in stride(from: 0, to: ts.count, by: 188) {
            guard ts[offset] == 0x47 else { throw Failure(description: "no sync byte at \(offset)") }
            let pid = UInt16(ts[offset + 1] & 0x1F) << 8 | UInt16(ts[offset + 2])
            XCTAssertTrue(pids.contains(pid), "unexpected PID \(pid) at \(offset)", file: file, line: line)
            XCTAssertNotEqual(ts[offset + 3] & 0x10, 0, "every packet carries payload", file: file, line: line)
            let cc = ts[offset + 3] & 0x0F
            if let previous = last[pid], cc != (previous + 1) & 0x0F {
                throw Failure(description: "continuity error on PID \(pid) at byte \(offset): \(previous) -> \(cc)")
            }
            last[pid] = cc
        }
        XCTAssertEqual(Set(last.keys), pids, file: file, line: line)
    }

    /// Writes `ts` to a temporary file, asserts `ffprobe -v error` prints nothing, and returns the streams'
    /// codec_name, id and nb_read_frames from `ffprobe -count_frames`.
    private func probe(_ ts: [UInt8], name: String) throws -> [[String: String]] {
        let path = Self.temporaryPath("\(name).ts")
        try Data(ts).write(to: URL(fileURLWithPath: path))
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }

        let check = try Self.run("ffprobe", ["-v", "error", path])
        XCTAssertEqual(check.status, 0, "ffprobe exit status; stderr: \(check.stderr)")
        XCTAssertEqual(check.stdout + check.stderr, "", "ffprobe -v error must print nothing")

        let counted = try Self.run("ffprobe", [
            "-v", "error", "-count_frames", "-show_entries", "stream=codec_name,id,nb_read_frames",
            "-of", "json", path,
        ])
        XCTAssertEqual(counted.status, 0, "ffprobe -count_frames exit status; stderr: \(counted.stderr)")
        XCTAssertEqual(counted.stderr, "", "ffprobe -count_frames must report no error")
        // The top-level "streams" (ffprobe repeats them under "programs" for MPEG-TS).
        guard let json = try JSONSerialization.jsonObject(with: Data(counted.stdout.utf8)) as? [String: Any],
              let streams = json["streams"] as? [[String: Any]] else {
            throw Failure(description: "unexpected ffprobe output: \(counted.stdout)")
        }
        return streams.map { stream in stream.mapValues { "\($0)" } }
    }

    // MARK: - Process and files

    private static func temporaryPath(_ name: String) -> String {
        let directory = NSTemporaryDirectory()
        let separator = directory.hasSuffix("/") ? "" : "/"
        return "\(directory)\(separator)swiftsrs-ts-\(getpid())-\(UUID().uuidString.prefix(8))-\(name)"
    }

    /// Runs a tool found on PATH; throws when it cannot be started or is missing (env exits 127).
    private static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw Failure(description: "cannot run \(tool): \(error)")
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let result = (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
        if result.0 == 127 { throw Failure(description: "\(tool) is not installed (needed by this test): \(result.2)") }
        return result
    }

    private static func makeInputs() -> Result<Inputs, Failure> {
        let videoPath = temporaryPath("v.h264")
        let audioPath = temporaryPath("a.aac")
        defer {
            try? FileManager.default.removeItem(atPath: videoPath)
            try? FileManager.default.removeItem(atPath: audioPath)
        }
        do {
            let v = try run("ffmpeg", [
                "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "2",
                "-c:v", "libx264", "-g", "25", "-bsf:v", "h264_mp4toannexb", "-f", "h264", videoPath,
            ])
            guard v.status == 0 else { throw Failure(description: "ffmpeg (video) failed: \(v.stderr)") }
            let a = try run("ffmpeg", [
                "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "sine", "-t", "2", "-c:a", "aac", "-f", "adts",
                audioPath,
            ])
            guard a.status == 0 else { throw Failure(description: "ffmpeg (audio) failed: \(a.stderr)") }
            let h264 = [UInt8](try Data(contentsOf: URL(fileURLWithPath: videoPath)))
            let adts = [UInt8](try Data(contentsOf: URL(fileURLWithPath: audioPath)))
            let (frames, sampleRate) = try splitADTS(adts)
            return .success(Inputs(video: splitH264(h264), audioFrames: frames, audioSampleRate: sampleRate))
        } catch let failure as Failure {
            return .failure(failure)
        } catch {
            return .failure(Failure(description: "\(error)"))
        }
    }

    // MARK: - Elementary-stream splitters (test only)

    /// The NAL units of an Annex B stream (without start codes).
    static func nalUnits(_ data: [UInt8]) -> [ArraySlice<UInt8>] {
        var starts: [(codeStart: Int, nalStart: Int)] = []
        var i = 0
        while i + 2 < data.count {
            if data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1 {
                starts.append((i > 0 && data[i - 1] == 0 ? i - 1 : i, i + 3))
                i += 3
            } else {
                i += 1
            }
        }
        return starts.indices.map { k in
            let end = k + 1 < starts.count ? starts[k + 1].codeStart : data.count
            return data[starts[k].nalStart..<end]
        }
    }

    /// Groups NAL units into access units (ITU-T H.264 7.4.1.2.3: a new one starts at an AUD, SEI, SPS or PPS, or
    /// at a slice with first_mb_in_slice 0, after a VCL NAL unit), then writes each as the muxer's caller does:
    /// AUD, SPS/PPS before an IDR, 4-byte start codes.
    static func splitH264(_ data: [UInt8]) -> [AccessUnit] {
        var groups: [[ArraySlice<UInt8>]] = []
        var current: [ArraySlice<UInt8>] = []
        var currentHasSlice = false
        for nal in nalUnits(data) where !nal.isEmpty {
            let type = nal[nal.startIndex] & 0x1F
            let isSlice = type == 1 || type == 5
            let startsUnit = [6, 7, 8, 9].contains(type)
                || (isSlice && nal.count > 1 && nal[nal.startIndex + 1] & 0x80 != 0)
            if startsUnit && currentHasSlice {
                groups.append(current)
                current = []
                currentHasSlice = false
            }
            if type != 9 { current.append(nal) }
            currentHasSlice = currentHasSlice || isSlice
        }
        if !current.isEmpty { groups.append(current) }

        var sps: ArraySlice<UInt8> = []
        var pps: ArraySlice<UInt8> = []
        return groups.map { nals in
            let types = nals.map { $0[$0.startIndex] & 0x1F }
            if let k = types.firstIndex(of: 7) { sps = nals[k] }
            if let k = types.firstIndex(of: 8) { pps = nals[k] }
            let isKeyframe = types.contains(5)
            var bytes: [UInt8] = [0, 0, 0, 1, 0x09, 0xF0]  // AUD, primary_pic_type 7
            if isKeyframe && !types.contains(7) { bytes += [0, 0, 0, 1] + sps + [0, 0, 0, 1] + pps }
            for nal in nals { bytes += [0, 0, 0, 1] + nal }
            return AccessUnit(bytes: bytes, isKeyframe: isKeyframe)
        }
    }

    /// The ADTS frames of an AAC stream (by aac_frame_length) and its sample rate.
    static func splitADTS(_ data: [UInt8]) throws -> (frames: [[UInt8]], sampleRate: Int) {
        let rates = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350]
        var frames: [[UInt8]] = []
        var sampleRate = 0
        var offset = 0
        while offset < data.count {
            guard offset + 7 <= data.count, data[offset] == 0xFF, data[offset + 1] & 0xF0 == 0xF0 else {
                throw Failure(description: "no ADTS sync word at \(offset)")
            }
            let length = Int(data[offset + 3] & 0x03) << 11 | Int(data[offset + 4]) << 3 | Int(data[offset + 5] >> 5)
            let rateIndex = Int(data[offset + 2] >> 2) & 0x0F
            guard length >= 7, offset + length <= data.count, rateIndex < rates.count else {
                throw Failure(description: "bad ADTS header at \(offset)")
            }
            sampleRate = rates[rateIndex]
            frames.append(Array(data[offset..<(offset + length)]))
            offset += length
        }
        return (frames, sampleRate)
    }
}
