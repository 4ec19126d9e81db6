import Dispatch

/// Where blocking work goes (disk, DNS, process spawning, HTTP callbacks), so no loop ever
/// blocks: a concurrent queue that runs at most `width` jobs at once; completions hop back
/// to the caller's loop.
public final class BlockingPool: Sendable {
    private let queue = DispatchQueue(label: "srs.blocking", attributes: .concurrent)
    private let slots: DispatchSemaphore

    public init(width: Int = IOTuning.blockingPoolWidth) {
        slots = DispatchSemaphore(value: width)
    }

    /// A serial lane on the pool: jobs given to it run one after another, in order (the files
    /// of one HLS stream, for example), never on a loop.
    public func makeLane(label: String) -> BlockingLane {
        BlockingLane(queue: DispatchQueue(label: label, target: queue))
    }

    /// A serial lane of its own, outside any pool (the log writer, the reload of the config).
    public static func standaloneLane(label: String) -> BlockingLane {
        BlockingLane(queue: DispatchQueue(label: label))
    }

    /// Runs `work` on the pool; nobody waits for it.
    public func async(_ work: @escaping @Sendable () -> Void) {
        queue.async { [slots] in
            slots.wait()
            work()
            slots.signal()
        }
    }

    /// Runs `work` on the pool, then `completion` with its result on `loop`.
    public func run<T: Sendable>(
        _ work: @escaping @Sendable () -> T, on loop: EventLoop, completion: @escaping @Sendable (T) -> Void
    ) {
        queue.async { [slots] in
            slots.wait()
            let result = work()
            slots.signal()
            loop.queue.async { completion(result) }
        }
    }
}

/// Ordered blocking work (see `BlockingPool.makeLane`).
public final class BlockingLane: Sendable {
    private let queue: DispatchQueue

    init(queue: DispatchQueue) { self.queue = queue }

    public func async(_ work: @escaping @Sendable () -> Void) { queue.async(execute: work) }

    /// Runs `work` on the lane and waits for it (never call it on a loop).
    public func sync<T>(_ work: () throws -> T) rethrows -> T { try queue.sync(execute: work) }

    /// Waits until every job queued so far has run (graceful quit; never call it on a loop).
    public func drain() { queue.sync {} }

    /// Waits at most `timeoutMs` for every job queued so far; false when they had not all run
    /// (a write blocked on a dead disk or a FIFO nobody reads).
    public func drain(timeoutMs: Int) -> Bool {
        let done = DispatchSemaphore(value: 0)
        queue.async { done.signal() }
        return done.wait(timeout: .now() + .milliseconds(max(0, timeoutMs))) == .success
    }
}
