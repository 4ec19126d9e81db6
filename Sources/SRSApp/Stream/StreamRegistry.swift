import SRSKernel
import SRSConfig
import SRSIO
import SRSRTMP
import Synchronization

/// All live sources of the server, by "vhost/app/stream".
public final class StreamRegistry: Sendable {
    private let sources = LockedValue<[String: LiveSource]>([:])
    private let loops: [EventLoop]
    private let nextId = Atomic<Int>(1000)
    /// Players of streams nobody has ever published (kept by the sources as they change).
    let waitingPlayers = Atomic<Int>(0)
    /// The features every new stream gets from its vhost (the server's module list).
    private let modules: [StreamFeatureModule]
    /// Disconnects a client by id (set by the server).
    private let kicker = LockedValue<(@Sendable (Int) -> Void)?>(nil)

    func setKicker(_ kick: @escaping @Sendable (Int) -> Void) { kicker.withLock { $0 = kick } }
    func kick(_ clientId: Int) { kicker.withLock { $0 }?(clientId) }

    init(loops: [EventLoop], modules: [StreamFeatureModule]) {
        self.loops = loops
        self.modules = modules
    }

    /// The source for `request`, created on `loop` when missing. Call on `loop`.
    func fetchOrCreate(_ request: StreamRequest, vhost: VhostConfig, loop: EventLoop) -> LiveSource {
        let key = request.streamKey
        return sources.withLock { sources in
            if let source = sources[key] { return source }
            let source = LiveSource(
                id: nextId.add(1, ordering: .relaxed).oldValue, key: key, request: request, vhost: vhost, loop: loop, loops: loops,
                registry: self, modules: modules)
            sources[key] = source
            return source
        }
    }

    /// Forgets `source` if it is still the registered one for its key.
    func remove(_ source: LiveSource) {
        sources.withLock { sources in
            if let current = sources[source.key], current === source { sources[source.key] = nil }
        }
    }

    public var all: [LiveSource] { sources.withLock { Array($0.values) } }
    public var count: Int { sources.withLock { $0.count } }
}
