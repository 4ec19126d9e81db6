import Foundation
import SRSKernel
import SRSRTMP

/// A blocking RTMP client for tests, built on the project's sans-I/O client session: counts
/// what it receives, or sends raw bytes for bad-input tests.
final class TestRTMPClient {
    let fd: Int32
    let session: RTMPClientSession
    private(set) var statuses: [String] = []
    private(set) var videoFrames = 0
    private(set) var audioFrames = 0
    private(set) var dataMessages = 0
    private(set) var firstVideo: RTMPMessage?
    private(set) var started = false
    private(set) var closedByPeer = false
    private(set) var lastVideoTimestamp: Int64 = -1
    private(set) var timestampRegressions = 0

    /// Opens a TCP connection to 127.0.0.1:port.
    /// `receiveBuffer`: SO_RCVBUF before connecting (a small window for slow-reader tests).
    init(port: Int, path: String = "live/test", mode: RTMPClientSession.Mode = .play, receiveBuffer: Int32? = nil) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(fd)
            throw TestFailure("connect to port \(port) failed: \(String(cString: strerror(errno)))")
        }
        guard let session = RTMPClientSession(url: "rtmp://127.0.0.1:\(port)/\(path)", mode: mode) else {
            close(fd)
            throw TestFailure("bad test URL \(path)")
        }
        self.session = session
    }

    deinit { close(fd) }

    func sendRaw(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if n <= 0 { return }
                offset += n
            }
        }
    }

    private func flushSession() {
        if session.hasOutput { sendRaw(session.takeOutput()) }
    }

    /// Reads what arrives within `timeout` seconds (returns early when `until` holds).
    /// Returns false when the server closed the connection.
    @discardableResult
    func pump(timeout: TimeInterval, until: () -> Bool = { false }) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while Date() < deadline && !until() {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let remaining = Int32(max(1, deadline.timeIntervalSinceNow * 1000))
            let ready = poll(&descriptor, 1, min(remaining, 100))
            if ready <= 0 { continue }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 {
                closedByPeer = true
                return false
            }
            let events = try buffer.withUnsafeBytes { try session.receive(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            for event in events { record(event) }
            flushSession()
        }
        return true
    }

    private func record(_ event: RTMPClientSession.Event) {
        switch event {
        case .connected: if session.mode == .connect { started = true }
        case .started: started = true
        case .status(let code, _, _): statuses.append(code)
        case .media(let message):
            switch message.typeId {
            case RTMPMessageType.video:
                // Count coded frames only: not sequence headers (packet type 0) nor end of sequence (2).
                let isFrame = message.payload.count > 1 && (message.payload[0] & 0x0F != 7 || message.payload[1] == 1)
                if isFrame {
                    videoFrames += 1
                    if firstVideo == nil { firstVideo = message }
                    if message.timestamp < lastVideoTimestamp { timestampRegressions += 1 }
                    lastVideoTimestamp = message.timestamp
                }
            case RTMPMessageType.audio:
                if message.payload.count > 1 && message.payload[0] >> 4 == 10 && message.payload[1] == 0 { break }
                audioFrames += 1
            default:
                dataMessages += 1
            }
        case .call(let name, let arguments):
            calls.append((name, arguments))
        }
    }

    /// Commands the server sent besides connect, play and publish answers, in order.
    private(set) var calls: [(name: String, arguments: [AMF0Value])] = []

    /// Sends a command (name, transaction id, command object, arguments) at once.
    func call(_ values: [AMF0Value]) {
        session.call(values)
        flushSession()
    }

    /// Takes the commands received so far.
    func takeCalls() -> [(name: String, arguments: [AMF0Value])] {
        defer { calls.removeAll() }
        return calls
    }

    /// Handshake, connect, createStream and play/publish; true once the server said Start.
    func start(timeout: TimeInterval = 10) throws -> Bool {
        sendRaw(session.start())
        try pump(timeout: timeout) { started || closedByPeer }
        return started
    }

    /// Reads at most `maxBytes` that are already there (a slow reader); false when closed.
    func readSome(maxBytes: Int) throws -> Bool {
        var buffer = [UInt8](repeating: 0, count: maxBytes)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if n == 0 || (n < 0 && errno != EAGAIN) {
            closedByPeer = true
            return false
        }
        guard n > 0 else { return true }
        let events = try buffer.withUnsafeBytes { try session.receive(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        for event in events { record(event) }
        flushSession()
        return true
    }

    /// Raw bytes that arrive within `timeout` (nil when none did), for tests that use this
    /// client as a plain TCP client; throws once the server closed.
    func readAvailable(timeout: TimeInterval) throws -> [UInt8]? {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, Int32(timeout * 1000)) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw TestFailure("the server closed the connection") }
        return Array(buffer[0..<n])
    }

    /// Waits until the server closes the connection; true if it did within `timeout`.
    func waitForClose(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while Date() < deadline {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&descriptor, 1, 100) <= 0 { continue }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return true }
        }
        return false
    }
}

extension TestRTMPClient {
    /// Only the handshake (C0C1, read S0S1S2, C2), for tests that then send raw chunks.
    func rawHandshake(timeout: TimeInterval = 5) throws {
        let hello = Handshake.clientHello()
        sendRaw(hello.bytes)
        var received: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while received.count < 1 + 2 * Handshake.packetSize && Date() < deadline {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&descriptor, 1, 100) <= 0 { continue }
            let want = 1 + 2 * Handshake.packetSize - received.count
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, min(want, $0.count), 0) }
            if n <= 0 { throw TestFailure("server closed during the handshake") }
            received += buffer[0..<n]
        }
        guard received.count == 1 + 2 * Handshake.packetSize else { throw TestFailure("no S0S1S2 within \(timeout) s") }
        sendRaw(Handshake.clientResponse(s1: Array(received[1...Handshake.packetSize])))
    }

    /// One chunk (fmt 0, one chunk only) carrying `payload` as a message of `typeId`.
    static func rawChunk(csid: UInt8 = 3, typeId: UInt8, declaredLength: Int? = nil, streamId: UInt32 = 0, payload: [UInt8]) -> [UInt8] {
        let length = declaredLength ?? payload.count
        var bytes: [UInt8] = [csid, 0, 0, 0, UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length), typeId]
        bytes += [UInt8(truncatingIfNeeded: streamId), UInt8(truncatingIfNeeded: streamId >> 8), UInt8(truncatingIfNeeded: streamId >> 16), UInt8(truncatingIfNeeded: streamId >> 24)]
        return bytes + payload
    }
}
