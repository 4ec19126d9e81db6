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
