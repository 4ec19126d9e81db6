/// A byte stream to one peer as the layers above SRSIO see it: a TCP socket in the server
/// (`TCPConnection`), memory in tests (`MemoryTransport`). Confined to its loop: every member
/// but `closeAsync` and the byte counters is used on `loop`.
public protocol Transport: AnyObject, Sendable {
    var loop: EventLoop { get }
    var peerAddress: String { get }
    var peerPort: Int { get }
    /// Bytes read so far; readable from any thread.
    var bytesReceived: UInt64 { get }
    /// Bytes written so far; readable from any thread.
    var bytesSent: UInt64 { get }
    /// When bytes were last written (the loop's clock, ms), for send timeouts.
    var lastSendProgressTime: Int64 { get }
    /// Whether nothing waits to be written.
    var isWritable: Bool { get }
    /// Reading stops while more than this many bytes wait to be written (nil: never).
    var maxPendingBytesWhileReading: Int? { get set }

    /// Starts reading; `delegate` is retained until the transport closes.
    func start(delegate: TransportDelegate)
    /// Queues pieces and writes what the peer takes; true when everything queued is written
    /// (no drain callback follows).
    @discardableResult func send(pieces: [OutboundPiece]) -> Bool
    /// As `send(pieces:)` for pieces that may borrow their bytes (owner nil) from objects the
    /// caller keeps alive during the call: when not all is written, `keepAlive` is called and
    /// what it returns is held until everything queued is written. No reference is taken per
    /// piece on the way (the messages of a player's batch are shared by every loop: their
    /// reference counts are contended cache lines).
    @discardableResult func send(pieces: [OutboundPiece], borrowing keepAlive: () -> AnyObject) -> Bool
    /// Stops (or resumes) reading until told otherwise.
    func holdReading(_ hold: Bool)
    /// Stops reading for `milliseconds` (merged read).
    func pauseReading(milliseconds: Int)
    func setNoDelay(_ enabled: Bool)
    func setSendBufferSize(_ bytes: Int)
    /// Closes and tells the delegate once.
    func close(_ reason: CloseReason)
    /// Closes from any thread.
    func closeAsync(_ reason: CloseReason)
}

extension Transport {
    /// Queues bytes and writes what the peer takes; true when all of it is written.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty else { return isWritable }
        return send(pieces: [ByteStore(bytes).piece])
    }
}

/// Receives a transport's events, always on its loop.
public protocol TransportDelegate: AnyObject {
    /// Bytes arrived. They are valid only during the call.
    func connection(_ connection: any Transport, didReceive bytes: UnsafeRawBufferPointer)
    /// Everything queued with `send` has been written after a write had to wait.
    func connectionDidDrain(_ connection: any Transport)
    /// The transport is closed; no other callback follows.
    func connection(_ connection: any Transport, didCloseWith reason: CloseReason)
}

/// Opens outbound transports: TCP in the server, memory in tests.
public protocol TransportConnector: Sendable {
    /// Opens a transport to `host:port` for `loop`. `completion` runs later on `loop`, never
    /// within this call, with the transport (to be started there; one not started when the
    /// completion returns is closed) or why none could be opened.
    func open(host: String, port: Int, loop: EventLoop, completion: @escaping @Sendable (Result<any Transport, ConnectError>) -> Void)
}

/// Outbound TCP connections; host names are resolved on `pool`.
public struct TCPConnector: TransportConnector {
    private let pool: BlockingPool

    public init(pool: BlockingPool) { self.pool = pool }

    public func open(host: String, port: Int, loop: EventLoop, completion: @escaping @Sendable (Result<any Transport, ConnectError>) -> Void) {
        TCPConnection.open(host: host, port: port, loop: loop, pool: pool) { result in
            completion(result.map { $0 })
        }
    }
}
