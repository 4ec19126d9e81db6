import XCTest

import SRSKernel
@testable import SRSIO

/// The loop's coarse timers: work scheduled for a tick runs at the first tick at or after its
/// time, in the order it was scheduled, and not before.
final class EventLoopTests: XCTestCase {
    func testWorkScheduledAtATickRunsAtTheFirstTickAfterItsTime() {
        let group = EventLoopGroup(count: 1, tickMs: 100, manualClock: true)
        let loop = group.loops[0]
        let ran = LockedValue<[String]>([])
        loop.sync {
            loop.scheduleAtTick(afterMilliseconds: 250) { ran.withLock { $0.append("250") } }
            loop.scheduleAtTick(afterMilliseconds: 0) { ran.withLock { $0.append("0") } }
            loop.scheduleAtTick(afterMilliseconds: 300) { ran.withLock { $0.append("300") } }
        }
        XCTAssertEqual(ran.withLock { $0 }, [], "nothing runs within the call")
        loop.advance(byMilliseconds: 100)
        XCTAssertEqual(ran.withLock { $0 }, ["0"])
        loop.advance(byMilliseconds: 100)
        XCTAssertEqual(ran.withLock { $0 }, ["0"], "250 ms are not over at the tick of 200 ms")
        loop.advance(byMilliseconds: 100)
        XCTAssertEqual(ran.withLock { $0 }, ["0", "250", "300"])
        loop.advance(byMilliseconds: 500)
        XCTAssertEqual(ran.withLock { $0 }, ["0", "250", "300"], "each runs once")
    }
}
