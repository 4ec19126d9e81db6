import Foundation
import XCTest

/// `srs` as an operator runs it: config checks, clear one-line errors, signals, limits, timeouts.
final class ServerCommandLineTests: XCTestCase {
    override func tearDown() {
        TestProcesses.shared.killAll()
        super.tearDown()
    }

    private static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Runs `srs` with `arguments` and returns its exit status and output.
    private func runServer(_ arguments: [String], timeout: TimeInterval = 10) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ServerProcess.binaryPath)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        TestProcesses.shared.track(process)
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        XCTAssertTrue(ExternalTool.wait(process, timeout: timeout))
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testEveryShippedConfigPassesTheCheck() throws {
        let confDirectory = Self.packageRoot.appendingPathComponent("conf")
        let files = try FileManager.default.contentsOfDirectory(atPath: confDirectory.path).filter { $0.hasSuffix(".conf") }
        XCTAssertTrue(files.contains("srs.conf") && files.contains("full.conf") && files.contains("realtime.conf") && files.contains("rtmp.conf"))
        for file in files {
            let result = try runServer(["-t", "-c", confDirectory.appendingPathComponent(file).path])
            XCTAssertEqual(result.status, 0, "\(file): \(result.output)")
            XCTAssertTrue(result.output.contains("test is successful"), result.output)
        }
    }

    func testBrokenConfigFailsWithFileLineAndDirective() throws {
        let path = NSTemporaryDirectory() + "broken-\(getpid()).conf"
        try "listen 1935;\nvhost a {\n    gop_cahce on;\n}\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try runServer(["-t", "-c", path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.output.split(separator: "\n").count, 1, "not one line: \(result.output)")
        XCTAssertTrue(result.output.contains("\(path):3"), result.output)
        XCTAssertTrue(result.output.contains("gop_cahce"), result.output)
    }

    func testMissingConfigIsOneClearLine() throws {
        let result = try runServer(["-c", "/nonexistent/srs.conf"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.output.split(separator: "\n").count, 1, result.output)
        XCTAssertTrue(result.output.contains("/nonexistent/srs.conf") && result.output.contains("No such file"), result.output)
    }

    func testPortInUseIsOneClearLine() throws {
        let first = try ServerProcess()
        let path = first.directory + "/second.conf"
        try "daemon off;\nlisten \(first.port);\npid \(first.directory)/second.pid;\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = try runServer(["-c", path])
        XCTAssertEqual(result.status, 1)
        let lines = result.output.split(separator: "\n").filter { $0.hasPrefix("srs:") }
        XCTAssertEqual(lines.count, 1, result.output)
        XCTAssertTrue(result.output.contains("cannot listen on 0.0.0.0:\(first.port): Address already in use"), result.output)
        XCTAssertTrue(first.isRunning)
    }

    func testVersion() throws {
        let result = try runServer(["-v"])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.output.hasPrefix("0."), result.output)
    }

    func testPidFileIsWrittenAndRemoved() throws {
        let server = try ServerProcess()
        let pidFile = server.directory + "/srs.pid"
        let text = try String(contentsOfFile: pidFile, encoding: .utf8)
        XCTAssertEqual(Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), server.pid)
        XCTAssertEqual(server.stop(), 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: pidFile))
    }

    func testReloadKeepsRunningOnBadConfigAndAppliesGoodOne() throws {
        let server = try ServerProcess()
        let player = try TestRTMPClient(port: server.port)
        XCTAssertTrue(try player.start())
        let original = try String(contentsOfFile: server.configPath, encoding: .utf8)
        try (original + "\nbogus_directive on;\n").write(toFile: server.configPath, atomically: true, encoding: .utf8)
        kill(server.pid, SIGHUP)
        sleep(1)
        XCTAssertTrue(server.isRunning)
        XCTAssertTrue(server.log.contains("keeping the running config"), server.log)
        try (original + "\nvhost other.example.com { }\n").write(toFile: server.configPath, atomically: true, encoding: .utf8)
        for _ in 0..<5 { kill(server.pid, SIGHUP) }
        sleep(1)
        XCTAssertTrue(server.isRunning)
        XCTAssertTrue(server.log.contains("reload: config applied, 2 vhosts"), server.log)
        XCTAssertTrue(try player.pump(timeout: 0.5), "the player was dropped by the reload")
    }

    func testPublisherThatSendsNothingTimesOut() throws {
        let server = try ServerProcess(body: "vhost __defaultVhost__ { publish { firstpkt_timeout 1500; normal_timeout 1500; } }")
        let publisher = try TestRTMPClient(port: server.port, path: "live/silent", mode: .publish)
        XCTAssertTrue(try publisher.start())
        XCTAssertTrue(publisher.waitForClose(timeout: 6), "a silent publisher was not closed")
        XCTAssertTrue(server.log.contains("publisher sent no media within 1500 ms"), server.log)
    }

    func testSigtermQuitsWithinBoundedTime() throws {
        let server = try ServerProcess()
        let player = try TestRTMPClient(port: server.port)
        XCTAssertTrue(try player.start())
        let begin = Date()
        XCTAssertEqual(server.stop(), 0)
        XCTAssertLessThan(Date().timeIntervalSince(begin), 5)
        XCTAssertTrue(player.waitForClose(timeout: 1))
    }
}
