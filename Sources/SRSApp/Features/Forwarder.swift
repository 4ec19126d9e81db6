import SRSConfig
import SRSIO
import SRSKernel
import SRSRTMP

/// Relays one published stream upstream: to a `forward` destination, or from an edge to its
/// origins. An RTMP publish client that reads the stream's ring as a player does. After a
/// failure it moves to the next destination of its list (an edge's next origin) and
/// reconnects with backoff (`AppTuning.forwardRetryMinMs` doubling to `forwardRetryMaxMs`);
/// each new connection starts from the GOP cache, so metadata and sequence headers are sent
/// again. Confined to its loop (the stream's when it started; `start` and `stop` hop there).
final class Forwarder: MediaFramer, @unchecked Sendable {
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
    private let connector: any TransportConnector
    private let contextId: Int
    private let jitter: JitterMode
    private var upstream: UpstreamRTMPClient?
    private var output: PlayerOutput?
    private var stopped = false
    private var backoff = RetryBackoff(minMs: AppTuning.forwardRetryMinMs, maxMs: AppTuning.forwardRetryMaxMs)
    private var connectedAt: Int64 = 0

    /// `upstreamVhost`: the vhost asked for upstream (`?vhost=`, left out for the default one).
    init(destinations: [UpstreamAddress], upstreamVhost: String, source: LiveSource, request: StreamRequest, vhost: VhostConfig,
         loop: EventLoop, connector: any TransportConnector, contextId: Int) {
        precondition(!destinations.isEmpty)
        self.destinations = destinations
        self.upstreamVhost = upstreamVhost
        self.request = request
        self.source = source
        self.loop = loop
        self.connector = connector
        self.contextId = contextId
        jitter = vhost.jitterMode
    }

    /// Starts relaying, on the relay's loop (its stream may have moved to another since).
    func start() {
        loop.execute { [self] in
            log.trace(contextId, "forward \(source.key) to \(url)")
            connect()
        }
    }

    /// Stops for good, on the relay's loop.
    func stop() {
        loop.execute { [self] in
            stopped = true
            stopOutput()
            upstream?.close("forward stopped")
            upstream = nil
        }
    }

    private func connect() {
        guard !stopped else { return }
        let session = RTMPClientSession(tcUrl: "rtmp://\(destination)/\(upstreamApp)", app: upstreamApp, streamName: request.stream, mode: .publish)
        let client = UpstreamRTMPClient(
            address: destination, session: session, loop: loop, connector: connector,
            onEvents: { [unowned self] events in received(events) },
            onEnd: { [unowned self] end in
                upstream = nil
                stopOutput()
                // A connection that published for a while starts the backoff over.
                if connectedAt > 0 && loop.now - connectedAt > AppTuning.forwardStableMs { backoff.reset() }
                retry("\(end)")
            },
            onDrain: { [unowned self] in output?.flush() })
        upstream = client
        connectedAt = 0
        client.start()
    }

    private func received(_ events: [RTMPClientSession.Event]) {
        for event in events {
            switch event {
            case .started:
                guard let upstream, let tcp = upstream.tcp, case .attached = source.attachPlayer() else {
                    self.upstream?.close("stream gone")
                    self.upstream = nil
                    retry("the stream is gone")
                    return
                }
                connectedAt = loop.now
                log.trace(contextId, "forward \(source.key) to \(destination) publishing")
                let output = PlayerOutput(source: source, tcp: tcp, contextId: contextId, framer: self, jitter: jitter)
                self.output = output
                output.start()
            case .status(let code, let level, let description):
                if level == "error" {
                    upstream?.close("destination refused")
                    upstream = nil
                    stopOutput()
                    retry("destination refused: \(code) \(description)")
                    return
                }
            case .connected, .media, .call:
                break
            }
        }
    }

    private func retry(_ why: String) {
        guard !stopped else { return }
        let delay = backoff.failed()
        let failed = destination
        index = (index + 1) % destinations.count
        log.warn(contextId, "forward \(source.key) to \(failed): \(why); retry \(destination) in \(delay) ms")
        loop.schedule(afterMilliseconds: delay) { [self] in connect() }
    }

    private func stopOutput() {
        output?.stop()
        output = nil
    }

    // MARK: MediaFramer

    /// The batch as RTMP messages of the publish session (chunked at its chunk size).
    func pieces(for batch: [SharedMessage], jitter: inout TimestampJitter) -> [OutboundPiece] {
        guard let session = upstream?.session else { return [] }
        for message in batch {
            let timestamp = jitter.correct(message.timestamp, kind: message.kind)
            session.publish(RTMPMessage(typeId: message.kind.rawValue, timestamp: timestamp, payload: Array(message.payload)))
        }
        return [ByteStore(session.takeOutput()).piece]
    }
}
