import SRSKernel

/// The server side of one RTMP connection as a sans-I/O state machine: feed it received bytes,
/// collect `RTMPServerEvent`s, answer the ones that need a decision, and send `takeOutput()`.
///
/// It does the handshake, chunking, acknowledgements, ping replies and every command reply
/// that needs no application decision (createStream, releaseStream, FCPublish, FCUnpublish,
/// unknown calls). It is confined to one connection's queue.
public final class RTMPServerSession {
    /// Session parameters.
    public struct Configuration: Sendable {
        /// Our chunk size, sent with Set Chunk Size after connect (SRS default 60000).
        public var outChunkSize: Int = 60000
        /// Window Acknowledgement Size and Set Peer Bandwidth we announce.
        public var windowAckSize: UInt32 = 2_500_000
        public var peerBandwidth: UInt32 = 2_500_000
        /// Name and version reported in the connect reply.
        public var serverName: String = "SwiftSRS"
        public var serverVersion: String = "2.0.0"

        public init() {}
    }

    private enum Phase { case waitingC0C1, waitingC2, connected }

    public let configuration: Configuration
    private var phase = Phase.waitingC0C1
    private var handshakeBuffer: [UInt8] = []
    private var decoder = ChunkDecoder()
    public private(set) var encoder: ChunkEncoder
    private var output: [UInt8] = []

    /// Set once connect was received (and possibly answered).
    public private(set) var request = StreamRequest()
    public private(set) var isConnected = false
    private var nextStreamId: UInt32 = 1
    private var fmlePublish = false
    /// Whether the client announced its publish with FCPublish (FMLE, FFmpeg, OBS) rather
    /// than a bare publish (Flash).
    public var isFMLEPublisher: Bool { fmlePublish }

    /// Bytes received so far (handshake included), for acknowledgements and statistics.
    public private(set) var bytesReceived: UInt64 = 0
    private var lastAcknowledged: UInt64 = 0
    private var peerWindowAckSize: UInt64 = 0
    /// The buffer length the player asked for, in ms.
    public private(set) var playerBufferLength: UInt32 = 0

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        encoder = ChunkEncoder(chunkSize: 128)
    }

    /// The chunk size messages are sent with after connect.
    public var outChunkSize: Int { encoder.chunkSize }

    /// Bytes to send to the client, in order; empties the buffer.
    public func takeOutput() -> [UInt8] {
        defer { output.removeAll(keepingCapacity: false) }
        return output
    }

    public var hasOutput: Bool { !output.isEmpty }

    /// Queues a message for the client on the chunk stream of its type.
    public func send(_ message: RTMPMessage) {
        output += encoder.encode(message)
    }

    /// Decodes received bytes. Throws on a protocol violation; the caller then closes.
    public func receive(_ bytes: UnsafeRawBufferPointer) throws(RTMPError) -> [RTMPServerEvent] {
        var events: [RTMPServerEvent] = []
        var remaining = bytes
        if phase == .waitingC0C1 && bytesReceived == 0, let version = bytes.first, version != Handshake.version {
            throw RTMPError("handshake", "C0 announces version \(version), not 3 (RTMPE and other protocols are not served)")
        }
        bytesReceived += UInt64(bytes.count)
        if phase != .connected {
            let used = handshake(remaining, events: &events)
            remaining = UnsafeRawBufferPointer(rebasing: remaining[used...])
            if phase != .connected || remaining.isEmpty {
                return events
            }
        }
        try decoder.decodeSharingMedia(remaining) { decoded throws(RTMPError) in
            switch decoded {
            case .media(let media): events.append(.media(media))
            case .message(let message): try handle(message, events: &events)
            }
        }
        acknowledgeIfNeeded()
        return events
    }

    // MARK: - Handshake

    private func handshake(_ bytes: UnsafeRawBufferPointer, events: inout [RTMPServerEvent]) -> Int {
        let need = (phase == .waitingC0C1 ? 1 + Handshake.packetSize : Handshake.packetSize) - handshakeBuffer.count
        let used = min(need, bytes.count)
        handshakeBuffer.append(contentsOf: bytes[0..<used])
        guard used == need else { return used }
        if phase == .waitingC0C1 {
            let c1 = Array(handshakeBuffer[1...])
            let (response, complex) = Handshake.serverResponse(c1: c1)
            output += response
            handshakeBuffer.removeAll()
            phase = .waitingC2
            events.append(.handshakeDone(complex: complex))
            // C2 may already be in this read.
            return used + handshake(UnsafeRawBufferPointer(rebasing: bytes[used...]), events: &events)
        }
        handshakeBuffer = []
        phase = .connected
        return used
    }

    // MARK: - Messages

    private func handle(_ message: RTMPMessage, events: inout [RTMPServerEvent]) throws(RTMPError) {
        switch message.typeId {
        case RTMPMessageType.audio, RTMPMessageType.video:
            if let media = SharedMessage(message) { events.append(.media(media)) }
        case RTMPMessageType.aggregate:
            try splitAggregate(message, events: &events)
        case RTMPMessageType.amf0Data, RTMPMessageType.amf3Data:
            try handleData(message, events: &events)
        case RTMPMessageType.amf0Command, RTMPMessageType.amf3Command:
            try handleCommand(message, events: &events)
        case RTMPMessageType.windowAckSize:
            var reader = ByteReader(message.payload)
            if let size = try? reader.readUInt32() { peerWindowAckSize = UInt64(size) }
        case RTMPMessageType.userControl:
            try handleUserControl(message, events: &events)
        case RTMPMessageType.setChunkSize, RTMPMessageType.abort, RTMPMessageType.acknowledgement,
            RTMPMessageType.setPeerBandwidth, RTMPMessageType.amf0SharedObject, RTMPMessageType.amf3SharedObject:
            break
        default:
            break  // unknown message types are ignored, as SRS does
        }
    }

    private func splitAggregate(_ message: RTMPMessage, events: inout [RTMPServerEvent]) throws(RTMPError) {
        for inner in try message.aggregateParts() {
            if inner.typeId == RTMPMessageType.audio || inner.typeId == RTMPMessageType.video,
               let media = SharedMessage(inner) {
                events.append(.media(media))
            } else if inner.typeId == RTMPMessageType.amf0Data {
                try handleData(inner, events: &events)
            }
        }
    }

    private func handleData(_ message: RTMPMessage, events: inout [RTMPServerEvent]) throws(RTMPError) {
        let values: [AMF0Value]
        do { values = try AMF0Decoder.decodeAll(message.amf0Body()) } catch { throw RTMPError("data message", error) }
        var rest = values[...]
        if rest.first?.stringValue == "@setDataFrame" { rest = rest.dropFirst() }
        guard rest.first?.stringValue == "onMetaData", rest.count >= 2 else { return }
        let body = AMF0Encoder.encode(Array(rest.prefix(2)))
        events.append(.metadata(RTMPMessage(typeId: RTMPMessageType.amf0Data, streamId: message.streamId, timestamp: message.timestamp, payload: body)))
    }

    private func handleUserControl(_ message: RTMPMessage, events: inout [RTMPServerEvent]) throws(RTMPError) {
        var reader = ByteReader(message.payload)
        guard let event = try? reader.readUInt16(), let value = try? reader.readUInt32() else {
            throw RTMPError("user control message", "payload of \(message.payload.count) bytes")
        }
        switch event {
        case UserControlEvent.pingRequest:
            send(.userControl(UserControlEvent.pingResponse, value))
        case UserControlEvent.setBufferLength:
            let length = (try? reader.readUInt32()) ?? 0
            playerBufferLength = length
            events.append(.setBufferLength(streamId: value, milliseconds: length))
        default:
            break
        }
    }

    private func acknowledgeIfNeeded() {
        let window = peerWindowAckSize > 0 ? peerWindowAckSize : UInt64(configuration.windowAckSize)
        if bytesReceived - lastAcknowledged >= window {
            lastAcknowledged = bytesReceived
            send(.acknowledgement(UInt32(truncatingIfNeeded: bytesReceived)))
        }
    }

    // MARK: - Commands

    private func handleCommand(_ message: RTMPMessage, events: inout [RTMPServerEvent]) throws(RTMPError) {
        let values: [AMF0Value]
        do { values = try AMF0Decoder.decodeAll(message.amf0Body()) } catch { throw RTMPError("command message", error) }
        guard let name = values.first?.stringValue else {
            throw RTMPError("command message", "first value is not a command name")
        }
        let transactionId = values.count > 1 ? (values[1].numberValue ?? 0) : 0
        let arguments = Array(values.dropFirst(3))
        if name != "connect" && !isConnected {
            throw RTMPError("command \(name)", "received before connect")
        }
        switch name {
        case "connect":
            guard !isConnected else { throw RTMPError("connect", "connect received twice") }
            guard values.count >= 3, case .object = values[2] else {
                throw RTMPError("connect", "missing command object")
            }
            let object = values[2]
            guard let tcUrl = object["tcUrl"]?.stringValue else { throw RTMPError("connect", "no tcUrl") }
            var request = StreamRequest()
            request.parseConnect(tcUrl: tcUrl, app: object["app"]?.stringValue)
            request.pageUrl = object["pageUrl"]?.stringValue ?? ""
            request.swfUrl = object["swfUrl"]?.stringValue ?? ""
            request.objectEncoding = object["objectEncoding"]?.numberValue ?? 0
            self.request = request
            isConnected = true
            connectTransactionId = transactionId
            events.append(.connect(request))
        case "createStream":
            let streamId = nextStreamId
            nextStreamId &+= 1
            send(.command(["_result", .number(transactionId), .null, .number(Double(streamId))]))
        case "releaseStream":
            send(.command(["_result", .number(transactionId), .null, .undefined]))
        case "FCPublish":
            fmlePublish = true
            send(.command(["_result", .number(transactionId), .null, .undefined]))
        case "FCUnpublish":
            let streamName = arguments.first?.stringValue ?? ""
            send(.command(["onFCUnpublish", 0, .null, Self.status("NetStream.Unpublish.Success", "Stop publishing stream.", streamName)]))
            send(.command(["_result", .number(transactionId), .null, .undefined]))
            events.append(.unpublish(streamName: streamName))
        case "publish":
            guard let rawName = arguments.first?.stringValue, !rawName.isEmpty else {
                throw RTMPError("publish", "no stream name")
            }
            var request = self.request
            request.parseStreamName(rawName)
            let type = arguments.count > 1 ? (arguments[1].stringValue ?? "live") : "live"
            events.append(.publish(streamId: message.streamId, request: request, type: type))
        case "play":
            guard let rawName = arguments.first?.stringValue, !rawName.isEmpty else {
                throw RTMPError("play", "no stream name")
            }
            var request = self.request
            request.parseStreamName(rawName)
            let start = arguments.count > 1 ? (arguments[1].numberValue ?? -2) : -2
            let duration = arguments.count > 2 ? (arguments[2].numberValue ?? -1) : -1
            let reset = arguments.count > 3 ? (arguments[3].boolValue ?? true) : true
            events.append(.play(streamId: message.streamId, request: request, start: start, duration: duration, reset: reset))
        case "pause":
            let paused = arguments.first?.boolValue ?? true
            let time = arguments.count > 1 ? (arguments[1].numberValue ?? 0) : 0
            if paused {
                send(.command(["onStatus", 0, .null, Self.status("NetStream.Pause.Notify", "Paused stream.", request.stream)], streamId: message.streamId))
                send(.userControl(UserControlEvent.streamEOF, message.streamId))
            } else {
                send(.command(["onStatus", 0, .null, Self.status("NetStream.Unpause.Notify", "Unpaused stream.", request.stream)], streamId: message.streamId))
                send(.userControl(UserControlEvent.streamBegin, message.streamId))
            }
            events.append(.pause(streamId: message.streamId, paused: paused, timeMs: time))
        case "closeStream", "deleteStream":
            let streamId = name == "deleteStream" ? (arguments.first?.uint32Value ?? message.streamId) : message.streamId
            events.append(.closeStream(streamId: streamId))
        case "getStreamLength":
            // A live stream has no length: 0 (FFmpeg reads a number here).
            if transactionId > 0 { send(.command(["_result", .number(transactionId), .null, 0])) }
        default:
            // _checkbw and any other call: answer when a reply is expected (SRS); the
            // application may act on it (the bandwidth test's packets).
            if transactionId > 0 {
                send(.command(["_result", .number(transactionId), .null, .null]))
            }
            events.append(.call(streamId: message.streamId, name: name, arguments: arguments))
        }
    }

    private var connectTransactionId: Double = 1

    // MARK: - Application decisions

    /// Answers connect: Window Ack Size, Set Peer Bandwidth, Set Chunk Size, `_result` with
    /// NetConnection.Connect.Success, then onBWDone.
    /// `chunkSize` overrides the configured out chunk size (a vhost's own `chunk_size`).
    public func acceptConnect(chunkSize: Int? = nil) {
        let outChunkSize = chunkSize ?? configuration.outChunkSize
        send(.windowAckSize(configuration.windowAckSize))
        send(.setPeerBandwidth(configuration.peerBandwidth))
        send(.setChunkSize(outChunkSize))
        encoder.chunkSize = outChunkSize
        let properties: AMF0Value = .object([
            AMF0Property("fmsVer", "FMS/3,5,3,888"),
            AMF0Property("capabilities", 127),
            AMF0Property("mode", 1),
        ])
        let information: AMF0Value = .object([
            AMF0Property("level", "status"),
            AMF0Property("code", "NetConnection.Connect.Success"),
            AMF0Property("description", "Connection succeeded"),
            AMF0Property("objectEncoding", .number(request.objectEncoding)),
            AMF0Property("data", .ecmaArray([
                AMF0Property("version", "3,5,3,888"),
                AMF0Property("srs_server", .string("\(configuration.serverName)/\(configuration.serverVersion)")),
            ])),
        ])
        send(.command(["_result", .number(connectTransactionId), properties, information]))
        send(.command(["onBWDone", 0, .null]))
    }

    /// Refuses connect with NetConnection.Connect.Rejected; the caller then closes.
    public func rejectConnect(_ description: String) {
        let information: AMF0Value = .object([
            AMF0Property("level", "error"),
            AMF0Property("code", "NetConnection.Connect.Rejected"),
            AMF0Property("description", .string(description)),
        ])
        send(.command(["_error", .number(connectTransactionId), .null, information]))
    }

    /// Answers publish with onFCPublish (FMLE-style clients) and NetStream.Publish.Start.
    public func acceptPublish(streamId: UInt32, streamName: String) {
        if fmlePublish {
            send(.command(["onFCPublish", 0, .null, Self.status("NetStream.Publish.Start", "Started publishing stream.", streamName)], streamId: streamId))
        }
        send(.command(["onStatus", 0, .null, Self.status("NetStream.Publish.Start", "Started publishing stream.", streamName)], streamId: streamId))
    }

    /// Refuses publish (NetStream.Publish.BadName for a stream already published, or another
    /// code); the caller then closes.
    public func rejectPublish(streamId: UInt32, code: String = "NetStream.Publish.BadName", description: String) {
        send(.command(["onStatus", 0, .null, Self.status(code, description, request.stream, level: "error")], streamId: streamId))
    }

    /// Answers unpublish of a stream the client published (closeStream after publishing).
    public func confirmUnpublish(streamId: UInt32, streamName: String) {
        send(.command(["onStatus", 0, .null, Self.status("NetStream.Unpublish.Success", "Stream is now unpublished", streamName)], streamId: streamId))
    }

    /// Answers play: Stream Begin, NetStream.Play.Reset, NetStream.Play.Start,
    /// |RtmpSampleAccess and NetStream.Data.Start.
    public func acceptPlay(streamId: UInt32, streamName: String) {
        send(.userControl(UserControlEvent.streamBegin, streamId))
        send(.command(["onStatus", 0, .null, Self.status("NetStream.Play.Reset", "Playing and resetting stream.", streamName)], streamId: streamId))
        send(.command(["onStatus", 0, .null, Self.status("NetStream.Play.Start", "Started playing stream.", streamName)], streamId: streamId))
        send(.data(["|RtmpSampleAccess", true, true], streamId: streamId))
        send(.data(["onStatus", .object([AMF0Property("code", "NetStream.Data.Start")])], streamId: streamId))
    }

    /// Refuses play (NetStream.Play.StreamNotFound or another code); the caller then closes.
    public func rejectPlay(streamId: UInt32, code: String = "NetStream.Play.StreamNotFound", description: String) {
        send(.command(["onStatus", 0, .null, Self.status(code, description, request.stream, level: "error")], streamId: streamId))
    }

    /// Tells a player the stream ended (NetStream.Play.UnpublishNotify and Stream EOF).
    public func notifyUnpublished(streamId: UInt32) {
        send(.command(["onStatus", 0, .null, Self.status("NetStream.Play.UnpublishNotify", "stream is now unpublished.", request.stream)], streamId: streamId))
        send(.userControl(UserControlEvent.streamEOF, streamId))
    }

    /// Tells a player a new publisher started (NetStream.Play.PublishNotify and Stream Begin).
    public func notifyPublished(streamId: UInt32) {
        send(.userControl(UserControlEvent.streamBegin, streamId))
        send(.command(["onStatus", 0, .null, Self.status("NetStream.Play.PublishNotify", "stream is now published.", request.stream)], streamId: streamId))
    }

    /// An onStatus information object as SRS sends it.
    public static func status(_ code: String, _ description: String, _ details: String, level: String = "status") -> AMF0Value {
        .object([
            AMF0Property("level", .string(level)),
            AMF0Property("code", .string(code)),
            AMF0Property("description", .string(description)),
            AMF0Property("details", .string(details)),
            AMF0Property("clientid", "ASAICiss"),
        ])
    }
}
