import CSRSShim
import Dispatch
import Glibc

/// An error setting up a listening socket, naming the address.
public struct ListenError: Error, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let code: Int32

    public var description: String {
        let address = host.isEmpty ? "0.0.0.0:\(port)" : "\(host):\(port)"
        return "cannot listen on \(address): \(String(cString: strerror(code)))"
    }
}

/// A listening TCP socket. New connections are made non-blocking and handed to `onAccept`
/// with the loop they are pinned to. Running out of descriptors pauses accepting briefly
/// instead of spinning.
public final class TCPListener: @unchecked Sendable {
    public let host: String
    /// The port actually bound (useful when 0 was asked for).
    public let port: Int
    private let fd: Int32
    private let queue: DispatchQueue
    private let group: EventLoopGroup
    private var source: DispatchSourceRead?
    private var suspended = false
    private var closed = false
    private let onAccept: @Sendable (Int32, String, Int, EventLoop) -> Void
    private let onError: @Sendable (String) -> Void

    /// Binds and listens; throws `ListenError` when the address is in use or invalid.
    public init(
        host: String, port: Int, group: EventLoopGroup,
        onAccept: @escaping @Sendable (_ fd: Int32, _ peerAddress: String, _ peerPort: Int, _ loop: EventLoop) -> Void,
        onError: @escaping @Sendable (String) -> Void
    ) throws {
        var bound: Int32 = 0
        let result = srs_listen_tcp(host, Int32(port), Int32(IOTuning.listenBacklog), &bound)
        if result < 0 { throw ListenError(host: host, port: port, code: -result) }
        fd = result
        self.host = host
        self.port = Int(bound)
        self.group = group
        self.onAccept = onAccept
        self.onError = onError
        queue = DispatchQueue(label: "srs.listen.\(bound)", target: group.loops[0].queue)
    }

    /// Starts accepting.
    public func start() {
        queue.async {
            let source = DispatchSource.makeReadSource(fileDescriptor: self.fd, queue: self.queue)
            source.setEventHandler { [unowned self] in self.acceptReady() }
            source.setCancelHandler { [self] in
                Glibc.close(self.fd)
                self.onClosed?()
            }
            self.source = source
            source.activate()
        }
    }

    private func acceptReady() {
        let ceiling = Self.descriptorCeiling()
        for _ in 0..<IOTuning.maxAcceptsPerEvent {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let client = srs_accept_nonblocking(fd, &storage, &length)
            if client >= 0 && Int(client) >= ceiling {
                // The last descriptors stay free for the server itself (files, upstreams, and
                // libdispatch, which aborts the process when it cannot open one): a client
                // that would take one is shed as if the limit were reached.
                Glibc.close(client)
                reportAcceptError(EMFILE)
                backOff()
                return
            }
            if client < 0 {
                let code = errno
                if code == EAGAIN || code == EWOULDBLOCK || code == EINTR || code == ECONNABORTED { return }
                reportAcceptError(code)
                if code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM { backOff() }
                return
            }
            var buffer = [CChar](repeating: 0, count: 64)
            let peerPort = srs_format_address(&storage, &buffer, 64)
            let address = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            onAccept(client, address, Int(peerPort), group.next())
        }
    }

    /// Client sockets get descriptor numbers below this: the soft RLIMIT_NOFILE less
    /// `IOTuning.reservedDescriptors` (accept hands out the lowest free number).
    static func descriptorCeiling() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < rlim_t(Int32.max) else { return .max }
        return max(16, Int(limit.rlim_cur) - IOTuning.reservedDescriptors)
    }

    /// Accept errors are logged once per `IOTuning.acceptErrorLogIntervalMs` with a count of
    /// those not logged, so running out of descriptors cannot flood the log.
    private func reportAcceptError(_ code: Int32) {
        let now = MonotonicClock.milliseconds()
        guard now - lastErrorLogAt >= IOTuning.acceptErrorLogIntervalMs else {
            unloggedErrors += 1
            return
        }
        let more = unloggedErrors > 0 ? " (\(unloggedErrors) more since the last report)" : ""
        onError("accept on port \(port) failed: \(String(cString: strerror(code)))\(more); retrying every \(IOTuning.acceptBackoffMs) ms")
        lastErrorLogAt = now
        unloggedErrors = 0
    }

    private var lastErrorLogAt: Int64 = -IOTuning.acceptErrorLogIntervalMs
    private var unloggedErrors = 0

    private func backOff() {
        guard let source, !suspended, !closed else { return }
        suspended = true
        source.suspend()
        queue.asyncAfter(deadline: .now() + .milliseconds(IOTuning.acceptBackoffMs)) { [self] in
            guard suspended, let source = self.source else { return }
            suspended = false
            source.resume()
        }
    }

    /// Runs once the socket is closed (set by `close`).
    private var onClosed: (@Sendable () -> Void)?

    /// Stops accepting, closes the socket and waits until the port is free again or
    /// `timeoutMs` passed. Blocks: call it off the loops.
    public func closeAndWait(timeoutMs: Int) {
        let closed = DispatchSemaphore(value: 0)
        close { closed.signal() }
        _ = closed.wait(timeout: .now() + .milliseconds(timeoutMs))
    }

    /// Stops accepting and closes the socket; `done` runs once the port is free again.
    public func close(done: (@Sendable () -> Void)? = nil) {
        queue.async { [self] in
            guard !closed else {
                done?()
                return
            }
            closed = true
            onClosed = done
            guard let source else {
                Glibc.close(fd)
                done?()
                return
            }
            source.cancel()
            if suspended {
                suspended = false
                source.resume()
            }
        }
    }
}
