import Synchronization

/// Context ids of the traceable log (SRS's cid): one per client, upstream and child process.
final class ContextIdGenerator: Sendable {
    private let next = Atomic<Int>(100)

    func make() -> Int { next.add(1, ordering: .relaxed).oldValue }
}
