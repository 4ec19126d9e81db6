import CSRSShim
import Dispatch
import Glibc
import Synchronization

/// Why a connection closed.
public enum CloseReason: Sendable, CustomStringConvertible {
    case peerClosed
    case readError(Int32)
    case writeError(Int32)
    case local(String)

    public var description: String {
        switch self {
        case .peerClosed: return "closed by peer"
        case .readError(let code): return "read error: \(String(cString: strerror(code)))"
        case .writeError(let code): return "write error: \(String(cString: strerror(code)))"
        case .local(let reason): return reason
        }
    }
}

/// Bytes to write, kept alive by `owner` until written.
public struct OutboundPiece {
    public var base: UnsafeRawPointer
    public var count: Int
    public var owner: AnyObject?

    public init(base: UnsafeRawPointer, count: Int, owner: AnyObject?) {
        self.base = base
        self.count = count
        self.owner = owner
    }
}

/// A heap byte buffer with a stable address, to hand headers and replies to `writev`.
public final class ByteStore {
    public let pointer: UnsafeMutableRawPointer
    public let count: Int

    public init(_ bytes: [UInt8]) {
        count = bytes.count
        pointer = .allocate(byteCount: max(1, bytes.count), alignment: 8)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { pointer.copyMemory(from: base, byteCount: bytes.count) }
        }
    }

    /// `count` uninitialized bytes, for a caller that writes them in place through `pointer`.
    public init(uninitializedCount count: Int) {
        self.count = count
        pointer = .allocate(byteCount: max(1, count), alignment: 8)
    }

    deinit { pointer.deallocate() }

    public var piece: OutboundPiece { OutboundPiece(base: UnsafeRawPointer(pointer), count: count, owner: self) }
}

/// A non-blocking TCP socket served by Dispatch read/write sources on its own serial queue,
/// which targets its loop. Writes go out with `writev`; when the socket is full the rest is
/// kept and the write source is armed until it drains.
///
/// Lifecycle rules (architecture.md, section 2): sources are created and cancelled on the
/// connection's queue; the fd is closed in the cancel handler of the last source; the write
/// source is created inactive and armed only on EAGAIN, and suspends itself first in its handler.
///
/// All state is confined to the loop; methods other than `closeAsync` must be called on it.
public final class TCPConnection: Transport, @unchecked Sendable {
    public let fd: Int32
    public let loop: EventLoop
    /// The connection's own queue (targets the loop's queue).
    let queue: DispatchQueue
    public let peerAddress: String
    public let peerPort: Int

    private var delegate: TransportDelegate?

    private var readSource: DispatchSourceRead?
    private var writeSource: DispatchSourceWrite?
    private var writeSourceActivated = false
    private var writeSourceSuspended = false
    private var readSuspended = false
    private var readHeld = false
    private var liveSources = 0
    private var started = false

    private var pending: [OutboundPiece] = []
    private var pendingIndex = 0
    private var pendingOffset = 0
    private var pendingBytes = 0
    /// What keeps the bytes of borrowed pending pieces (owner nil) alive until all is written.
    private var pendingKeepAlive: [AnyObject] = []
    /// Reading stopped because too much waits to be written (`maxPendingBytesWhileReading`).
    private var readBackedUp = false

    /// Reading stops while more than this many bytes wait to be written, and resumes once they
    /// are (nil: never stops). A peer that does not read what it is sent cannot make the
    /// server read, and answer, more: its requests wait in its own socket. (A suspended read
    /// source does not silence the write source of the same fd: libdispatch re-arms the
    /// fd's one-shot epoll registration with the write interest after each read event.)
    public var maxPendingBytesWhileReading: Int?

    public private(set) var isClosed = false
    private let receivedCounter = Atomic<UInt64>(0)
    private let sentCounter = Atomic<UInt64>(0)
    /// Bytes read so far; readable from any thread.
    public var bytesReceived: UInt64 { receivedCounter.load(ordering: .relaxed) }
    /// Bytes written so far; readable from any thread.
    public var bytesSent: UInt64 { sentCounter.load(ordering: .relaxed) }
    /// When the last bytes were received or sent (monotonic ms), for timeouts.
    public private(set) var lastReceiveTime: Int64
    public private(set) var lastSendProgressTime: Int64

    public init(fd: Int32, loop: EventLoop, peerAddress: String, peerPort: Int) {
        self.fd = fd
        self.loop = loop
        self.peerAddress = peerAddress
        self.peerPort = peerPort
        queue = DispatchQueue(label: "srs.conn.\(fd)", target: loop.queue)
        lastReceiveTime = MonotonicClock.milliseconds()
        lastSendProgressTime = lastReceiveTime
    }

    /// Opens an outbound connection to a numeric `host` (or a name, resolved blocking: call off
    /// the loops then) and `port`. The connect completes in the background: bytes sent before
    /// it wait for the socket to become writable; a refused connect closes with an error.
    public static func connect(host: String, port: Int, loop: EventLoop) throws(ConnectError) -> TCPConnection {
        let fd = srs_connect_tcp(host, Int32(port))
        if fd < 0 { throw ConnectError(host: host, port: port, code: -fd) }
        return TCPConnection(fd: fd, loop: loop, peerAddress: host, peerPort: port)
    }

    /// Opens an outbound connection without blocking `loop`: a host name is resolved on `pool`
    /// first (a numeric address is not). `completion` runs later on `loop`, never within this
    /// call, with the connection, to be started there, or with why none could be opened. A
    /// connection it does not start (its owner stopped meanwhile) is closed when it returns,
    /// so no descriptor is left behind.
    public static func open(
        host: String, port: Int, loop: EventLoop, pool: BlockingPool,
        completion: @escaping @Sendable (Result<TCPConnection, ConnectError>) -> Void
    ) {
        let connectResolved: @Sendable (String?) -> Void = { address in
            guard let address else {
                completion(.failure(ConnectError(host: host, port: port, code: 0)))
                return
            }
            let connection: TCPConnection
            do throws(ConnectError) {
                connection = try TCPConnection.connect(host: address, port: port, loop: loop)
            } catch {
                completion(.failure(error))
                return
            }
            completion(.success(connection))
            if !connection.started { connection.close(.local("not wanted after connect")) }
        }
        if HostResolver.isNumeric(host) {
            loop.queue.async { connectResolved(host) }
        } else {
            pool.run({ HostResolver.resolve(host) }, on: loop, completion: connectResolved)
        }
    }

    /// Starts reading; `delegate` is retained until the connection closes. Call on the loop.
    public func start(delegate: TransportDelegate) {
        self.delegate = delegate
        started = true
        queue.async { self.createSources() }
    }

    private func createSources() {
        guard !isClosed else {
            Glibc.close(fd)
            return
        }
        let read = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        read.setEventHandler { [unowned self] in self.handleReadable() }
        read.setCancelHandler { [self] in self.sourceCancelled() }
        let write = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: queue)
        write.setEventHandler { [unowned self] in self.handleWritable() }
        write.setCancelHandler { [self] in self.sourceCancelled() }
        readSource = read
        writeSource = write
        liveSources = 2
        read.activate()
        // Bytes sent before the sources existed (an outbound connect still in progress
        // answers EAGAIN) go out when the socket becomes writable.
        if pendingIndex < pending.count { armWriteSource() }
    }

    // MARK: Reading

    private func handleReadable() {
        guard !isClosed else { return }
        let buffer = loop.readBuffer
        for _ in 0..<IOTuning.maxReadsPerEvent {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n > 0 {
                receivedCounter.add(UInt64(n), ordering: .relaxed)
                lastReceiveTime = MonotonicClock.milliseconds()
                delegate?.connection(self, didReceive: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                if let limit = maxPendingBytesWhileReading, pendingBytes > limit, !isClosed {
                    stopReadingUntilDrained()
                    return
                }
                if isClosed || readSuspended || n < buffer.count { return }
            } else if n == 0 {
                close(.peerClosed)
                return
            } else {
                let code = errno
                if code == EAGAIN || code == EWOULDBLOCK || code == EINTR { return }
                close(.readError(code))
                return
            }
        }
    }

    /// Stops reading until `holdReading(false)` (a client waiting for an HTTP callback's
    /// verdict sends nothing more to its session meanwhile). Call on the loop.
    public func holdReading(_ hold: Bool) {
        guard !isClosed, let source = readSource, hold != readHeld else { return }
        readHeld = hold
        if hold {
            if !readSuspended {
                readSuspended = true
                source.suspend()
            }
        } else {
            resumeReadingIfFree()
        }
    }

    private func stopReadingUntilDrained() {
        readBackedUp = true
        if !readSuspended, let source = readSource {
            readSuspended = true
            source.suspend()
        }
    }

    /// Resumes reading unless something still holds it.
    private func resumeReadingIfFree() {
        guard readSuspended, !readHeld, !readBackedUp, !isClosed, let source = readSource else { return }
        readSuspended = false
        source.resume()
    }

    /// Stops reading for at least `milliseconds`, until the loop's next tick after that
    /// (merged read: fewer, larger reads; the sockets paused together resume together).
    public func pauseReading(milliseconds: Int) {
        guard !isClosed, !readSuspended, let source = readSource else { return }
        readSuspended = true
        source.suspend()
        loop.scheduleAtTick(afterMilliseconds: milliseconds) { [self] in resumeReadingIfFree() }
    }

    // MARK: Writing

    /// Whether nothing is waiting to be written.
    public var isWritable: Bool { pendingIndex >= pending.count && !isClosed }

    /// Bytes queued but not yet written.
    public var pendingByteCount: Int { pendingBytes }

    /// As `send(pieces:)` for pieces that borrow their bytes (`Transport`): `keepAlive` is
    /// called only when something stays queued, and what it returns is held until all is written.
    @discardableResult
    public func send(pieces: [OutboundPiece], borrowing keepAlive: () -> AnyObject) -> Bool {
        let complete = send(pieces: pieces)
        if !complete && !isClosed { pendingKeepAlive.append(keepAlive()) }
        return complete
    }

    /// Queues pieces and writes as much as the socket takes. Returns true when everything
    /// queued is written (no drain callback will follow).
    @discardableResult
    public func send(pieces: [OutboundPiece]) -> Bool {
        guard !isClosed else { return false }
        if pendingIndex >= pending.count {
            pending = pieces
        } else {
            pending.append(contentsOf: pieces)
        }
        for piece in pieces { pendingBytes += piece.count }
        if writeSourceActivated && !writeSourceSuspended { return false }  // waiting for writable
        return flush()
    }

    /// Writes queued pieces until done or EAGAIN. Returns true when done.
    private func flush() -> Bool {
        let iovecs = loop.iovecs
        while pendingIndex < pending.count {
            var count = 0
            var total = 0
            var index = pendingIndex
            while index < pending.count && count < iovecs.count {
                let piece = pending[index]
                let skip = index == pendingIndex ? pendingOffset : 0
                iovecs[count] = iovec(iov_base: UnsafeMutableRawPointer(mutating: piece.base + skip), iov_len: piece.count - skip)
                total += piece.count - skip
                count += 1
                index += 1
            }
            let written = writev(fd, iovecs.baseAddress, Int32(count))
            if written < 0 {
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK {
                    armWriteSource()
                    return false
                }
                close(.writeError(code))
                return false
            }
            sentCounter.add(UInt64(written), ordering: .relaxed)
            if written > 0 { lastSendProgressTime = MonotonicClock.milliseconds() }
            advance(by: written)
            if written < total {
                armWriteSource()
                return false
            }
        }
        // Nothing kept: the array is usually the caller's (shared, not copied), and an idle
        // player holds no pieces.
        pending = []
        pendingKeepAlive = []
        pendingIndex = 0
        pendingOffset = 0
        if readBackedUp {
            readBackedUp = false
            resumeReadingIfFree()
        }
        return true
    }

    private func advance(by written: Int) {
        pendingBytes -= written
        var left = written
        while left > 0 && pendingIndex < pending.count {
            let available = pending[pendingIndex].count - pendingOffset
            if left >= available {
                left -= available
                // Borrowed pieces (no owner) are not written to: the array stays shared with
                // the caller's, not copied.
                if pending[pendingIndex].owner != nil { pending[pendingIndex].owner = nil }
                pendingIndex += 1
                pendingOffset = 0
            } else {
                pendingOffset += left
                left = 0
            }
        }
        // Skip empty pieces so the index always points at bytes to write.
        while pendingIndex < pending.count && pending[pendingIndex].count == 0 { pendingIndex += 1 }
    }

    private func armWriteSource() {
        guard let source = writeSource, !isClosed else { return }
        if !writeSourceActivated {
            writeSourceActivated = true
            source.activate()
        } else if writeSourceSuspended {
            writeSourceSuspended = false
            source.resume()
        }
    }

    private func handleWritable() {
        guard let source = writeSource, !isClosed else { return }
        if !writeSourceSuspended {
            writeSourceSuspended = true
            source.suspend()
        }
        if flush() { delegate?.connectionDidDrain(self) }
    }

    // MARK: Options

    public func setNoDelay(_ enabled: Bool) {
        _ = srs_set_int_option(fd, Int32(IPPROTO_TCP), TCP_NODELAY, enabled ? 1 : 0)
    }

    public func setSendBufferSize(_ bytes: Int) {
        _ = srs_set_int_option(fd, SOL_SOCKET, SO_SNDBUF, Int32(bytes))
    }

    // MARK: Closing

    /// Closes from any thread.
    public func closeAsync(_ reason: CloseReason) {
        queue.async { self.close(reason) }
    }

    /// Closes the connection: cancels its sources (the fd is closed when the last one is
    /// cancelled) and tells the delegate once. Call on the loop.
    public func close(_ reason: CloseReason) {
        guard !isClosed else { return }
        isClosed = true
        pending = []
        pendingKeepAlive = []
        pendingIndex = 0
        pendingOffset = 0
        pendingBytes = 0
        if started {
            queue.async { self.cancelSources() }  // rule 2: cancel on the connection's own queue
        } else {
            Glibc.close(fd)
        }
        let delegate = self.delegate
        self.delegate = nil
        delegate?.connection(self, didCloseWith: reason)
    }

    private func cancelSources() {
        guard let read = readSource, let write = writeSource else {
            // Sources were never created (closed before start ran): createSources closes the fd.
            return
        }
        read.cancel()
        if readSuspended {
            readSuspended = false
            read.resume()
        }
        write.cancel()
        if !writeSourceActivated {
            writeSourceActivated = true
            write.activate()
        } else if writeSourceSuspended {
            writeSourceSuspended = false
            write.resume()
        }
    }

    private func sourceCancelled() {
        liveSources -= 1
        if liveSources == 0 {
            Glibc.close(fd)
            readSource = nil
            writeSource = nil
        }
    }
}

/// An outbound connection that could not even start, naming the address.
public struct ConnectError: Error, CustomStringConvertible {
    public let host: String
    public let port: Int
    /// errno of the failed socket call; 0 when the host name did not resolve.
    public let code: Int32

    public init(host: String, port: Int, code: Int32) {
        self.host = host
        self.port = port
        self.code = code
    }

    public var description: String {
        code == 0 ? "cannot resolve \(host)" : "cannot connect to \(host):\(port): \(String(cString: strerror(code)))"
    }
}
