import Foundation
import Glibc
import XCTest

@testable import SRSApp
import SRSConfig
import SRSIO
import SRSKernel
import SRSRTMP

/// A whole server without sockets: one loop whose clock the test drives, clients on memory
/// transports, outbound connections (callbacks, origins, forward destinations) answered by
/// scripted peers. Everything the server does runs on the loop; the test acts between steps.
final class AppHarness {
    let group: EventLoopGroup
    let connector = MemoryConnector()
    let server: Server
    let directory: String
    let configPath: String
    var loop: EventLoop { group.loops[0] }

    /// A server on `config` (the text of a config file; `daemon off` and the like are added),
    /// with `loops` loops (each with its own test-driven clock).
    init(_ config: String, loops: Int = 1) throws {
        group = EventLoopGroup(count: loops, manualClock: true)
        directory = NSTemporaryDirectory() + "swiftsrs-app-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        configPath = directory + "/srs.conf"
        try Self.write(config, to: configPath)
        try Logger.shared.configure(tank: .console, level: .warn, file: "", utcTime: false)
        server = Server(config: try ServerConfig.load(path: configPath), group: group, connector: connector)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    private static func write(_ config: String, to path: String) throws {
        try "listen 1935; daemon off; max_connections 100;\n\(config)\n".write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Rewrites the config file and reloads it, as SIGHUP does.
    func reload(_ config: String) throws {
        try Self.write(config, to: configPath)
        server.reload()
        settle()
    }

    /// Lets posted work run until the loop is quiet (no clock movement).
    func settle() {
        for _ in 0..<20 {
            for loop in group.loops { loop.sync {} }
        }
    }

    /// Moves the loops' clocks (timers and ticks run at their times), then settles.
    func advance(_ milliseconds: Int) {
        for loop in group.loops { loop.advance(byMilliseconds: milliseconds) }
        settle()
    }

    /// The live source of `key` ("vhost/app/stream"), if registered.
    func source(_ key: String) -> LiveSource? { server.streams.all.first { $0.key == key } }

    /// Feature names of a stream, read on its loop.
    func features(_ key: String) -> [String]? {
        guard let source = source(key) else { return nil }
        return source.loop.sync { source.featureNames }
    }
}

/// An RTMP client driven by the test: SRSRTMP's client session over a memory transport.
final class RTMPPeer {
    let harness: AppHarness
    let loop: EventLoop
    let transport: MemoryTransport
    let session: RTMPClientSession
    private(set) var events: [RTMPClientSession.Event] = []

    /// A client on the harness's loop `onLoop`.
    init(_ harness: AppHarness, url: String, mode: RTMPClientSession.Mode, ip: String = "127.0.0.1", pageUrl: String? = nil, onLoop index: Int = 0) {
        self.harness = harness
        loop = harness.group.loops[index]
        transport = MemoryTransport(loop: loop, peerAddress: ip)
        session = RTMPClientSession(url: url, mode: mode)!
        session.pageUrl = pageUrl
        harness.server.accept(transport, as: .rtmp)
        let start = session.start()
        loop.sync { transport.feed(start) }
        pump()
    }

    /// Exchanges bytes with the server until neither side has more to say.
    func pump() {
        for _ in 0..<100 {
            harness.settle()
            let progressed = loop.sync { exchange() }
            if !progressed { return }
        }
    }

    private func exchange() -> Bool {
        let bytes = transport.takeWritten()
        if !bytes.isEmpty {
            do {
                events += try bytes.withUnsafeBytes { try session.receive($0) }
            } catch {
                XCTFail("the server sent bytes the client session refuses: \(error)")
            }
        }
        if session.hasOutput, !transport.isClosed {
            transport.feed(session.takeOutput())
            return true
        }
        return !bytes.isEmpty
    }

    var started: Bool { events.contains(.started) }
    var closed: Bool { loop.sync { transport.isClosed } }
    var statusCodes: [String] {
        events.compactMap { if case .status(let code, _, _) = $0 { return code } else { return nil } }
    }
    var media: [RTMPMessage] {
        events.compactMap { if case .media(let message) = $0 { return message } else { return nil } }
    }

    /// Publishes messages (audio 8, video 9, data 18) and hands them to the server.
    func publish(_ messages: [RTMPMessage]) {
        for message in messages { session.publish(message) }
        pump()
    }

    func close() {
        loop.sync { transport.peerClose() }
        harness.settle()
    }
}

/// Outbound connections of the server answered by scripted peers, by "host:port"; others are
/// refused as a closed port would be.
final class MemoryConnector: TransportConnector, @unchecked Sendable {
    private let peers = LockedValue<[String: @Sendable (MemoryTransport) -> Void]>([:])
    private let opened = LockedValue<[String]>([])

    /// `attach` runs on the loop with each new transport to `address`, before the server gets
    /// it; it usually sets `onWrite` to answer.
    func register(_ address: String, attach: @escaping @Sendable (MemoryTransport) -> Void) {
        peers.withLock { $0[address] = attach }
    }

    /// Addresses the server connected to, in order.
    var connections: [String] { opened.withLock { $0 } }

    func open(host: String, port: Int, loop: EventLoop, completion: @escaping @Sendable (Result<any Transport, ConnectError>) -> Void) {
        let address = "\(host):\(port)"
        loop.post { [self] in
            opened.withLock { $0.append(address) }
            guard let attach = peers.withLock({ $0[address] }) else {
                completion(.failure(ConnectError(host: host, port: port, code: ECONNREFUSED)))
                return
            }
            let transport = MemoryTransport(loop: loop, peerAddress: host, peerPort: port)
            attach(transport)
            completion(.success(transport))
        }
    }
}

/// An HTTP callback server: records each JSON body and answers with `answer` (status, body).
final class FakeHookServer: @unchecked Sendable {
    private let bodies = LockedValue<[[String: Any]]>([])
    let answer: LockedValue<(status: Int, body: String)>

    init(connector: MemoryConnector, address: String, status: Int = 200, body: String = "0") {
        answer = LockedValue((status, body))
        connector.register(address) { [self] transport in
            let request = LockedValue<[UInt8]>([])
            transport.onWrite = { [self] transport in
                let complete = request.withLock { buffer -> [UInt8]? in
                    buffer += transport.takeWritten()
                    guard let end = buffer.firstRange(of: Array("\r\n\r\n".utf8)) else { return nil }
                    let head = String(decoding: buffer[..<end.lowerBound], as: UTF8.self)
                    let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                        .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                    guard buffer.count >= end.upperBound + length else { return nil }
                    return Array(buffer[end.upperBound..<end.upperBound + length])
                }
                guard let body = complete else { return }
                if let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] {
                    bodies.withLock { $0.append(object) }
                }
                let (status, text) = answer.withLock { $0 }
                transport.feed(Array("HTTP/1.1 \(status) X\r\nContent-Length: \(text.utf8.count)\r\nConnection: close\r\n\r\n\(text)".utf8))
                transport.peerClose()
            }
        }
    }

    /// The bodies received so far.
    var received: [[String: Any]] { bodies.withLock { $0 } }
    var actions: [String] { received.compactMap { $0["action"] as? String } }
}

/// An RTMP server on the far side of a forward or an edge pull: SRSRTMP's server session,
/// accepting connect, publish and play; it records what it is published.
final class FakeRTMPServer: @unchecked Sendable {
    private let published = LockedValue<[RTMPMessage]>([])
    private let names = LockedValue<[String]>([])

    init(connector: MemoryConnector, address: String) {
        connector.register(address) { [self] transport in
            let box = SessionBox(RTMPServerSession())
            transport.onWrite = { [self] transport in
                let session = box.session
                let bytes = transport.takeWritten()
                guard let events = try? bytes.withUnsafeBytes({ try session.receive($0) }) else {
                    transport.peerClose()
                    return
                }
                for event in events {
                    switch event {
                    case .connect:
                        session.acceptConnect()
                    case .publish(let streamId, let request, _):
                        names.withLock { $0.append("\(request.app)/\(request.stream)") }
                        session.acceptPublish(streamId: streamId, streamName: request.stream)
                    case .media(let message):
                        published.withLock { $0.append(RTMPMessage(message, streamId: 1)) }
                    case .metadata(let message):
                        published.withLock { $0.append(message) }
                    default:
                        break
                    }
                }
                if session.hasOutput { transport.feed(session.takeOutput()) }
            }
        }
    }

    var messages: [RTMPMessage] { published.withLock { $0 } }
    var streams: [String] { names.withLock { $0 } }
}

/// A real publisher's messages (x264 veryfast with B-frames, 25 fps, 1 s GOP, stereo AAC,
/// 5 s), recorded once with ffmpeg into Fixtures/.
enum RecordedStream {
    static let messages: [RTMPMessage] = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/h264-aac-bframes.flv").path
        let bytes = [UInt8](FileManager.default.contents(atPath: path) ?? Data())
        let tags = (try? FLV.parseFile(bytes)) ?? []
        return tags.map { RTMPMessage(typeId: $0.type, streamId: 1, timestamp: Int64($0.timestamp), payload: $0.body) }
    }()

    /// The messages up to `milliseconds` of media time.
    static func first(_ milliseconds: Int64) -> [RTMPMessage] { messages.filter { $0.timestamp <= milliseconds } }

    static func isKeyframe(_ message: RTMPMessage) -> Bool {
        message.typeId == 9 && message.payload.count > 1 && message.payload[0] >> 4 == 1 && message.payload[1] == 1
    }

    static func isSequenceHeader(_ message: RTMPMessage) -> Bool {
        message.payload.count > 1 && (message.typeId == 9 || message.typeId == 8) && message.payload[1] == 0
    }
}

/// A sans-I/O session used only on the loop, handed to a loop closure.
private final class SessionBox: @unchecked Sendable {
    let session: RTMPServerSession
    init(_ session: RTMPServerSession) { self.session = session }
}
