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
    private var tickTimer: DispatchSourceTimer?

    init(index: Int, readBufferSize: Int, maxIovecs: Int) {
        self.index = index
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
        queue.asyncAfter(deadline: .now() + .milliseconds(max(0, milliseconds)), execute: work)
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

    func startTimer(intervalMs: Int) {
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .milliseconds(intervalMs), repeating: .milliseconds(intervalMs), leeway: .milliseconds(intervalMs / 4))
        timer.setEventHandler { [unowned self] in
            for handler in self.tickHandlers.values { handler() }
        }
        timer.activate()
        tickTimer = timer  // set once, before any connection exists; the handler never reads it
    }
}
