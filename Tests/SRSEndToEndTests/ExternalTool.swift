import Foundation
import XCTest

/// Runs the real peers (ffmpeg, ffprobe, rtmpdump, gst-launch-1.0) the tests check against.
/// A missing tool fails the test: CI installs them, and a skipped check proves nothing.
enum ExternalTool {
    struct Result {
        var status: Int32
        var output: String
        var timedOut: Bool
    }

    /// The absolute path of `name` on PATH (or `name` itself, an absolute path), or a test failure.
    static func require(_ name: String) throws -> String {
        if name.hasPrefix("/") {
            guard FileManager.default.isExecutableFile(atPath: name) else { throw TestFailure("\(name) is missing; run scripts/test.sh (it installs the test tools)") }
            return name
        }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw TestFailure("\(name) is not installed; run scripts/test.sh (it installs the test tools)")
    }

    /// Starts a tool in the background with its output in `logFile` (and `environment` added
    /// to its environment).
    static func start(_ name: String, _ arguments: [String], logFile: String, environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try require(name))
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        _ = FileManager.default.createFile(atPath: logFile, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        TestProcesses.shared.track(process)
        return process
    }

    /// Runs a tool to completion (or `timeout`, then SIGINT, then SIGKILL) and returns its output.
    @discardableResult
    static func run(_ name: String, _ arguments: [String], timeout: TimeInterval, environment: [String: String] = [:]) throws -> Result {
        let log = NSTemporaryDirectory() + "srs-tool-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let process = try start(name, arguments, logFile: log, environment: environment)
        let timedOut = !wait(process, timeout: timeout)
        if timedOut { stop(process) }
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return Result(status: process.isRunning ? -1 : process.terminationStatus, output: output, timedOut: timedOut)
    }

    /// Waits for exit; false on timeout.
    static func wait(_ process: Process, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        return !process.isRunning
    }

    /// SIGINT (ffmpeg and gst-launch -e finish their files), then SIGKILL after 5 s.
    static func stop(_ process: Process) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGINT)
        if !wait(process, timeout: 5) {
            kill(process.processIdentifier, SIGKILL)
            _ = wait(process, timeout: 5)
        }
    }
}

/// An error that fails the test that throws it, with a message saying why.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Every process a test started, killed at the end of the test run at the latest.
final class TestProcesses: @unchecked Sendable {
    static let shared = TestProcesses()
    private let lock = NSLock()
    private var processes: [Process] = []

    func track(_ process: Process) {
        lock.lock()
        processes.append(process)
        lock.unlock()
    }

    func killAll() {
        lock.lock()
        let all = processes
        processes.removeAll()
        lock.unlock()
        for process in all where process.isRunning { ExternalTool.stop(process) }
    }
}
