import Foundation
import SRSKernel
import XCTest

@testable import SRSIO

/// Child processes: restarted with backoff when they exit, stopped with SIGTERM then SIGKILL,
/// always reaped.
final class SupervisedProcessTests: XCTestCase {
    private let log = NSTemporaryDirectory() + "swiftsrs-child-\(UUID().uuidString.prefix(8)).log"

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: log)
        super.tearDown()
    }

    func testAChildThatExitsIsRestartedWithBackoffAndItsOutputLogged() throws {
        let events = LockedValue<[String]>([])
        let process = SupervisedProcess(label: "test", argv: ["sh", "-c", "echo hello from $0; exit 3"], logPath: log,
                                        minRestartMs: 100, maxRestartMs: 400) { event in
            switch event {
            case .started: events.withLock { $0.append("started") }
            case .exited(_, let status, let delay): events.withLock { $0.append("\(status) \(delay)") }
            case .failedToStart(let reason, _): events.withLock { $0.append(reason) }
            case .stopped: events.withLock { $0.append("stopped") }
            }
        }
        process.start()
        let deadline = Date().addingTimeInterval(5)
        while events.withLock({ $0.filter { $0.hasPrefix("exit") }.count }) < 3 && Date() < deadline { usleep(50_000) }
        process.stopAndWait()
        let seen = events.withLock { $0 }
        XCTAssertEqual(Array(seen.prefix(6)), ["started", "exit code 3 100", "started", "exit code 3 200", "started", "exit code 3 400"])
        XCTAssertEqual(seen.last, "stopped")
        XCTAssertGreaterThanOrEqual(process.status.restarts, 3)
        XCTAssertTrue(try String(contentsOfFile: log, encoding: .utf8).contains("hello from sh"))
    }

    func testStopTerminatesThenKillsAChildThatIgnoresSIGTERM() throws {
        let process = SupervisedProcess(label: "stubborn", argv: ["sh", "-c", "trap '' TERM; while true; do sleep 1; done"], logPath: log) { _ in }
        process.start()
        let deadline = Date().addingTimeInterval(5)
        while process.status.pid == nil && Date() < deadline { usleep(20_000) }
        let pid = try XCTUnwrap(process.status.pid)
        usleep(200_000)  // the shell installed its trap
        let started = Date()
        process.stopAndWait(graceMs: 300)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.3, "SIGTERM was ignored: the grace period passed")
        XCTAssertEqual(kill(pid, 0), -1, "killed and reaped (no zombie: the pid is gone)")
        XCTAssertNil(process.status.pid)
    }

    /// A reload or quit may stop a process before its start ran: it never starts, and no
    /// watch outlives it.
    func testStopBeforeStartStartsNothing() {
        let started = LockedValue(0)
        var process: SupervisedProcess? = SupervisedProcess(label: "early", argv: ["sleep", "30"], logPath: log) { event in
            if case .started = event { started.withLock { $0 += 1 } }
        }
        process?.stopAndWait()
        process?.start()
        usleep(300_000)
        XCTAssertEqual(started.withLock { $0 }, 0)
        XCTAssertNil(process?.status.pid)
        process = nil
        usleep(1_200_000)  // a leftover watch would fire on a freed process here
    }

    func testAMissingProgramIsRetriedNotFatal() {
        let failures = LockedValue(0)
        let process = SupervisedProcess(label: "missing", argv: ["/nonexistent/ffmpeg"], logPath: log, minRestartMs: 50, maxRestartMs: 50) { event in
            if case .failedToStart = event { failures.withLock { $0 += 1 } }
        }
        process.start()
        let deadline = Date().addingTimeInterval(3)
        while failures.withLock({ $0 }) < 2 && Date() < deadline { usleep(20_000) }
        process.stopAndWait()
        XCTAssertGreaterThanOrEqual(failures.withLock { $0 }, 2)
        XCTAssertTrue(process.status.lastExit?.contains("No such file") == true, "\(String(describing: process.status.lastExit))")
    }
}
