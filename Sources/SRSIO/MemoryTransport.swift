import Synchronization

/// A transport whose peer is the test: `feed` delivers bytes as if the peer sent them,
/// `takeWritten` returns what the app sent, `peerClose` closes from the peer's side, and
/// `acceptsWrites` set to false makes it behave as a full socket (writes wait until it is set
/// back and drained). No sockets, no threads of its own: it runs on its loop like a
/// `TCPConnection`, and on a manual-clock loop its times are the test's.
public final class MemoryTransport: Transport, @unchecked Sendable {
    public let loop: EventLoop
    public let peerAddress: String
    public let peerPort: Int
    public var maxPendingBytesWhileReading: Int?
    public private(set) var lastSendProgressTime: Int64
    /// Why it closed, once closed.
    public private(set) var closeReason: CloseReason?

    private let received = Atomic<UInt64>(0)
    private let sent = Atomic<UInt64>(0)
    private var delegate: TransportDelegate?
    private var written: [UInt8] = []
    private var pending: [OutboundPiece] = []
    private var pendingKeepAlive: [AnyObject] = []
    private var inbox: [[UInt8]] = []
    private var readHeld = false
    private var readPaused = false
    private var started = false
    private var writable = true

    public init(loop: EventLoop, peerAddress: String = "127.0.0.1", peerPort: Int = 40000) {
        self.loop = loop
        self.peerAddress = peerAddress
        self.peerPort = peerPort
        lastSendProgressTime = loop.now
    }

    public var bytesReceived: UInt64 { received.load(ordering: .relaxed) }
    public var bytesSent: UInt64 { sent.load(ordering: .relaxed) }
    public var isClosed: Bool { closeReason != nil }
    public var isWritable: Bool { pending.isEmpty && !isClosed }

    public func start(delegate: TransportDelegate) {
        self.delegate = delegate
        started = true
        deliver()
    }

    @discardableResult
    public func send(pieces: [OutboundPiece], borrowing keepAlive: () -> AnyObject) -> Bool {
        let complete = send(pieces: pieces)
        if !complete && !isClosed { pendingKeepAlive.append(keepAlive()) }
        return complete
    }

    @discardableResult
    public func send(pieces: [OutboundPiece]) -> Bool {
        guard !isClosed else { return false }
        pending += pieces
        return writePending()
    }

    public func holdReading(_ hold: Bool) {
        readHeld = hold
        if !hold { deliver() }
    }

    public func pauseReading(milliseconds: Int) {
        readPaused = true
        loop.schedule(afterMilliseconds: milliseconds) { [self] in
            readPaused = false
            deliver()
        }
    }

    /// Socket options mean nothing in memory.
    public func setNoDelay(_ enabled: Bool) {}
    public func setSendBufferSize(_ bytes: Int) {}

    public func close(_ reason: CloseReason) {
        guard !isClosed else { return }
        closeReason = reason
        pending.removeAll()
        pendingKeepAlive.removeAll()
        let delegate = self.delegate
        self.delegate = nil
        delegate?.connection(self, didCloseWith: reason)
    }

    public func closeAsync(_ reason: CloseReason) {
        loop.post { [self] in close(reason) }
    }

    // MARK: The test's side (call on the loop, or through `loop.sync`)

    /// Bytes from the peer; delivered now unless reading is held or paused.
    public func feed(_ bytes: [UInt8]) {
        guard !isClosed, !bytes.isEmpty else { return }
        inbox.append(bytes)
        deliver()
    }

    /// What the app wrote since the last call.
    public func takeWritten() -> [UInt8] {
        defer { written.removeAll() }
        return written
    }

    /// Whether writes go through (false: the peer reads nothing, as a full socket).
    public var acceptsWrites: Bool {
        get { writable }
        set {
            writable = newValue
            if newValue && !pending.isEmpty && writePending() { delegate?.connectionDidDrain(self) }
        }
    }

    /// Called on the loop (later, never inside `send`) after the app wrote: a scripted peer
    /// (a fake callback server, a fake origin) answers from here.
    public var onWrite: (@Sendable (MemoryTransport) -> Void)?
    private var writeNoticePending = false

    /// The peer closed its side.
    public func peerClose() { close(.peerClosed) }

    private func writePending() -> Bool {
        guard writable else { return false }
        for piece in pending {
            written.append(contentsOf: UnsafeRawBufferPointer(start: piece.base, count: piece.count))
            sent.add(UInt64(piece.count), ordering: .relaxed)
        }
        pending.removeAll()
        pendingKeepAlive.removeAll()
        lastSendProgressTime = loop.now
        if onWrite != nil && !writeNoticePending {
            writeNoticePending = true
            loop.post { [self] in
                writeNoticePending = false
                if !written.isEmpty { onWrite?(self) }
            }
        }
        return true
    }

    private func deliver() {
        while started, !readHeld, !readPaused, !isClosed, !inbox.isEmpty {
            if let limit = maxPendingBytesWhileReading, pending.reduce(0, { $0 + $1.count }) > limit { return }
            let bytes = inbox.removeFirst()
            received.add(UInt64(bytes.count), ordering: .relaxed)
            bytes.withUnsafeBytes { delegate?.connection(self, didReceive: $0) }
        }
    }
}
