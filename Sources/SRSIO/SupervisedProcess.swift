import CSRSShim
import Dispatch
import Foundation
import SRSKernel

/// A child process kept running: started with `posix_spawn` (stdin from /dev/null, output
/// appended to a log file, no descriptor of the server inherited), watched twice a second
/// with `waitpid`, restarted with a doubling backoff when it exits, stopped with SIGTERM and
/// then SIGKILL after a grace period. Every child is reaped (no zombies). Its state is kept on
/// its own serial queue; `onEvent` runs there.
public final class SupervisedProcess: @unchecked Sendable {
    /// What happened to the child, for logs.
    public enum Event: Sendable {
        case started(pid: Int32)
        case exited(pid: Int32, status: String, restartInMs: Int)
        case failedToStart(reason: String, retryInMs: Int)
        case stopped
    }

    /// The child as the API shows it.
    public struct Status: Sendable {
        public var pid: Int32?
        public var running: Bool
        public var restarts: Int
        public var lastExit: String?
    }

    public let argv: [String]
    public let logPath: String
    private let queue: DispatchQueue
    private let onEvent: @Sendable (Event) -> Void
    private let minRestartMs: Int
    private let maxRestartMs: Int
    // On `queue`.
    private var pid: Int32? { didSet { publish() } }
    private var restartMs: Int
    private var restarts = 0 { didSet { publish() } }
    private var lastExit: String? { didSet { publish() } }
    /// What `status` answers from any thread without waiting for the queue.
    private let snapshot = LockedValue(Status(pid: nil, running: false, restarts: 0, lastExit: nil))
    private var stopping = false
    private var watch: DispatchSourceTimer?
    private var startedAt: UInt64 = 0

    /// `argv[0]` is the program (looked up in PATH without a '/').
    public init(label: String, argv: [String], logPath: String, minRestartMs: Int = IOTuning.processRestartMinMs,
                maxRestartMs: Int = IOTuning.processRestartMaxMs, onEvent: @escaping @Sendable (Event) -> Void) {
        self.argv = argv
        self.logPath = logPath
        self.minRestartMs = minRestartMs
        self.maxRestartMs = maxRestartMs
        restartMs = minRestartMs
        self.onEvent = onEvent
        queue = DispatchQueue(label: "srs.process.\(label)")
    }

    /// Starts the child and keeps it running until `stop`.
    public func start() {
        queue.async { [self] in
            guard !stopping, watch == nil else { return }  // stopped before it started
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.schedule(deadline: .now() + .milliseconds(IOTuning.processWatchMs), repeating: .milliseconds(IOTuning.processWatchMs))
            timer.setEventHandler { [unowned self] in check() }
            timer.resume()
            watch = timer
            spawn()
        }
    }

    /// Stops for good: SIGTERM, SIGKILL after `graceMs`, reaped; then `completion` runs (on
    /// the process's queue).
    public func stop(graceMs: Int = IOTuning.processStopGraceMs, completion: (@Sendable () -> Void)? = nil) {
        queue.async { [self] in
            stopping = true
            watch?.cancel()
            watch = nil
            guard let pid else {
                onEvent(.stopped)
                completion?()
                return
            }
            kill(pid, SIGTERM)
            reap(pid, killAt: DispatchTime.now() + .milliseconds(graceMs), completion: completion)
        }
    }

    /// Waits for a stopped child (SIGKILL once `killAt` passed), then reports. On the queue.
    private func reap(_ child: Int32, killAt: DispatchTime, completion: (@Sendable () -> Void)?) {
        var status: Int32 = 0
        if waitpid(child, &status, WNOHANG) == child || errno == ECHILD {
            pid = nil
            onEvent(.stopped)
            completion?()
            return
        }
        if DispatchTime.now() >= killAt { kill(child, SIGKILL) }
        queue.asyncAfter(deadline: .now() + .milliseconds(20)) { [self] in reap(child, killAt: killAt, completion: completion) }
    }

    /// Stops and waits (a graceful quit; never on a loop).
    public func stopAndWait(graceMs: Int = IOTuning.processStopGraceMs) {
        let done = DispatchSemaphore(value: 0)
        stop(graceMs: graceMs) { done.signal() }
        done.wait()
    }

    /// The child now (readable from any thread, a loop included: it never waits).
    public var status: Status { snapshot.withLock { $0 } }

    private func publish() {
        let now = Status(pid: pid, running: pid != nil, restarts: restarts, lastExit: lastExit)
        snapshot.withLock { $0 = now }
    }

    // MARK: On the queue

    private func spawn() {
        guard !stopping, pid == nil else { return }
        var child: pid_t = 0
        let error = withCStrings(argv) { pointers in srs_spawn(argv[0], pointers, logPath, &child) }
        if error != 0 {
            let reason = "cannot start \(argv[0]): \(String(cString: strerror(error)))"
            lastExit = reason
            scheduleRestart { onEvent(.failedToStart(reason: reason, retryInMs: $0)) }
            return
        }
        pid = child
        startedAt = DispatchTime.now().uptimeNanoseconds
        onEvent(.started(pid: child))
    }

    private func check() {
        guard let pid, !stopping else { return }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid || (result < 0 && errno == ECHILD) else { return }
        self.pid = nil
        let exit = Self.describe(status)
        lastExit = exit
        // A child that ran a while was fine: the backoff starts over.
        let stable = UInt64(max(maxRestartMs, IOTuning.processStableRunMs)) * 1_000_000
        if DispatchTime.now().uptimeNanoseconds - startedAt > stable { restartMs = minRestartMs }
        scheduleRestart { onEvent(.exited(pid: pid, status: exit, restartInMs: $0)) }
    }

    private func scheduleRestart(_ announce: (Int) -> Void) {
        let delay = restartMs
        restartMs = min(restartMs * 2, maxRestartMs)
        restarts += 1
        announce(delay)
        queue.asyncAfter(deadline: .now() + .milliseconds(delay)) { [self] in spawn() }
    }

    private static func describe(_ status: Int32) -> String {
        let signal = status & 0x7F
        return signal == 0 ? "exit code \((status >> 8) & 0xFF)" : "killed by signal \(signal)"
    }

    private func withCStrings<T>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> T) -> T {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { for pointer in pointers { free(pointer) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

