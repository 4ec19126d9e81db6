import Dispatch
import Glibc
import Synchronization

/// One serial Dispatch queue that runs the handlers of the connections pinned to it, and a
/// Swift `SerialExecutor`, so an actor can live on it and be entered synchronously from its
/// handlers (`assumeIsolated`). There are `ncpu` loops; all of them target the global
/// concurrent queue, so at most `ncpu` threads do the work (architecture.md, section 1).
public final class EventLoop: SerialExecutor, @unchecked Sendable {
    /// Position of the loop in its group.
    public let index: Int
    /// The loop's serial queue; connection queues target it. Only SRSIO touches Dispatch:
    /// the layers above reach the loop through `execute`, `post`, `schedule` and the tick.
    let queue: DispatchQueue
    private let queueKey = DispatchSpecificKey<Int>()

    /// A read buffer shared by every connection of the loop (handlers on one loop never overlap).
    public let readBuffer: UnsafeMutableRawBufferPointer
    /// iovec scratch for `writev`, shared the same way.
    let iovecs: UnsafeMutableBufferPointer<iovec>

    // Loop-confined state (touched only on `queue`).
    private var tickHandlers: [Int: () -> Void] = [:]
    private var nextTickHandlerId = 0
    /// Work waiting for a tick (`scheduleAtTick`), with the loop time it is due.
    private var tickWaiters: [(due: Int64, work: () -> Void)] = []
    /// The storage of the last tick's due list, reused by the next.
    private var dueScratch: [() -> Void] = []
    private var tickTimer: DispatchSourceTimer?
    /// Set on a loop whose clock a test drives.
    private let manualClock: ManualClock?

    init(index: Int, readBufferSize: Int, maxIovecs: Int, manualClock: ManualClock? = nil) {
        self.index = index
        self.manualClock = manualClock
        queue = DispatchQueue(label: "srs.loop.\(index)", target: .global())
        queue.setSpecific(key: queueKey, value: index)
        readBuffer = .allocate(byteCount: readBufferSize, alignment: 16)
        iovecs = .allocate(capacity: maxIovecs)
    }

    deinit {
        readBuffer.deallocate()
        iovecs.deallocate()
    }

    /// Whether the caller runs on this loop (directly or on a queue targeting it).
    public var inLoop: Bool { DispatchQueue.getSpecific(key: queueKey) == index }

    /// Runs `work` on the loop: at once when already on it, else asynchronously.
    public func execute(_ work: @escaping @Sendable () -> Void) {
        if inLoop { work() } else { queue.async(execute: work) }
    }

    /// Runs `work` on the loop later, never within this call (even from the loop itself): for
    /// completions that callers expect after they returned, and coalesced wake-ups.
    public func post(_ work: @escaping @Sendable () -> Void) {
        queue.async(execute: work)
    }

    /// Runs `work` once on the loop after `milliseconds` (one-shot; owners that may stop
    /// meanwhile check their own state when it fires).
    public func schedule(afterMilliseconds milliseconds: Int, _ work: @escaping @Sendable () -> Void) {
        if let manualClock {
            manualClock.add(due: manualClock.now + Int64(max(0, milliseconds)), work)
        } else {
            queue.asyncAfter(deadline: .now() + .milliseconds(max(0, milliseconds)), execute: work)
        }
    }

    /// The loop's clock in milliseconds: the monotonic clock, or the test's.
    public var now: Int64 { manualClock?.now ?? MonotonicClock.milliseconds() }

    /// Runs `work` on the loop and waits for it (tests, off the loop).
    public func sync<T>(_ work: () throws -> T) rethrows -> T {
        precondition(!inLoop, "sync on the loop itself would deadlock")
        return try queue.sync(execute: work)
    }

    /// Moves a test-driven clock forward: scheduled work and ticks run on the loop at their
    /// times, in order. Call off the loop, only on a loop made with `manualClock`.
    public func advance(byMilliseconds milliseconds: Int) {
        guard let manualClock else { preconditionFailure("advance needs a loop with a manual clock") }
        let target = manualClock.now + Int64(milliseconds)
        while let (_, work) = manualClock.next(upTo: target) {
            queue.sync {
                if let work {
                    work()
                } else {
                    tick()
                }
            }
        }
    }

    /// Asserts that the caller runs on the loop (a precondition, checked in every build).
    public func preconditionInLoop() {
        dispatchPrecondition(condition: .onQueue(queue))
    }

    // MARK: SerialExecutor

    public func enqueue(_ job: consuming ExecutorJob) {
        let unownedJob = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async { unownedJob.runSynchronously(on: executor) }
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    public func checkIsolated() {
        dispatchPrecondition(condition: .onQueue(queue))
    }

    // MARK: The loop's timer

    /// Registers `handler` to run on the loop at every tick of its single timer. Call on the loop.
    /// Returns an id for `removeTickHandler`.
    @discardableResult
    public func addTickHandler(_ handler: @escaping () -> Void) -> Int {
        dispatchPrecondition(condition: .onQueue(queue))
        nextTickHandlerId += 1
        tickHandlers[nextTickHandlerId] = handler
        return nextTickHandlerId
    }

    public func removeTickHandler(_ id: Int) {
        dispatchPrecondition(condition: .onQueue(queue))
        tickHandlers[id] = nil
    }

    /// Runs `work` on the loop at its first tick at least `milliseconds` from now, so up to one
    /// tick late. No Dispatch timer per call: for the frequent short waits of many clients
    /// (merged read), where one `asyncAfter` each made libdispatch's manager thread the
    /// busiest of the process (4,000 publishers, docs/performance.md). Call on the loop.
    public func scheduleAtTick(afterMilliseconds milliseconds: Int, _ work: @escaping () -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        tickWaiters.append((now + Int64(milliseconds), work))
    }

    private func tick() {
        if !tickWaiters.isEmpty {
            let now = self.now
            // The due list keeps its capacity from tick to tick: thousands of merged-read
            // sockets wake at each tick, and a fresh array of that size per tick cost 3% of
            // the server with 4,000 publishers (a large malloc consolidates glibc's free lists).
            var due = dueScratch
            dueScratch = []
            tickWaiters.removeAll { waiter in
                guard waiter.due <= now else { return false }
                due.append(waiter.work)
                return true
            }
            for work in due { work() }
            due.removeAll(keepingCapacity: due.capacity <= 65536)
            dueScratch = due
        }
        for handler in tickHandlers.values { handler() }
    }

    func startTimer(intervalMs: Int) {
        guard manualClock == nil else { return }
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .milliseconds(intervalMs), repeating: .milliseconds(intervalMs), leeway: .milliseconds(intervalMs / 4))
        timer.setEventHandler { [unowned self] in self.tick() }
        timer.activate()
        tickTimer = timer  // set once, before any connection exists; the handler never reads it
    }
}
