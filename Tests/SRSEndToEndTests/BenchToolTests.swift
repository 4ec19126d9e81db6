import Foundation
import XCTest

/// srs-bench against a real server: publish mode feeds a stream, play and flv modes read it.
final class BenchToolTests: XCTestCase {
    override func tearDown() {
        TestProcesses.shared.killAll()
        super.tearDown()
    }

    private var benchPath: String {
        URL(fileURLWithPath: ServerProcess.binaryPath).deletingLastPathComponent().appendingPathComponent("srs-bench").path
    }

    private func bench(_ arguments: [String], timeout: TimeInterval) throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: benchPath)
        process.arguments = arguments + ["--json"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        TestProcesses.shared.track(process)
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        XCTAssertTrue(ExternalTool.wait(process, timeout: timeout))
        XCTAssertEqual(process.terminationStatus, 0, String(decoding: data, as: UTF8.self))
        let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw TestFailure("srs-bench printed no JSON summary: \(line)")
        }
        return object
    }

    func testPublishPlayAndFLVModes() throws {
        let httpPort = ServerProcess.freePort()
        let server = try ServerProcess(
            body: "vhost __defaultVhost__ { http_remux { enabled on; mount [vhost]/[app]/[stream].flv; } }",
            head: "http_server { enabled on; listen \(httpPort); dir /nonexistent; }")
        let publisher = Process()
        publisher.executableURL = URL(fileURLWithPath: benchPath)
        publisher.arguments = ["publish", "-u", server.url("live/bench"), "-i", try MediaFixtures.path(.h264AAC), "-d", "9", "--json"]
        publisher.standardOutput = FileHandle.nullDevice
        try publisher.run()
        TestProcesses.shared.track(publisher)
        sleep(2)
        let play = try bench(["play", "-u", server.url("live/bench"), "-c", "50", "-r", "100", "-d", "3"], timeout: 15)
        XCTAssertEqual(play["playing"] as? Int, 50)
        XCTAssertEqual(play["failed"] as? Int, 0)
        XCTAssertEqual(play["starved"] as? Int, 0)
        XCTAssertEqual(play["timestamp_regressions"] as? Int, 0)
        XCTAssertEqual(play["startup_samples"] as? Int, 50)
        XCTAssertGreaterThan(play["rate_kbps_min"] as? Double ?? 0, 100)
        let flv = try bench(["flv", "-u", "http://127.0.0.1:\(httpPort)/live/bench.flv", "-c", "20", "-d", "2"], timeout: 15)
        XCTAssertEqual(flv["playing"] as? Int, 20)
        XCTAssertEqual(flv["failed"] as? Int, 0)
        XCTAssertEqual(flv["startup_samples"] as? Int, 20)
        XCTAssertTrue(ExternalTool.wait(publisher, timeout: 15))
        XCTAssertEqual(publisher.terminationStatus, 0, "the bench publisher failed")
        XCTAssertTrue(server.isRunning)
    }

    /// latency mode: the stamps survive the server and come back as sane delays.
    func testLatencyMode() throws {
        let server = try ServerProcess(body: "vhost __defaultVhost__ { gop_cache off; min_latency on; tcp_nodelay on; mr { enabled off; } }")
        let result = try bench(["latency", "-u", server.url("live/latency"), "-i", try MediaFixtures.path(.h264AAC), "-c", "20", "-d", "7"],
                               timeout: 20)
        XCTAssertEqual(result["playing"] as? Int, 20)
        XCTAssertEqual(result["failed"] as? Int, 0)
        XCTAssertEqual(result["publisher_failures"] as? Int, 0)
        // 20 players x 25 fps x ~2.5 s after the 3 s warm-up.
        XCTAssertGreaterThan(result["latency_samples"] as? Int ?? 0, 500)
        XCTAssertLessThan(result["latency_ms_p99"] as? Double ?? .infinity, 500, "publish-to-play delay on loopback")
        XCTAssertGreaterThan(result["latency_ms_max"] as? Double ?? 0, 0)
    }

    /// hls mode: players poll the playlist and download segments from the HTTP server.
    func testHLSMode() throws {
        let httpPort = ServerProcess.freePort()
        let root = NSTemporaryDirectory() + "swiftsrs-hlsbench-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let server = try ServerProcess(
            body: "vhost __defaultVhost__ { hls { enabled on; hls_path \(root); hls_fragment 1; hls_window 6; } }",
            head: "http_server { enabled on; listen \(httpPort); dir \(root); }")
        let publisher = Process()
        publisher.executableURL = URL(fileURLWithPath: benchPath)
        publisher.arguments = ["publish", "-u", server.url("live/hlsbench"), "-i", try MediaFixtures.path(.h264AAC), "-d", "14", "--json"]
        publisher.standardOutput = FileHandle.nullDevice
        try publisher.run()
        TestProcesses.shared.track(publisher)
        sleep(5)
        let result = try bench(["hls", "-u", "http://127.0.0.1:\(httpPort)/live/hlsbench.m3u8", "-c", "10", "-d", "6"], timeout: 20)
        XCTAssertEqual(result["playing"] as? Int, 10)
        XCTAssertEqual(result["failed"] as? Int, 0)
        XCTAssertEqual(result["startup_samples"] as? Int, 10)
        XCTAssertEqual(result["timestamp_regressions"] as? Int, 0)
        XCTAssertEqual(result["starved"] as? Int, 0)
        XCTAssertGreaterThan(result["rate_kbps_min"] as? Double ?? 0, 50, "HLS players downloaded the stream's segments")
        XCTAssertTrue(ExternalTool.wait(publisher, timeout: 20))
        XCTAssertTrue(server.isRunning)
    }

    func testUnboundedRunsAndNamesAreRefused() throws {
        for arguments in [["play", "-u", "rtmp://127.0.0.1:1935/live/x", "-c", "1"],
                          ["play", "-u", "rtmp://example.com:1935/live/x", "-c", "1", "-d", "1"]] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: benchPath)
            process.arguments = arguments
            process.standardError = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 1, "\(arguments) was accepted")
        }
    }
}
