import CSRSShim
import Dispatch
import Glibc

/// Signal handling through Dispatch signal sources. Each signal is first set to SIG_IGN, so
/// one that arrives before the source is registered cannot kill the process (architecture.md,
/// rule 7).
public final class SignalWatcher: @unchecked Sendable {
    private let queue = DispatchQueue(label: "srs.signals")
    private var sources: [DispatchSourceSignal] = []

    public init() {}

    /// Ignores SIGPIPE for the whole process (`writev` has no MSG_NOSIGNAL).
    public static func ignoreBrokenPipe() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// Calls `handler` on a private queue each time `signalNumber` arrives.
    public func watch(_ signalNumber: Int32, handler: @escaping @Sendable () -> Void) {
        signal(signalNumber, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
        source.setEventHandler(handler: handler)
        source.activate()
        queue.sync { sources.append(source) }
    }
}

/// Process-wide resource settings.
public enum ProcessLimits {
    /// Raises the soft RLIMIT_NOFILE toward `wanted`; returns the limit in force.
    @discardableResult
    public static func raiseFileDescriptorLimit(to wanted: Int = IOTuning.wantedFileDescriptors) -> Int {
        Int(srs_raise_nofile_limit(wanted))
    }

    /// Gives free heap memory beyond `padBytes` back to the system (glibc keeps what clients
    /// freed in its arenas otherwise).
    public static func releaseFreeMemory(padBytes: Int) {
        _ = srs_release_free_memory(UInt(padBytes))
    }

    /// Closes every descriptor but stdin, stdout and stderr: a daemon holds nothing its parent
    /// left open (a service manager or a test harness would wait on it otherwise). Call before
    /// any other descriptor is opened.
    public static func closeInheritedDescriptors() {
        srs_close_from(3)
    }

    /// Open file descriptors of this process (entries of /proc/self/fd).
    public static func openFileDescriptorCount() -> Int {
        guard let directory = opendir("/proc/self/fd") else { return -1 }
        defer { closedir(directory) }
        var count = 0
        while readdir(directory) != nil { count += 1 }
        return max(0, count - 3)  // ".", ".." and the directory stream itself
    }
}
