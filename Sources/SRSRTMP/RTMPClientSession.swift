import SRSKernel

/// The client side of an RTMP connection as a sans-I/O state machine, for the load tester,
/// tests, and (later) edge pulls and forwards: complex handshake, connect, createStream, then
/// play or publish; acknowledgements, ping replies and the server's chunk size are handled.
public final class RTMPClientSession {
    /// What the client wants to do once connected.
    public enum Mode: Sendable {
        case play, publish
        /// Connect only: then `begin(_:)` plays or publishes (step by step, as SRS's librtmp
        /// does), or the application talks with `call` (a bandwidth test).
        case connect
    }

    /// What happened, for the application.
    public enum Event: Sendable, Equatable {
        /// NetConnection.Connect.Success.
        case connected
        /// NetStream.Play.Start or NetStream.Publish.Start.
        case started
        /// Any onStatus / _error the server sent (code, level, description).
        case status(code: String, level: String, description: String)
        /// Audio, video or data for a player.
        case media(RTMPMessage)
        /// Any other command from the server: its name and the values after the command object.
        case call(name: String, arguments: [AMF0Value])
    }

    public private(set) var mode: Mode
    public let tcUrl: String
    public let app: String
    public private(set) var streamName: String
    /// Our chunk size for publishing (announced with Set Chunk Size).
    public let outChunkSize: Int
    /// pageUrl and swfUrl sent in connect when set (an edge passing its client's on).
    public var pageUrl: String?
    public var swfUrl: String?

    private enum Phase { case waitingS0S1S2, connecting, connected, creatingStream, starting, started }
    private var phase = Phase.waitingS0S1S2
    private var handshakeBuffer: [UInt8] = []
    private var clientDigest: [UInt8] = []
    private var decoder = ChunkDecoder()
    private var encoder = ChunkEncoder(chunkSize: 128)
    private var output: [UInt8] = []
    private var nextTransaction: Double = 1
    private var createStreamTransaction: Double = 0
    /// The message stream id the server gave us.
    public private(set) var streamId: UInt32 = 0
    public private(set) var bytesReceived: UInt64 = 0
    private var lastAcknowledged: UInt64 = 0
    private var windowAckSize: UInt64 = 2_500_000
    /// Whether the server's S2 carried a valid signature of our C1 digest.
    public private(set) var serverSignatureValid = false

    public init(tcUrl: String, app: String, streamName: String, mode: Mode, outChunkSize: Int = 60000) {
        self.tcUrl = tcUrl
        self.app = app
        self.streamName = streamName
        self.mode = mode
        self.outChunkSize = outChunkSize
    }

    /// Makes a session from "rtmp://host[:port]/app[/more]/stream[?query]".
    public convenience init?(url: String, mode: Mode) {
        guard url.hasPrefix("rtmp://") else { return nil }
        let rest = url.dropFirst("rtmp://".count)
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        let host = rest[..<slash]
        let path = rest[rest.index(after: slash)...]
        guard let last = path.lastIndex(of: "/") else { return nil }
        let app = String(path[..<last])
        let stream = String(path[path.index(after: last)...])
        guard !app.isEmpty, !stream.isEmpty else { return nil }
        self.init(tcUrl: "rtmp://\(host)/\(app)", app: app, streamName: stream, mode: mode)
    }

    /// C0+C1 to send first.
    public func start() -> [UInt8] {
        let hello = Handshake.clientHello()
        clientDigest = hello.digest
        return hello.bytes
    }

    /// Bytes to send; empties the buffer.
    public func takeOutput() -> [UInt8] {
        defer { output.removeAll(keepingCapacity: true) }
        bytesSent += UInt64(output.count)
        return output
    }

    /// Bytes handed out by `takeOutput` so far.
    public private(set) var bytesSent: UInt64 = 0

    /// Queues a command: `values` are its name, transaction id, command object and arguments.
    public func call(_ values: [AMF0Value]) {
        send(.command(values, streamId: 0))
    }

    public var hasOutput: Bool { !output.isEmpty }

    private func send(_ message: RTMPMessage) { output += encoder.encode(message) }

    private func command(_ name: String, _ arguments: [AMF0Value], streamId: UInt32 = 0) {
        let transaction = nextTransaction
        nextTransaction += 1
        send(.command([.string(name), .number(transaction), .null] + arguments, streamId: streamId))
    }

    /// Decodes server bytes.
    public func receive(_ bytes: UnsafeRawBufferPointer) throws(RTMPError) -> [Event] {
        bytesReceived += UInt64(bytes.count)
        var remaining = bytes
        var events: [Event] = []
        if phase == .waitingS0S1S2 {
            let need = 1 + 2 * Handshake.packetSize - handshakeBuffer.count
            let used = min(need, remaining.count)
            handshakeBuffer.append(contentsOf: remaining[0..<used])
            remaining = UnsafeRawBufferPointer(rebasing: remaining[used...])
            guard handshakeBuffer.count == 1 + 2 * Handshake.packetSize else { return events }
            guard handshakeBuffer[0] == Handshake.version else {
                throw RTMPError("handshake", "server sent version \(handshakeBuffer[0])")
            }
            let s1 = Array(handshakeBuffer[1...Handshake.packetSize])
            let s2 = Array(handshakeBuffer[(1 + Handshake.packetSize)...])
            serverSignatureValid = Handshake.verifySignedResponse(s2, ourDigest: clientDigest, key: HandshakeCrypto.serverKey)
            output += Handshake.clientResponse(s1: s1)
            handshakeBuffer = []
            phase = .connecting
            if mode == .publish {
                send(.setChunkSize(outChunkSize))
                encoder.chunkSize = outChunkSize
            }
            sendConnect()
        }
        if !remaining.isEmpty {
            for message in try decoder.decode(remaining) { try handle(message, events: &events) }
        }
        if bytesReceived - lastAcknowledged >= windowAckSize {
            lastAcknowledged = bytesReceived
            send(.acknowledgement(UInt32(truncatingIfNeeded: bytesReceived)))
        }
        return events
    }

    private func sendConnect() {
        nextTransaction = 2
        let object: AMF0Value = .object([
            AMF0Property("app", .string(app)),
            AMF0Property("flashVer", mode == .publish ? "FMLE/3.0 (compatible; FMSc/1.0)" : "LNX 9,0,124,2"),
            AMF0Property("tcUrl", .string(tcUrl)),
            AMF0Property("fpad", false),
            AMF0Property("capabilities", 15),
            AMF0Property("audioCodecs", 4071),
            AMF0Property("videoCodecs", 252),
            AMF0Property("videoFunction", 1),
        ] + [("pageUrl", pageUrl), ("swfUrl", swfUrl)].compactMap { name, value in value.map { AMF0Property(name, .string($0)) } })
        send(.command(["connect", 1, object]))
    }

    /// After a `.connect` session connected: plays or publishes `streamName` (the URL's by
    /// default); `.started` follows. False when not connected yet or already begun.
    @discardableResult
    public func begin(_ mode: Mode, streamName: String? = nil) -> Bool {
        guard phase == .connected, self.mode == .connect, mode != .connect else { return false }
        self.mode = mode
        if let streamName { self.streamName = streamName }
        if mode == .publish {
            send(.setChunkSize(outChunkSize))
            encoder.chunkSize = outChunkSize
        }
        createStream()
        return true
    }

    private func createStream() {
        phase = .creatingStream
        if mode == .publish {
            command("releaseStream", [.string(streamName)])
            command("FCPublish", [.string(streamName)])
        }
        createStreamTransaction = nextTransaction
        command("createStream", [])
    }

    /// Whether the server's S0, S1 and S2 arrived (C2 and connect are then sent).
    public var isHandshakeDone: Bool { phase != .waitingS0S1S2 }

    /// Queues a media or data message of a publisher on the stream.
    public func publish(_ message: RTMPMessage) {
        var message = message
        message.streamId = streamId
        send(message)
    }

    private func handle(_ message: RTMPMessage, events: inout [Event]) throws(RTMPError) {
        switch message.typeId {
        case RTMPMessageType.audio, RTMPMessageType.video, RTMPMessageType.amf0Data, RTMPMessageType.amf3Data:
            events.append(.media(message))
        case RTMPMessageType.aggregate:
            // FMS and Wowza batch a player's messages: each part is a message of its own.
            for part in try message.aggregateParts() where part.typeId != RTMPMessageType.aggregate { events.append(.media(part)) }
        case RTMPMessageType.windowAckSize:
            var reader = ByteReader(message.payload)
            if let size = try? reader.readUInt32(), size > 0 { windowAckSize = UInt64(size) }
        case RTMPMessageType.userControl:
            var reader = ByteReader(message.payload)
            if let event = try? reader.readUInt16(), event == UserControlEvent.pingRequest, let value = try? reader.readUInt32() {
                send(.userControl(UserControlEvent.pingResponse, value))
            }
        case RTMPMessageType.amf0Command, RTMPMessageType.amf3Command:
            let values: [AMF0Value]
            do { values = try AMF0Decoder.decodeAll(message.amf0Body()) } catch { throw RTMPError("server command", error) }
            try handleCommand(values, events: &events)
        default:
            break
        }
    }

    private func handleCommand(_ values: [AMF0Value], events: inout [Event]) throws(RTMPError) {
        guard let name = values.first?.stringValue else { return }
        let transaction = values.count > 1 ? (values[1].numberValue ?? 0) : 0
        let information = values.count > 3 ? values[3] : .null
        switch name {
        case "_result":
            if phase == .connecting && transaction == 1 {
                guard information["code"]?.stringValue == "NetConnection.Connect.Success" else {
                    throw RTMPError("connect", "server answered \(information["code"]?.stringValue ?? "no code")")
                }
                events.append(.connected)
                phase = .connected
                if mode != .connect { createStream() }
            } else if phase == .creatingStream && transaction == createStreamTransaction {
                streamId = information.uint32Value ?? 1
                phase = .starting
                switch mode {
                case .play:
                    send(.userControl(UserControlEvent.setBufferLength, streamId, extra: 3000))
                    send(.command(["play", 0, .null, .string(streamName), -2000], streamId: streamId))
                case .publish:
                    send(.command(["publish", 0, .null, .string(streamName), "live"], streamId: streamId))
                case .connect:
                    break
                }
            }
        case "_error":
            let code = information["code"]?.stringValue ?? ""
            events.append(.status(code: code, level: "error", description: information["description"]?.stringValue ?? ""))
        case "onStatus":
            let code = information["code"]?.stringValue ?? ""
            let level = information["level"]?.stringValue ?? ""
            events.append(.status(code: code, level: level, description: information["description"]?.stringValue ?? ""))
            if phase == .starting && (code == "NetStream.Play.Start" || code == "NetStream.Publish.Start") {
                phase = .started
                events.append(.started)
            }
        default:
            events.append(.call(name: name, arguments: Array(values.dropFirst(3))))
        }
    }
}
