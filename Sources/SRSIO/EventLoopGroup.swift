import Dispatch
import Glibc
import Synchronization

/// The server's loops: one per CPU by default. Connections are spread round-robin.
public final class EventLoopGroup: Sendable {
    public let loops: [EventLoop]
    private let nextIndex = Atomic<Int>(0)

    /// Creates `count` loops (default: the number of online CPUs), each with a timer ticking
    /// every `tickMs`. With `manualClock`, the loops' clocks and ticks move only when a test
    /// calls `EventLoop.advance` (their clocks start at 1,000,000 ms).
    public init(count: Int? = nil, tickMs: Int = IOTuning.loopTickMs, manualClock: Bool = false) {
        let cpus = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        let n = max(1, count ?? cpus)
        loops = (0..<n).map {
            EventLoop(index: $0, readBufferSize: IOTuning.readBufferSize, maxIovecs: IOTuning.maxIovecsPerWrite,
                      manualClock: manualClock ? ManualClock(start: 1_000_000, tickMs: tickMs) : nil)
        }
        for loop in loops { loop.startTimer(intervalMs: tickMs) }
    }

    /// The loop for the next connection.
    public func next() -> EventLoop {
        let index = nextIndex.add(1, ordering: .relaxed).oldValue
        return loops[index % loops.count]
    }
}
