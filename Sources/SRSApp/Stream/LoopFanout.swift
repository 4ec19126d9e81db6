import SRSIO
import SRSKernel
import Synchronization

/// Something on a loop that consumes a stream's ring and can be told to write what is new.
protocol FanoutMember: AnyObject {
    /// Position in its fan-out's member array, for O(1) removal.
    var fanoutIndex: Int { get set }
    /// Writes whatever the ring holds past the member's cursor, if its socket can take it.
    func flush()
}

/// The players of one stream on one loop, and the queue-cond wait that wakes them.
///
/// The publisher's loop calls `notify()` after each appended batch; at most one `async` per
/// loop is in flight (an atomic flag coalesces the rest). On the loop, members are flushed
/// only once `flushIntervalMs` (mw_latency; 0 with min_latency) has passed since the last
/// flush; the loop's tick catches what is left, so every player writes about once per
/// interval with one `writev` of everything queued.
final class LoopFanout: @unchecked Sendable {
    let loop: EventLoop
    let ring: MessageRing
    private let flushInterval: Atomic<Int64>
    /// mw_latency in effect (a reload may change it).
    var flushIntervalMs: Int64 {
        get { flushInterval.load(ordering: .relaxed) }
        set { flushInterval.store(max(0, newValue), ordering: .relaxed) }
    }
    private let notifyPending = Atomic<Bool>(false)
    private let memberCount = Atomic<Int>(0)

    // Loop-confined.
    private var members: [FanoutMember] = []
    private var lastFlushAt: Int64 = 0
    private var flushedHead = 0
    private var tickHandlerId: Int?

    init(loop: EventLoop, ring: MessageRing, flushIntervalMs: Int) {
        self.loop = loop
        self.ring = ring
        flushInterval = Atomic(Int64(max(0, flushIntervalMs)))
    }

    /// Called on any thread after the ring grew.
    func notify() {
        guard memberCount.load(ordering: .relaxed) > 0 else { return }
        guard !notifyPending.exchange(true, ordering: .acquiringAndReleasing) else { return }
        loop.post { [self] in
            notifyPending.store(false, ordering: .releasing)
            let now = loop.now
            if now - lastFlushAt >= flushIntervalMs { flushAll(now) }
        }
    }

    /// Adds a member. Call on the loop.
    func add(_ member: FanoutMember) {
        member.fanoutIndex = members.count
        members.append(member)
        memberCount.add(1, ordering: .relaxed)
        if tickHandlerId == nil {
            tickHandlerId = loop.addTickHandler { [weak self] in self?.tick() }
        }
    }

    /// Removes a member. Call on the loop.
    func remove(_ member: FanoutMember) {
        let index = member.fanoutIndex
        guard index >= 0, index < members.count, members[index] === member else { return }
        let last = members.removeLast()
        if index < members.count {
            members[index] = last
            last.fanoutIndex = index
        }
        member.fanoutIndex = -1
        memberCount.subtract(1, ordering: .relaxed)
        if members.isEmpty, let id = tickHandlerId {
            loop.removeTickHandler(id)
            tickHandlerId = nil
        }
    }

    private func tick() {
        let now = loop.now
        if now - lastFlushAt >= flushIntervalMs && ring.head != flushedHead { flushAll(now) }
    }

    private func flushAll(_ now: Int64) {
        lastFlushAt = now
        flushedHead = ring.head
        var index = 0
        while index < members.count {
            let member = members[index]
            member.flush()
            // flush may close the member and remove it (swap-remove): re-check this slot.
            if index < members.count && members[index] === member { index += 1 }
        }
    }
}
