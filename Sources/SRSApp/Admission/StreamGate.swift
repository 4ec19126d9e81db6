import SRSConfig
import SRSIO
import SRSRTMP

/// How admitted clients of every protocol join and leave streams: the source is found or
/// made on the client's loop, the API record filled the same way, one log line per start and
/// stop, an edge's pull started for a player, on_stop called for a player that leaves.
final class StreamGate: Sendable {
    private let streams: StreamRegistry
    private let clients: ClientRegistry
    private let edge: EdgeCluster
    private let hooks: HookCaller
    private let newContextId: @Sendable () -> Int

    init(streams: StreamRegistry, clients: ClientRegistry, edge: EdgeCluster, hooks: HookCaller, newContextId: @escaping @Sendable () -> Int) {
        self.streams = streams
        self.clients = clients
        self.edge = edge
        self.hooks = hooks
        self.newContextId = newContextId
    }

    /// Who joins: the client and what it asked for (vhost resolved by admission).
    struct Member: Sendable {
        var clientId: Int
        var ip: String
        var request: StreamRequest
        var vhost: VhostConfig
        var kind: ClientRecord.Kind
        /// The URL the API shows (the RTMP stream URL, or the HTTP path).
        var url: String
    }

    enum JoinResult {
        case joined(LiveSource)
        /// `requirePublisher` was asked and nobody publishes (HTTP with `hstrs off`: 404).
        case notPublished
        /// The source kept being retired under us (a client would see a busy server).
        case contention
        /// Too many players wait for streams nobody has published (`max_waiting_players`,
        /// `max_waiting_players_per_stream`); the reason is logged.
        case tooManyWaiting(String)
    }

    /// Attaches a player to its stream, on `loop`. The caller then answers its client, starts
    /// its `PlayerOutput` and calls `playing`.
    ///
    /// Players of a name nobody has published are bounded, per name and in total (checked at
    /// join; concurrent joins may pass the total by a few): a client cannot make the server
    /// hold players for any name it makes up.
    func join(player member: Member, loop: EventLoop, requirePublisher: Bool = false, limits: ServerConfig) -> JoinResult {
        for _ in 0..<3 {
            let source = streams.fetchOrCreate(member.request, vhost: member.vhost, loop: loop)
            if requirePublisher && source.publisherId == nil {
                source.retireIfUnused()
                return .notPublished
            }
            if !member.vhost.edge.isEdge && source.awaitsFirstPublish {
                let total = streams.waitingPlayers.load(ordering: .relaxed)
                if total >= limits.maxWaitingPlayers {
                    return refuseWaiting(member, source, "\(total) players already wait for streams nobody published (max_waiting_players)")
                }
            }
            let limit = member.vhost.edge.isEdge ? Int.max : limits.maxWaitingPlayersPerStream
            switch source.attachPlayer(maxWaiting: limit) {
            case .retired:
                continue
            case .tooManyWaiting:
                return refuseWaiting(member, source, "\(limit) players already wait for it (max_waiting_players_per_stream)")
            case .attached(let waiting):
                record(member)
                if waiting {
                    log.warn(member.clientId, "play \(source.key): nobody has published this stream; the player waits until a publisher sends "
                             + "rtmp://<this server>/\(member.request.app)/\(member.request.stream)"
                             + (member.vhost.name == VhostConfig.defaultVhostName ? "" : "?vhost=\(member.vhost.name)"))
                }
                return .joined(source)
            }
        }
        return .contention
    }

    private func refuseWaiting(_ member: Member, _ source: LiveSource, _ reason: String) -> JoinResult {
        source.retireIfUnused()
        let message = "play \(source.key) refused: nobody has published it and \(reason)"
        log.warn(member.clientId, message)
        return .tooManyWaiting(message)
    }

    /// The player's output runs: logs it and, on an edge, starts pulling from the origin.
    func playing(_ source: LiveSource, member: Member, detail: String) {
        log.trace(member.clientId, "play \(source.key) \(detail) from \(member.ip)")
        if member.vhost.edge.isEdge { edge.ensurePull(source, request: member.request, vhost: member.vhost, makeId: newContextId) }
    }

    /// The player left (its connection closed): leaves the stream's fan-out, logs, on_stop.
    /// `vhost` is the one in force now (a reload may have changed its hooks).
    func left(_ output: PlayerOutput, member: Member, vhost: VhostConfig, loop: EventLoop) {
        output.stop()
        log.trace(member.clientId, "stop playing \(output.source.key), sent \(output.messagesSent) messages")
        guard !vhost.hooks.urls(for: .onStop).isEmpty else { return }
        hooks.notify(.onStop, hooks: vhost.hooks, body: HookBody.streamEnded(clientId: member.clientId, ip: member.ip, member.request),
                     contextId: member.clientId, loop: loop)
    }

    enum PublishResult {
        case claimed(LiveSource)
        /// Another client publishes the stream.
        case busy(key: String, publisher: Int)
        case contention
    }

    /// Claims the stream for a publisher, on `loop` (a new stream is made there).
    func publish(_ member: Member, loop: EventLoop) -> PublishResult {
        let publisher = StreamPublisher(origin: .client, clientId: member.clientId, ip: member.ip, request: member.request)
        for _ in 0..<3 {
            let source = streams.fetchOrCreate(member.request, vhost: member.vhost, loop: loop)
            switch source.tryPublish(publisher) {
            case .claimed:
                record(member)
                return .claimed(source)
            case .busy(let other):
                log.error(member.clientId, "stream \(source.key) is already published by client \(other); rejecting")
                return .busy(key: source.key, publisher: other)
            case .retired:
                continue
            }
        }
        return .contention
    }

    /// The publisher stopped (unpublish or close).
    func unpublished(_ source: LiveSource, clientId: Int) {
        source.endPublish(clientId: clientId)
        log.trace(clientId, "unpublish stream \(source.key)")
    }

    private func record(_ member: Member) {
        clients.update(member.clientId) { record in
            record.kind = member.kind
            record.vhost = member.request.vhost
            record.app = member.request.app
            record.stream = member.request.stream
            record.url = member.url
            record.tcUrl = member.request.tcUrl
            record.pageUrl = member.request.pageUrl
        }
    }
}
