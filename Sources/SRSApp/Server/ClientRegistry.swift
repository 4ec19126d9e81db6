import SRSKernel
import SRSIO
import Synchronization

/// What the API shows of one client (RTMP or HTTP), and how to kick it.
struct ClientRecord: Sendable {
    enum Kind: String, Sendable {
        case play = "Play"
        case fmlePublish = "fmle-publish"
        case flashPublish = "flash-publish"
        case flvPlay = "flv-play"
        case httpPlay = "http-play"
        case idle = "Idle"
        case api = "http-api"
    }

    var id: Int
    var ip: String
    var kind: Kind = .idle
    var vhost = ""
    var app = ""
    var stream = ""
    var tcUrl = ""
    var pageUrl = ""
    var swfUrl = ""
    var url = ""
    /// When the client connected (its loop's clock).
    var connectedAt: Int64
    /// The connection's counters and kick, reachable from any thread.
    let connection: any Transport

    var isPublisher: Bool { kind == .fmlePublish || kind == .flashPublish }
}

/// Every connected client by id, for the API's `clients` and kicks, and for stream client counts.
final class ClientRegistry: Sendable {
    private let clients = LockedValue<[Int: ClientRecord]>([:])
    private let rates = LockedValue<[Int: ByteRateSampler]>([:])

    func add(_ record: ClientRecord) { clients.withLock { $0[record.id] = record } }

    func update(_ id: Int, _ change: (inout ClientRecord) -> Void) {
        clients.withLock { clients in
            if var record = clients[id] {
                change(&record)
                clients[id] = record
            }
        }
    }

    func remove(_ id: Int) {
        clients.withLock { $0[id] = nil }
        rates.withLock { $0[id] = nil }
    }

    func record(_ id: Int) -> ClientRecord? { clients.withLock { $0[id] } }

    /// All clients, oldest first.
    var all: [ClientRecord] { clients.withLock { Array($0.values) }.sorted { $0.id < $1.id } }

    var count: Int { clients.withLock { $0.count } }

    /// Samples every client's byte counters (called every few seconds).
    func sample(now: Int64) {
        let snapshot = all
        let live = Set(snapshot.map(\.id))
        rates.withLock { rates in
            for client in snapshot {
                rates[client.id, default: ByteRateSampler()].sample(
                    now: now, received: client.connection.bytesReceived, sent: client.connection.bytesSent)
            }
            // A client removed after the snapshot got an entry again: gone at the next sample.
            for id in rates.keys where !live.contains(id) { rates[id] = nil }
        }
    }

    func kbps(_ id: Int) -> (received: Int, sent: Int) { rates.withLock { $0[id]?.kbps ?? (0, 0) } }

    /// Disconnects a client from any thread; false when the id is unknown.
    func kick(_ id: Int) -> Bool {
        guard let record = record(id) else { return false }
        record.connection.closeAsync(.local("kicked by the HTTP API"))
        return true
    }
}
