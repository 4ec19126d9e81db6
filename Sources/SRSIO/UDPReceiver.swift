import CSRSShim
import Dispatch
import Glibc

/// A bound UDP socket read on a loop: a Dispatch read source wakes it, each wake reads up to
/// `IOTuning.maxDatagramsPerEvent` datagrams, which go to `onDatagrams` in one call (on the
/// loop). Datagrams larger than 64 KiB cannot exist; the buffer is that size. With
/// `acceptingOnlyFrom`, datagrams from any other address are dropped (an RTSP client's RTP
/// ports take packets from that client alone).
public final class UDPReceiver: @unchecked Sendable {
    public let port: Int
    private let fd: Int32
    private let loop: EventLoop
    private var source: DispatchSourceRead?
    private var closed = false
    private let onDatagrams: ([[UInt8]]) -> Void
    private let allowedPeer: String?
    /// Datagrams dropped for coming from another address; read on the loop.
    public private(set) var foreignDatagrams = 0
    private var buffer = [UInt8](repeating: 0, count: 65536)

    /// Binds `host:port` ("" = any address, port 0 = any port). Throws `ListenError`.
    public init(host: String, port: Int, loop: EventLoop, acceptingOnlyFrom allowedPeer: String? = nil,
                onDatagrams: @escaping ([[UInt8]]) -> Void) throws(ListenError) {
        var bound: Int32 = 0
        let result = srs_bind_udp(host, Int32(port), Int32(IOTuning.udpReceiveBufferBytes), &bound)
        guard result >= 0 else { throw ListenError(host: host, port: port, code: -result) }
        fd = result
        self.port = Int(bound)
        self.loop = loop
        self.onDatagrams = onDatagrams
        self.allowedPeer = allowedPeer
    }

    /// Starts reading on the loop (nothing once closed).
    public func start() {
        loop.execute { [self] in
            guard !closed, source == nil else { return }
            let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: loop.queue)
            source.setEventHandler { [unowned self] in readReady() }
            source.setCancelHandler { [fd] in Glibc.close(fd) }
            self.source = source
            source.activate()
        }
    }

    /// Stops reading and closes the socket, whether or not it was started.
    public func close() {
        loop.execute { [self] in
            guard !closed else { return }
            closed = true
            if let source {
                source.cancel()  // its cancel handler closes the socket
                self.source = nil
            } else {
                Glibc.close(fd)
            }
        }
    }

    private func readReady() {
        var datagrams: [[UInt8]] = []
        for _ in 0..<IOTuning.maxDatagramsPerEvent {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let n = buffer.withUnsafeMutableBytes { bytes in
                withUnsafeMutablePointer(to: &storage) { address in
                    address.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(fd, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT), $0, &length)
                    }
                }
            }
            guard n > 0 else { break }
            if let allowedPeer {
                var text = [CChar](repeating: 0, count: 64)
                _ = srs_format_address(&storage, &text, 64)
                guard String(cString: text) == allowedPeer else {
                    foreignDatagrams += 1
                    continue
                }
            }
            datagrams.append(Array(buffer[0..<n]))
        }
        if !datagrams.isEmpty { onDatagrams(datagrams) }
    }
}
