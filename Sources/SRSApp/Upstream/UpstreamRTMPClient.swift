import SRSConfig
import SRSIO
import SRSRTMP

/// One RTMP client connection to an upstream server (an origin, a forward destination), shared
/// by the edge pull, forward and edge push, and token checks: it opens the TCP connection
/// without blocking the loop (names resolved on the blocking pool), runs the client session,
/// sends what the session has to say, hands the session's events to its owner and reports the
/// end once. `close` ends it without a report. Confined to its loop.
final class UpstreamRTMPClient: TransportDelegate, @unchecked Sendable {
    /// How the connection ended.
    enum End: CustomStringConvertible {
        /// No TCP connection could be opened (refused, unreachable, name not resolved).
        case connectFailed(String)
        /// The upstream closed, a read or write failed.
        case closed(CloseReason)
        /// The upstream sent bytes the session could not parse.
        case protocolError(String)

        var description: String {
            switch self {
            case .connectFailed(let why): return why
            case .closed(let reason): return "connection \(reason)"
            case .protocolError(let why): return "protocol error: \(why)"
            }
        }
    }

    let address: UpstreamAddress
    let session: RTMPClientSession
    let loop: EventLoop
    private let connector: any TransportConnector
    private(set) var tcp: (any Transport)?
    private var onEvents: (([RTMPClientSession.Event]) -> Void)?
    private var onEnd: ((End) -> Void)?
    private var onDrain: (() -> Void)?
    private var ended = false

    /// `onEvents` gets each read's session events; `onEnd` runs once when the connection ends
    /// (not after `close`); `onDrain` when queued bytes were written after a wait.
    init(address: UpstreamAddress, session: RTMPClientSession, loop: EventLoop, connector: any TransportConnector,
         onEvents: @escaping ([RTMPClientSession.Event]) -> Void, onEnd: @escaping (End) -> Void, onDrain: (() -> Void)? = nil) {
        self.address = address
        self.session = session
        self.loop = loop
        self.connector = connector
        self.onEvents = onEvents
        self.onEnd = onEnd
        self.onDrain = onDrain
    }

    /// Connects and starts the session. Call on the loop; the owner hears back later.
    func start() {
        connector.open(host: address.host, port: address.port, loop: loop) { [self] result in
            guard !ended else { return }
            switch result {
            case .success(let connection):
                tcp = connection
                connection.start(delegate: self)
                connection.send(session.start())
            case .failure(let error):
                finish(.connectFailed("\(error)"))
            }
        }
    }

    /// Ends the connection without a report to the owner. Call on the loop.
    func close(_ reason: String) {
        guard !ended else { return }
        ended = true
        release()
        tcp?.close(.local(reason))
        tcp = nil
    }

    /// Sends what the session has queued (after the owner published through it).
    func flush() {
        if session.hasOutput, let tcp { tcp.send(session.takeOutput()) }
    }

    private func finish(_ end: End) {
        guard !ended else { return }
        ended = true
        let report = onEnd
        release()
        tcp?.close(.local("\(end)"))
        tcp = nil
        report?(end)
    }

    /// Breaks the owner's reference cycle.
    private func release() {
        onEvents = nil
        onEnd = nil
        onDrain = nil
    }

    // MARK: TransportDelegate

    func connection(_ connection: any Transport, didReceive bytes: UnsafeRawBufferPointer) {
        guard connection === tcp, !ended else { return }
        let events: [RTMPClientSession.Event]
        do {
            events = try session.receive(bytes)
        } catch {
            finish(.protocolError("\(error.wrapped("RTMP session with \(address)"))"))
            return
        }
        if !events.isEmpty { onEvents?(events) }
        flush()
    }

    func connectionDidDrain(_ connection: any Transport) {
        guard connection === tcp else { return }
        onDrain?()
    }

    func connection(_ connection: any Transport, didCloseWith reason: CloseReason) {
        guard connection === tcp else { return }
        tcp = nil
        finish(.closed(reason))
    }
}

/// Retry delays after failures: `minMs` doubling up to `maxMs`, back to `minMs` on `reset`.
struct RetryBackoff {
    let minMs: Int
    let maxMs: Int
    private var nextMs: Int

    init(minMs: Int, maxMs: Int) {
        self.minMs = minMs
        self.maxMs = maxMs
        nextMs = minMs
    }

    /// The delay before the next attempt; the one after doubles.
    mutating func failed() -> Int {
        let delay = nextMs
        nextMs = min(nextMs * 2, maxMs)
        return delay
    }

    mutating func reset() { nextMs = minMs }
}
