import Dispatch
import Glibc
import XCTest

import SRSKernel
@testable import SRSIO

/// TCPConnection against plain sockets: the lifecycle cases that only show on a real socket
/// (a connect still in progress, a refused connect, a close before start, a full socket).
final class TCPConnectionTests: XCTestCase {
    private let loops = EventLoopGroup(count: 1)
    private var loop: EventLoop { loops.loops[0] }

    /// Bytes handed to `send` right after `connect` and `start`, while the connect is still in
    /// progress (the socket answers EAGAIN and the write source does not exist yet), must go
    /// out once the connect completes. A listener whose accept queue is full drops the SYN,
    /// so the connect stays in progress until the test makes room.
    func testBytesSentWhileTheConnectIsInProgressAreDelivered() throws {
        let listener = try PlainListener(backlog: 0)
        defer { listener.close() }
        let filler = try blockingConnect(port: listener.port)  // fills the accept queue
        defer { Glibc.close(filler) }

        let recorder = Recorder()
        let sentAtOnce = LockedValue<Bool?>(nil)
        let connection = try onLoop { () throws -> TCPConnection in
            let connection = try TCPConnection.connect(host: "127.0.0.1", port: listener.port, loop: self.loop)
            connection.start(delegate: recorder)
            sentAtOnce.withLock { $0 = connection.send(Array("hello before connect".utf8)) }
            return connection
        }
        XCTAssertEqual(sentAtOnce.withLock { $0 }, false, "the connect completed at once: the test did not exercise an in-progress connect")

        let queued = try listener.accept(timeoutMs: 2_000)  // the filler; frees the queue
        Glibc.close(queued)
        let accepted = try listener.accept(timeoutMs: 10_000)  // the SYN is retransmitted after 1 s
        defer { Glibc.close(accepted) }
        XCTAssertEqual(try readAll(accepted, count: 20, timeoutMs: 10_000), Array("hello before connect".utf8))
        XCTAssertTrue(recorder.waitForDrain(timeoutMs: 5_000), "no drain callback after the delayed write")

        connection.closeAsync(.local("test done"))
        XCTAssertNotNil(recorder.waitForClose(timeoutMs: 5_000))
    }

    /// A refused connect closes the connection with an error, tells the delegate once, and
    /// releases the descriptor.
    func testRefusedConnectClosesWithAnErrorAndReleasesTheDescriptor() throws {
        let port = try unusedPort()
        let before = openDescriptorCount()
        let recorder = Recorder()
        try onLoop {
            let connection = try TCPConnection.connect(host: "127.0.0.1", port: port, loop: self.loop)
            connection.start(delegate: recorder)
            connection.send(Array("nobody listens".utf8))
        }
        let reason = try XCTUnwrap(recorder.waitForClose(timeoutMs: 5_000), "no close callback")
        XCTAssertTrue("\(reason)".contains("refused"), "close reason: \(reason)")
        XCTAssertEqual(recorder.closeCount, 1)
        XCTAssertTrue(waitUntil(timeoutMs: 2_000) { openDescriptorCount() == before }, "descriptor leaked")
    }

    /// A connection closed before `start` (its owner stopped while it was being set up)
    /// closes its descriptor at once; one closed between `start` and its sources being made
    /// closes it when they would have been made.
    func testClosingBeforeTheSourcesExistReleasesTheDescriptor() throws {
        let listener = try PlainListener(backlog: 16)
        defer { listener.close() }
        let recorder = Recorder()
        // The two descriptors themselves are checked, not the process's count: other suites of
        // the same test process (ended processes' pipes) may still be closing theirs.
        let descriptors = try onLoop { () -> [Int32] in
            let neverStarted = try TCPConnection.connect(host: "127.0.0.1", port: listener.port, loop: self.loop)
            neverStarted.close(.local("owner stopped"))
            let startedThenClosed = try TCPConnection.connect(host: "127.0.0.1", port: listener.port, loop: self.loop)
            startedThenClosed.start(delegate: recorder)
            startedThenClosed.close(.local("owner stopped"))
            return [neverStarted.fd, startedThenClosed.fd]
        }
        XCTAssertNotNil(recorder.waitForClose(timeoutMs: 2_000))
        XCTAssertTrue(waitUntil(timeoutMs: 2_000) { descriptors.allSatisfy { !Self.isOpenSocket($0, peerPort: listener.port) } },
                      "descriptor leaked")
    }

    /// Whether `fd` is (still) a socket connected to `peerPort` on this host.
    static func isOpenSocket(_ fd: Int32, peerPort: Int) -> Bool {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        return result == 0 && Int(UInt16(bigEndian: address.sin_port)) == peerPort
    }

    /// `open` resolves a name on the blocking pool and hands over the connection on the loop,
    /// never within the call; a connection its owner does not start is closed, not leaked.
    func testOpenResolvesOnThePoolAndClosesAnUnstartedConnection() throws {
        let listener = try PlainListener(backlog: 16)
        defer { listener.close() }
        let before = openDescriptorCount()
        let outcome = LockedValue<(result: Result<TCPConnection, ConnectError>?, onLoop: Bool, returned: Bool)>((nil, false, false))
        let loop = self.loop
        onLoopSync {
            TCPConnection.open(host: "localhost", port: listener.port, loop: loop, pool: BlockingPool()) { result in
                outcome.withLock { $0 = (result, loop.inLoop, $0.returned) }
            }
            outcome.withLock { $0.returned = $0.result == nil }
        }
        XCTAssertTrue(waitUntil(timeoutMs: 5_000) { outcome.withLock { $0.result != nil } }, "no completion")
        outcome.withLock { state in
            XCTAssertTrue(state.returned, "the completion ran within the call")
            XCTAssertTrue(state.onLoop, "the completion did not run on the loop")
            guard case .success(let connection) = state.result else { return XCTFail("open failed: \(String(describing: state.result))") }
            // Loop-confined state: read it on the loop, after the turn that ran the completion.
            onLoopSync { XCTAssertTrue(connection.isClosed, "an unstarted connection was left open") }
        }
        XCTAssertTrue(waitUntil(timeoutMs: 2_000) { openDescriptorCount() == before }, "descriptor leaked")
    }

    /// More than the socket takes: `send` keeps the rest, the write source drains it in order
    /// while the peer reads slowly, and the delegate hears of the drain.
    func testAFullSocketDrainsInOrder() throws {
        let listener = try PlainListener(backlog: 16)
        defer { listener.close() }
        let recorder = Recorder()
        let payload = (0..<(8 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        let sentAtOnce = LockedValue<Bool?>(nil)
        let connection = try onLoop { () throws -> TCPConnection in
            let connection = try TCPConnection.connect(host: "127.0.0.1", port: listener.port, loop: self.loop)
            connection.setSendBufferSize(64 * 1024)  // a fixed buffer: no autotuning past the payload
            connection.start(delegate: recorder)
            return connection
        }
        let accepted = try listener.accept(timeoutMs: 5_000)
        defer { Glibc.close(accepted) }
        onLoopSync { sentAtOnce.withLock { $0 = connection.send(payload) } }
        XCTAssertEqual(sentAtOnce.withLock { $0 }, false, "8 MB fitted in the socket at once")
        XCTAssertEqual(try readAll(accepted, count: payload.count, timeoutMs: 20_000), payload)
        XCTAssertTrue(recorder.waitForDrain(timeoutMs: 5_000))
        XCTAssertEqual(connection.bytesSent, UInt64(payload.count))
        connection.closeAsync(.local("test done"))
        XCTAssertNotNil(recorder.waitForClose(timeoutMs: 5_000))
    }

    /// Pieces that borrow their bytes (owner nil) from a caller's object: when the socket is
    /// full, the transport holds what `keepAlive` returns until all is written, so the bytes
    /// stay valid after the caller let go of them; when all is written at once, it is not
    /// even asked.
    func testBorrowedPiecesStayAliveUntilWritten() throws {
        let listener = try PlainListener(backlog: 16)
        defer { listener.close() }
        let recorder = Recorder()
        let connection = try onLoop { () throws -> TCPConnection in
            let connection = try TCPConnection.connect(host: "127.0.0.1", port: listener.port, loop: self.loop)
            connection.setSendBufferSize(64 * 1024)
            connection.start(delegate: recorder)
            return connection
        }
        let accepted = try listener.accept(timeoutMs: 5_000)
        defer { Glibc.close(accepted) }
        onLoopSync { connection.send([0x00]) }  // connected and drained once this byte arrives
        XCTAssertEqual(try readAll(accepted, count: 1, timeoutMs: 5_000), [0x00])
        let small = SharedMessage(kind: .video, timestamp: 0, payload: [0x27, 0x01, 0x02])
        let asked = LockedValue(0)
        onLoopSync {
            let piece = OutboundPiece(base: small.payload.baseAddress!, count: small.size, owner: nil)
            XCTAssertTrue(connection.send(pieces: [piece], borrowing: {
                asked.withLock { $0 += 1 }
                return small.owner
            }))
        }
        XCTAssertEqual(asked.withLock { $0 }, 0, "asked to keep bytes alive after a complete write")
        XCTAssertEqual(try readAll(accepted, count: 3, timeoutMs: 5_000), [0x27, 0x01, 0x02])

        let large = (0..<(4 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        weak var released: AnyObject?
        onLoopSync {
            var message: SharedMessage? = SharedMessage(kind: .video, timestamp: 0, payload: large)
            let piece = OutboundPiece(base: message!.payload.baseAddress!, count: large.count, owner: nil)
            let borrowed = message!
            XCTAssertFalse(connection.send(pieces: [piece], borrowing: {
                asked.withLock { $0 += 1 }
                return borrowed.owner
            }))
            released = message!.owner
            message = nil
        }
        XCTAssertEqual(asked.withLock { $0 }, 1)
        XCTAssertNotNil(released, "the pending write let go of its bytes")
        XCTAssertEqual(try readAll(accepted, count: large.count, timeoutMs: 20_000), large)
        XCTAssertTrue(recorder.waitForDrain(timeoutMs: 5_000))
        onLoopSync {}
        XCTAssertNil(released, "the bytes were held after everything was written")
        connection.closeAsync(.local("test done"))
        XCTAssertNotNil(recorder.waitForClose(timeoutMs: 5_000))
    }

    /// With `maxPendingBytesWhileReading`, a peer that sends and does not read stops being
    /// read once that much waits to be written; reading resumes when the peer drains it.
    func testReadingStopsWhileTooMuchWaitsAndResumesWhenDrained() throws {
        let listener = try PlainListener(backlog: 16)
        defer { listener.close() }
        let echo = AmplifyingEcho(factor: 16)
        let connection = try onLoop { () throws -> TCPConnection in
            let connection = try TCPConnection.connect(host: "127.0.0.1", port: listener.port, loop: self.loop)
            connection.setSendBufferSize(64 * 1024)
            connection.maxPendingBytesWhileReading = 256 * 1024
            connection.start(delegate: echo)
            return connection
        }
        let peer = try listener.accept(timeoutMs: 5_000)
        defer { Glibc.close(peer) }
        // The peer sends 4 MB (answered with 64 MB) without reading.
        let total = 4 << 20
        let writer = DispatchSemaphore(value: 0)
        let box = UncheckedResult<Int>()
        DispatchQueue.global().async {
            let block = [UInt8](repeating: 7, count: 64 * 1024)
            var written = 0
            while written < total {
                let n = block.withUnsafeBytes { Glibc.send(peer, $0.baseAddress, min($0.count, total - written), Int32(MSG_NOSIGNAL)) }
                if n <= 0 { break }
                written += n
            }
            box.value = .success(written)
            writer.signal()
        }
        sleep(1)
        let stalledAt = connection.bytesReceived
        sleep(1)
        XCTAssertEqual(connection.bytesReceived, stalledAt, "reading went on while the peer read nothing")
        XCTAssertLessThan(stalledAt, UInt64(total), "everything was read: the limit did not apply")
        onLoopSync { XCTAssertLessThanOrEqual(connection.pendingByteCount, 256 * 1024 + 16 * 64 * 1024) }
        // The peer reads everything: reading resumes until all 4 MB are in.
        let answer = try readAll(peer, count: total * 16, timeoutMs: 30_000)
        XCTAssertEqual(answer.count, total * 16)
        XCTAssertEqual(writer.wait(timeout: .now() + 10), .success)
        XCTAssertEqual(try box.value?.get(), total)
        XCTAssertEqual(connection.bytesReceived, UInt64(total))
        connection.closeAsync(.local("test done"))
    }

    // MARK: Helpers

    private func onLoop<T>(_ work: @escaping () throws -> T) throws -> T {
        let result = UncheckedResult<T>()
        loop.queue.sync { result.value = Result { try work() } }
        return try result.value!.get()
    }

    private func onLoopSync(_ work: @escaping () -> Void) {
        loop.queue.sync { work() }
    }
}

private final class UncheckedResult<T>: @unchecked Sendable {
    var value: Result<T, Error>?
}

/// Answers every byte received with `factor` bytes.
private final class AmplifyingEcho: TransportDelegate, @unchecked Sendable {
    let factor: Int
    init(factor: Int) { self.factor = factor }

    func connection(_ connection: any Transport, didReceive bytes: UnsafeRawBufferPointer) {
        connection.send([UInt8](repeating: 1, count: bytes.count * factor))
    }

    func connectionDidDrain(_ connection: any Transport) {}
    func connection(_ connection: any Transport, didCloseWith reason: CloseReason) {}
}

/// Records a connection's callbacks (made on the loop) for the test thread.
private final class Recorder: TransportDelegate, @unchecked Sendable {
    private let state = LockedValue<(received: [UInt8], drains: Int, closes: [CloseReason])>(([], 0, []))

    func connection(_ connection: any Transport, didReceive bytes: UnsafeRawBufferPointer) {
        state.withLock { $0.received += bytes }
    }

    func connectionDidDrain(_ connection: any Transport) {
        state.withLock { $0.drains += 1 }
    }

    func connection(_ connection: any Transport, didCloseWith reason: CloseReason) {
        state.withLock { $0.closes.append(reason) }
    }

    var closeCount: Int { state.withLock { $0.closes.count } }

    func waitForDrain(timeoutMs: Int) -> Bool {
        waitUntil(timeoutMs: timeoutMs) { self.state.withLock { $0.drains > 0 } }
    }

    func waitForClose(timeoutMs: Int) -> CloseReason? {
        guard waitUntil(timeoutMs: timeoutMs, { self.state.withLock { !$0.closes.isEmpty } }) else { return nil }
        return state.withLock { $0.closes.first }
    }
}

/// A blocking listening socket on 127.0.0.1 and a free port, with a chosen backlog.
private struct PlainListener {
    let fd: Int32
    let port: Int

    init(backlog: Int32) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SocketTestError("socket", errno) }
        var address = loopbackAddress(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, backlog) == 0 else {
            Glibc.close(fd)
            throw SocketTestError("bind/listen", errno)
        }
        self.fd = fd
        port = try localPort(fd)
    }

    /// Accepts one connection, waiting at most `timeoutMs`.
    func accept(timeoutMs: Int32) throws -> Int32 {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, timeoutMs) == 1 else { throw SocketTestError("no connection to accept within \(timeoutMs) ms", ETIMEDOUT) }
        let accepted = Glibc.accept(fd, nil, nil)
        guard accepted >= 0 else { throw SocketTestError("accept", errno) }
        return accepted
    }

    func close() { Glibc.close(fd) }
}

private struct SocketTestError: Error, CustomStringConvertible {
    let description: String
    init(_ what: String, _ code: Int32) { description = "\(what): \(String(cString: strerror(code)))" }
}

private func loopbackAddress(port: UInt16) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return address
}

private func localPort(_ fd: Int32) throws -> Int {
    var address = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let rc = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard rc == 0 else { throw SocketTestError("getsockname", errno) }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A port nothing listens on: bound, read, released.
private func unusedPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { Glibc.close(fd) }
    var address = loopbackAddress(port: 0)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw SocketTestError("bind", errno) }
    return try localPort(fd)
}

private func blockingConnect(port: Int) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = loopbackAddress(port: UInt16(port))
    let rc = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard rc == 0 else {
        Glibc.close(fd)
        throw SocketTestError("connect", errno)
    }
    return fd
}

/// Reads exactly `count` bytes from a blocking socket, or throws after `timeoutMs`.
private func readAll(_ fd: Int32, count: Int, timeoutMs: Int) throws -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count)
    let deadline = DispatchTime.now() + .milliseconds(timeoutMs)
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    while bytes.count < count {
        let left = Int(deadline.uptimeNanoseconds.subtractingReportingOverflow(DispatchTime.now().uptimeNanoseconds).partialValue / 1_000_000)
        guard DispatchTime.now() < deadline else { throw SocketTestError("read \(bytes.count) of \(count) bytes", ETIMEDOUT) }
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(max(1, left))) == 1 else { continue }
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, min($0.count, count - bytes.count)) }
        guard n > 0 else { throw SocketTestError("read after \(bytes.count) bytes", n == 0 ? ECONNRESET : errno) }
        bytes += chunk[0..<n]
    }
    return bytes
}

private func openDescriptorCount() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
}

private func waitUntil(timeoutMs: Int, _ condition: () -> Bool) -> Bool {
    let deadline = DispatchTime.now() + .milliseconds(timeoutMs)
    while DispatchTime.now() < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}
