import Foundation
import XCTest

/// scripts/install.sh and the service files: install to a temporary prefix, run the server in
/// the background through the init.d script (start, status, reload, log rotation, stop),
/// check the systemd unit, uninstall.
final class InstallTests: XCTestCase {
    private var prefix = ""

    override func tearDown() {
        // The daemon is not a child of the test: stop it whatever happened.
        if let pid = try? String(contentsOfFile: prefix + "/objs/srs.pid", encoding: .utf8), let value = Int32(pid.trimmingCharacters(in: .whitespacesAndNewlines)) {
            kill(value, SIGKILL)
        }
        try? FileManager.default.removeItem(atPath: prefix)
        TestProcesses.shared.killAll()
        super.tearDown()
    }

    private func run(_ command: String, _ arguments: [String] = [], timeout: TimeInterval = 30) throws -> ExternalTool.Result {
        try ExternalTool.run(command, arguments, timeout: timeout)
    }

    func testInstallStartReloadRotateStopUninstall() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        prefix = NSTemporaryDirectory() + "swiftsrs-prefix-\(UUID().uuidString.prefix(8))"
        let binaries = (ServerProcess.binaryPath as NSString).deletingLastPathComponent
        // A folder holding something else is refused (uninstall would remove it all).
        let foreign = NSTemporaryDirectory() + "swiftsrs-foreign-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: foreign) }
        try "mine\n".write(toFile: foreign + "/notes.txt", atomically: true, encoding: .utf8)
        XCTAssertEqual(try run(repository + "/scripts/install.sh", ["--prefix", foreign, "--binaries", binaries]).status, 1)
        XCTAssertEqual(try run(repository + "/scripts/install.sh", ["--uninstall", "--prefix", foreign]).status, 1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: foreign + "/notes.txt"))
        let installed = try run(repository + "/scripts/install.sh", ["--prefix", prefix, "--binaries", binaries], timeout: 120)
        XCTAssertEqual(installed.status, 0, installed.output)
        for path in ["objs/srs", "objs/srs-bench", "objs/SwiftSRS_SRSApp.resources/Console/index.html", "conf/srs.conf", "conf/full.conf",
                     "etc/init.d/srs", "etc/systemd/srs.service", "etc/logrotate.d/srs", "objs/nginx/html"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: prefix + "/" + path), path)
        }
        // Free ports instead of SRS's.
        let rtmpPort = ServerProcess.freePort()
        let apiPort = ServerProcess.freePort()
        let httpPort = ServerProcess.freePort()
        var config = try String(contentsOfFile: prefix + "/conf/srs.conf", encoding: .utf8)
        XCTAssertTrue(config.contains("daemon              on;") && config.contains("srs_log_tank        file;"), config)
        for (from, to) in [("1935", rtmpPort), ("1985", apiPort), ("8080", httpPort)] {
            config = config.replacingOccurrences(of: "listen              \(from);", with: "listen \(to);")
                .replacingOccurrences(of: "listen          \(from);", with: "listen \(to);")
        }
        try config.write(toFile: prefix + "/conf/srs.conf", atomically: true, encoding: .utf8)
        let service = prefix + "/etc/init.d/srs"

        let started = try run(service, ["start"])
        XCTAssertEqual(started.status, 0, started.output)
        let pid = try XCTUnwrap(Int32(try String(contentsOfFile: prefix + "/objs/srs.pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertEqual(kill(pid, 0), 0, "the pid file holds the daemon's pid")
        XCTAssertTrue(started.output.contains("pid \(pid)"), started.output)
        XCTAssertTrue(ServerProcess.canConnect(port: rtmpPort))
        XCTAssertTrue(try run(service, ["start"]).output.contains("srs is running, pid \(pid)"), "a second start says it runs")
        XCTAssertEqual(try run(service, ["status"]).status, 0)
        XCTAssertTrue(try run("curl", ["-s", "-L", "http://127.0.0.1:\(httpPort)/"]).output.contains("SwiftSRS console"), "the console's pages came along")

        // Reload applies a changed config: a second RTMP port.
        let secondPort = ServerProcess.freePort()
        try config.replacingOccurrences(of: "listen \(rtmpPort);", with: "listen \(rtmpPort) \(secondPort);")
            .write(toFile: prefix + "/conf/srs.conf", atomically: true, encoding: .utf8)
        XCTAssertEqual(try run(service, ["reload"]).status, 0)
        var deadline = Date().addingTimeInterval(5)
        while Date() < deadline && !ServerProcess.canConnect(port: secondPort) { usleep(100_000) }
        XCTAssertTrue(ServerProcess.canConnect(port: secondPort), "the reload opened the new port")

        // logrotate: move the log, SIGUSR1, the next lines go to a new file.
        let log = prefix + "/objs/srs.log"
        try FileManager.default.moveItem(atPath: log, toPath: log + ".1")
        XCTAssertEqual(try run(service, ["rotate"]).status, 0)
        deadline = Date().addingTimeInterval(5)
        while Date() < deadline && !FileManager.default.fileExists(atPath: log) { usleep(100_000) }
        _ = ServerProcess.canConnect(port: rtmpPort)
        usleep(300_000)
        let fresh = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        XCTAssertTrue(fresh.contains("log reopened") && fresh.contains("RTMP client"), fresh)

        // Stop within its bound; nothing listens any more.
        let stopStarted = Date()
        let stopped = try run(service, ["stop"], timeout: 20)
        XCTAssertEqual(stopped.status, 0, stopped.output)
        XCTAssertTrue(stopped.output.contains("srs stopped"), stopped.output)
        XCTAssertLessThan(Date().timeIntervalSince(stopStarted), 10)
        XCTAssertNotEqual(kill(pid, 0), 0, "the daemon is gone")
        XCTAssertEqual(try run(service, ["status"]).status, 3)
        XCTAssertEqual(try run(service, ["reload"]).status, 7, "LSB: not running")

        // The systemd unit passes systemd's own check.
        let verified = try run("systemd-analyze", ["verify", prefix + "/etc/systemd/srs.service"])
        XCTAssertEqual(verified.status, 0, verified.output)

        let removed = try run(repository + "/scripts/install.sh", ["--uninstall", "--prefix", prefix])
        XCTAssertEqual(removed.status, 0, removed.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: prefix), "uninstall leaves nothing behind")
    }
}
