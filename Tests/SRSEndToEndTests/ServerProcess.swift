import Foundation
import XCTest

/// A real `srs` process on a free port, with its own config and log, stopped by `stop()`.
final class ServerProcess {
    let port: Int
    let directory: String
    let configPath: String
    let logPath: String
    private let process: Process

    /// The `srs` binary built next to this test bundle.
    static var binaryPath: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments.first(where: { $0.hasSuffix(".xctest") }) ?? CommandLine.arguments[0])
        let sibling = bundle.deletingLastPathComponent().appendingPathComponent("srs").path
        if FileManager.default.isExecutableFile(atPath: sibling) { return sibling }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/srs").path
    }

    /// Whether the servers run under AddressSanitizer (scripts/test.sh sets ASAN_OPTIONS).
    static var underAddressSanitizer: Bool { ProcessInfo.processInfo.environment["ASAN_OPTIONS"] != nil }

    /// A TCP port that was free a moment ago on 127.0.0.1.
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                _ = bind(fd, raw, length)
                _ = getsockname(fd, raw, &length)
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Starts `srs` with a config made of the standard head (foreground, console log, the port)
    /// and `body` (vhosts and more; a default vhost when empty). Waits until it accepts.
    /// `port`: a given RTMP port (a restart on the same port), else a free one.
    /// `launcher`: a command the server runs under, e.g. `["prlimit", "--nofile=64:64", "--"]`.
    /// `environment`: variables added to the server's environment.
    /// `wholeConfig`: the config as given (it names `port` itself), instead of head and body.
    init(body: String = "vhost __defaultVhost__ { }", head: String = "", port: Int? = nil, launcher: [String] = [],
         environment: [String: String] = [:], wholeConfig: String? = nil) throws {
        self.port = port ?? Self.freePort()
        directory = NSTemporaryDirectory() + "swiftsrs-test-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        configPath = directory + "/srs.conf"
        logPath = directory + "/srs.log"
        let config = wholeConfig ?? """
            daemon off;
            srs_log_tank console;
            srs_log_level trace;
            listen \(self.port);
            pid \(directory)/srs.pid;
            pithy_print_ms 1000;
            \(head)
            \(body)

            """
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        process = Process()
        if let tool = launcher.first {
            process.executableURL = URL(fileURLWithPath: try ExternalTool.require(tool))
            process.arguments = Array(launcher.dropFirst()) + [Self.binaryPath, "-c", configPath]
        } else {
            process.executableURL = URL(fileURLWithPath: Self.binaryPath)
            process.arguments = ["-c", configPath]
        }
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        TestProcesses.shared.track(process)
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if !process.isRunning { throw TestFailure("srs exited at start: \(log)") }
            if Self.canConnect(port: self.port) { return }
            usleep(50_000)
        }
        throw TestFailure("srs did not accept on port \(self.port) within 15 s: \(log)")
    }

    var isRunning: Bool { process.isRunning }
    var pid: Int32 { process.processIdentifier }
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits until the log holds `text` (the server writes its log on a lane of its own, a
    /// moment after the event).
    func waitForLog(_ text: String, timeout: Double = 5) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !log.contains(text) {
            if Date() > deadline { return false }
            usleep(50_000)
        }
        return true
    }
    func url(_ path: String) -> String { "rtmp://127.0.0.1:\(port)/\(path)" }

    static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// Stops the server with SIGTERM (SIGKILL after 10 s); returns its exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            if !ExternalTool.wait(process, timeout: 10) {
                kill(process.processIdentifier, SIGKILL)
                _ = ExternalTool.wait(process, timeout: 5)
            }
        }
        checkSanitizerReports()
        return process.terminationStatus
    }

    /// Fails the running test when a sanitizer build of srs reported anything.
    func checkSanitizerReports() {
        let text = log
        if let range = text.range(of: "WARNING: ThreadSanitizer") ?? text.range(of: "ERROR: AddressSanitizer") {
            XCTFail("sanitizer report in the srs log:\n\(text[range.lowerBound...].prefix(4000))")
        }
    }

    deinit {
        if process.isRunning { stop() } else { checkSanitizerReports() }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
