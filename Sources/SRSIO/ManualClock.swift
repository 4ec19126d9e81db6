import SRSKernel

/// A loop clock that only moves when a test says so (`EventLoop.advance`): scheduled work and
/// the loop's tick run at the times the test reaches, on the loop, in time order. Real loops
/// use the monotonic clock and Dispatch timers instead.
final class ManualClock: Sendable {
    private struct State {
        var now: Int64
        var nextTick: Int64
        var tasks: [(due: Int64, order: Int, work: @Sendable () -> Void)] = []
        var order = 0
    }

    let tickMs: Int64
    /// A pthread lock (`LockedValue`), which ThreadSanitizer sees.
    private let state: LockedValue<State>

    init(start: Int64, tickMs: Int) {
        self.tickMs = Int64(tickMs)
        state = LockedValue(State(now: start, nextTick: start + Int64(tickMs)))
    }

    var now: Int64 { state.withLock { $0.now } }

    func add(due: Int64, _ work: @escaping @Sendable () -> Void) {
        state.withLock { state in
            state.order += 1
            state.tasks.append((due, state.order, work))
        }
    }

    /// The next thing due at or before `target`: its time, and the work (nil for a tick).
    /// Moves the clock there; with nothing due, moves it to `target` and returns nil.
    func next(upTo target: Int64) -> (time: Int64, work: (@Sendable () -> Void)?)? {
        state.withLock { state in
            let task = state.tasks.indices.min { (state.tasks[$0].due, state.tasks[$0].order) < (state.tasks[$1].due, state.tasks[$1].order) }
            if let task, state.tasks[task].due <= min(target, state.nextTick) {
                let entry = state.tasks.remove(at: task)
                state.now = max(state.now, entry.due)
                return (state.now, entry.work)
            }
            guard state.nextTick <= target else {
                state.now = max(state.now, target)
                return nil
            }
            state.now = state.nextTick
            state.nextTick += tickMs
            return (state.now, nil)
        }
    }
}
