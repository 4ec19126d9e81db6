import Dispatch

/// A timer that runs a handler every `intervalMs` on its own serial queue, off the loops (for
/// process-wide samplers and watchers, not for connections: those use their loop's tick).
public final class RepeatingTimer: @unchecked Sendable {
    private let source: DispatchSourceTimer

    /// Starts at once; the first run is one interval from now.
    public init(label: String, intervalMs: Int, handler: @escaping @Sendable () -> Void) {
        source = DispatchSource.makeTimerSource(queue: DispatchQueue(label: label))
        let interval = max(1, intervalMs)
        source.schedule(deadline: .now() + .milliseconds(interval), repeating: .milliseconds(interval), leeway: .milliseconds(interval / 10))
        source.setEventHandler(handler: handler)
        source.activate()
    }

    /// Stops the timer for good (the handler may be running once more while this returns).
    public func cancel() { source.cancel() }

    deinit { source.cancel() }
}

/// The main thread's part in a Dispatch program.
public enum MainThread {
    /// Gives the main thread to Dispatch for good (the process ends with `exit`).
    public static func park() -> Never { dispatchMain() }
}
