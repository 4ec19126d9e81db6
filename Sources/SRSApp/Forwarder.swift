import Dispatch
import SRSConfig
import SRSIO
import SRSKernel
import SRSRTMP

/// Relays one published stream upstream: to a `forward` destination, or from an edge to its
/// origins. An RTMP publish client that reads the stream's ring as a player does. After a
/// failure it moves to the next destination of its list (an edge's next origin) and
/// reconnects with backoff (`AppTuning.forwardRetryMinMs` doubling to `forwardRetryMaxMs`);
/// each new connection starts from the GOP cache, so metadata and sequence headers are sent
/// again. Confined to its loop (the publisher's).
final class Forwarder: TCPConnectionDelegate, MediaFramer, @unchecked Sendable {
    let destinations: [UpstreamAddress]
    private var index = 0
    private var destination: UpstreamAddress { destinations[index] }
    private let source: LiveSource
    private let request: StreamRequest
    private let upstreamVhost: String
    /// The upstream app with `?vhost=` unless it is the default vhost.
    private var upstreamApp: String {
        upstreamVhost == VhostConfig.defaultVhostName ? request.app : "\(request.app)?vhost=\(upstreamVhost)"
    }
    private var url: String { "rtmp://\(destination)/\(upstreamApp)/\(request.stream)" }
    private let loop: EventLoop
    private let pool: BlockingPool
    private let contextId: Int
    private let jitter: JitterMode
    private var tcp: TCPConnection?
    private var session: RTMPClientSession?
    private var output: PlayerOutput?
    private var stopped = false
    private var retryDelayMs = AppTuning.forwardRetryMinMs
    private var connectedAt: Int64 = 0

    /// `upstreamVhost`: the vhost asked for upstream (`?vhost=`, left out for the default one).
    init(destinations: [UpstreamAddress], upstreamVhost: String, source: LiveSource, request: StreamRequest, vhost: VhostConfig,
         loop: EventLoop, pool: BlockingPool, contextId: Int) {
        precondition(!destinations.isEmpty)
        self.destinations = destinations
        self.upstreamVhost = upstreamVhost
        self.request = request
        self.source = source
        self.loop = loop
        self.pool = pool
        self.contextId = contextId
        jitter = vhost.atc ? .off : (JitterMode(rawValue: vhost.timeJitter.rawValue) ?? .full)
    }

    /// Starts relaying. Call on the loop.
    func start() {
        log.trace(contextId, "forward \(source.key) to \(url)")
        connect()
    }

    /// Stops for good. Call on the loop.
    func stop() {
        stopped = true
        teardown("forward stopped")
    }

    private func connect() {
        guard !stopped else { return }
        TCPConnection.open(host: destination.host, port: destination.port, loop: loop, pool: pool) { [self] result in
            guard !stopped else { return }
            switch result {
            case .success(let connection):
                let session = RTMPClientSession(tcUrl: "rtmp://\(destination)/\(upstreamApp)", app: upstreamApp, streamName: request.stream, mode: .publish)
                tcp = connection
                self.session = session
                connectedAt = MonotonicClock.milliseconds()
                connection.start(delegate: self)
                connection.send(session.start())
            case .failure(let error):
                retry("\(error)")
            }
        }
    }

    private func retry(_ why: String) {
        guard !stopped else { return }
        let delay = retryDelayMs
        retryDelayMs = min(retryDelayMs * 2, AppTuning.forwardRetryMaxMs)
        let failed = destination
        index = (index + 1) % destinations.count
        log.warn(contextId, "forward \(source.key) to \(failed): \(why); retry \(destination) in \(delay) ms")
        loop.queue.asyncAfter(deadline: .now() + .milliseconds(delay)) { [self] in connect() }
    }

    private func teardown(_ reason: String) {
        if let output {
            output.stop()
            self.output = nil
        }
        tcp?.close(.local(reason))
        tcp = nil
        session = nil
    }

    // MARK: TCPConnectionDelegate

    func connection(_ connection: TCPConnection, didReceive bytes: UnsafeRawBufferPointer) {
        guard connection === tcp, let session else { return }
        let events: [RTMPClientSession.Event]
        do {
            events = try session.receive(bytes)
        } catch {
            connection.close(.local("protocol error from the destination: \(error.context)"))
            return
        }
        for event in events {
            switch event {
            case .started:
                guard source.attachPlayer() else {
                    connection.close(.local("stream gone"))
                    return
                }
                log.trace(contextId, "forward \(source.key) to \(destination) publishing")
                let output = PlayerOutput(source: source, tcp: connection, contextId: contextId, framer: self, jitter: jitter)
                self.output = output
                output.start()
            case .status(let code, let level, let description):
                if level == "error" {
                    connection.close(.local("destination refused: \(code) \(description)"))
                    return
                }
            case .connected, .media:
                break
            }
        }
        if session.hasOutput { connection.send(session.takeOutput()) }
    }

    func connectionDidDrain(_ connection: TCPConnection) {
        output?.flush()
    }

    func connection(_ connection: TCPConnection, didCloseWith reason: CloseReason) {
        guard connection === tcp else { return }
        tcp = nil
        session = nil
        if let output {
            output.stop()
            self.output = nil
        }
        // A connection that published for a while starts the backoff over.
        if MonotonicClock.milliseconds() - connectedAt > AppTuning.forwardStableMs { retryDelayMs = AppTuning.forwardRetryMinMs }
        retry("connection \(reason)")
    }

    // MARK: MediaFramer

    /// The batch as RTMP messages of the publish session (chunked at its chunk size).
    func pieces(for batch: [SharedMessage], jitter: inout TimestampJitter) -> [OutboundPiece] {
        guard let session else { return [] }
        for message in batch {
            let timestamp = jitter.correct(message.timestamp, kind: message.kind)
            session.publish(RTMPMessage(typeId: message.kind.rawValue, timestamp: timestamp, payload: Array(message.payload)))
        }
        return [ByteStore(session.takeOutput()).piece]
    }
}
