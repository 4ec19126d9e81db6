import Glibc
import Synchronization

/// A TCP connection used by one thread with blocking calls and timeouts: the client library's
/// transport (the server itself uses `TCPConnection` on its loops). Not thread-safe; close it
/// from the thread that uses it.
public final class BlockingSocket {
    /// What went wrong, with the peer and the call.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(_ what: String, _ errorNumber: Int32? = nil) {
            description = errorNumber.map { "\(what): \(String(cString: strerror($0)))" } ?? what
        }
    }

    /// The descriptor, -1 once closed; atomic so that `shutdown` may come from another thread.
    private let descriptor = Atomic<Int32>(-1)
    private var fd: Int32 { descriptor.load(ordering: .acquiring) }
    public let host: String
    public let port: Int
    /// Bytes written and read so far.
    public private(set) var bytesSent: UInt64 = 0
    public private(set) var bytesReceived: UInt64 = 0

    /// Resolves `host` (a name or a literal IPv4/IPv6 address) and connects within
    /// `timeoutMs`, trying each address in turn.
    public init(host: String, port: Int, timeoutMs: Int) throws(Failure) {
        self.host = host
        self.port = port
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw Failure("resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError: Failure = Failure("connect to \(host):\(port): no address")
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            candidate = info.pointee.ai_next
            let socketFD = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard socketFD >= 0 else {
                lastError = Failure("socket", errno)
                continue
            }
            if Self.connect(socketFD, info.pointee.ai_addr, info.pointee.ai_addrlen, timeoutMs: timeoutMs) {
                var one: Int32 = 1
                setsockopt(socketFD, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                descriptor.store(socketFD, ordering: .releasing)
                return
            }
            lastError = Failure("connect to \(host):\(port)", errno)
            Glibc.close(socketFD)
        }
        throw lastError
    }

    deinit { close() }

    /// Whether the socket is open.
    public var isOpen: Bool { fd >= 0 }

    /// Shuts the connection down without closing the descriptor: a `receive` blocked on another
    /// thread returns at once (it throws, the peer's end being closed).
    public func shutdown() {
        let current = fd
        if current >= 0 { _ = Glibc.shutdown(current, Int32(SHUT_RDWR)) }
    }

    public func close() {
        let current = descriptor.exchange(-1, ordering: .acquiringAndReleasing)
        if current >= 0 { Glibc.close(current) }
    }

    private static func connect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t, timeoutMs: Int) -> Bool {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        defer { _ = fcntl(fd, F_SETFL, flags) }
        if Glibc.connect(fd, address, length) == 0 { return true }
        guard errno == EINPROGRESS else { return false }
        var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        guard poll(&descriptor, 1, Int32(clamping: timeoutMs)) == 1 else {
            errno = ETIMEDOUT
            return false
        }
        var error: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size)
        errno = error
        return error == 0
    }

    /// Writes all of `bytes`, waiting at most `timeoutMs` for the peer to take each part.
    public func send(_ bytes: [UInt8], timeoutMs: Int) throws(Failure) {
        guard fd >= 0 else { throw Failure("send to \(host):\(port): closed") }
        var offset = 0
        while offset < bytes.count {
            var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&descriptor, 1, Int32(clamping: timeoutMs))
            if ready < 0 && errno == EINTR { continue }
            guard ready == 1 else { throw Failure("send to \(host):\(port): nothing taken for \(timeoutMs) ms") }
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                throw Failure("send to \(host):\(port)", errno)
            }
            offset += n
            bytesSent += UInt64(n)
        }
    }

    /// Reads what arrives within `timeoutMs` (at most `maxBytes`): [] on timeout; throws when
    /// the peer closed or the read failed.
    public func receive(maxBytes: Int = 65536, timeoutMs: Int) throws(Failure) -> [UInt8] {
        guard fd >= 0 else { throw Failure("receive from \(host):\(port): closed") }
        while true {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(clamping: timeoutMs))
            if ready < 0 && errno == EINTR { continue }
            guard ready == 1 else { return [] }
            var buffer = [UInt8](repeating: 0, count: maxBytes)
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, maxBytes, Int32(MSG_DONTWAIT)) }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                throw Failure("receive from \(host):\(port)", errno)
            }
            guard n > 0 else { throw Failure("\(host):\(port) closed the connection") }
            bytesReceived += UInt64(n)
            buffer.removeSubrange(n...)
            return buffer
        }
    }
}
