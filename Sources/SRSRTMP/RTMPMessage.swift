import SRSKernel

/// RTMP message type ids (RTMP spec 5.4 and 7.1).
public enum RTMPMessageType {
    public static let setChunkSize: UInt8 = 1
    public static let abort: UInt8 = 2
    public static let acknowledgement: UInt8 = 3
    public static let userControl: UInt8 = 4
    public static let windowAckSize: UInt8 = 5
    public static let setPeerBandwidth: UInt8 = 6
    public static let audio: UInt8 = 8
    public static let video: UInt8 = 9
    public static let amf3Data: UInt8 = 15
    public static let amf3SharedObject: UInt8 = 16
    public static let amf3Command: UInt8 = 17
    public static let amf0Data: UInt8 = 18
    public static let amf0SharedObject: UInt8 = 19
    public static let amf0Command: UInt8 = 20
    public static let aggregate: UInt8 = 22
}

/// Chunk stream ids this server sends on (the same choice as SRS).
public enum RTMPChunkStream {
    public static let protocolControl: UInt32 = 2
    public static let overConnection: UInt32 = 3
    public static let overConnection2: UInt32 = 4
    public static let overStream: UInt32 = 5
    public static let video: UInt32 = 6
    public static let audio: UInt32 = 7
    public static let overStream2: UInt32 = 8

    /// The chunk stream a message of `typeId` is sent on.
    public static func forType(_ typeId: UInt8) -> UInt32 {
        switch typeId {
        case RTMPMessageType.audio: return audio
        case RTMPMessageType.video: return video
        case RTMPMessageType.amf0Data, RTMPMessageType.amf3Data: return overStream2
        default: return overStream
        }
    }
}

/// User control event types (RTMP spec 7.1.7).
public enum UserControlEvent {
    public static let streamBegin: UInt16 = 0
    public static let streamEOF: UInt16 = 1
    public static let streamDry: UInt16 = 2
    public static let setBufferLength: UInt16 = 3
    public static let streamIsRecorded: UInt16 = 4
    public static let pingRequest: UInt16 = 6
    public static let pingResponse: UInt16 = 7
}

/// One complete RTMP message.
public struct RTMPMessage: Sendable, Equatable {
    public var typeId: UInt8
    public var streamId: UInt32
    /// Milliseconds; 64-bit, unwrapped past 2^32 by the chunk decoder.
    public var timestamp: Int64
    public var payload: [UInt8]

    public init(typeId: UInt8, streamId: UInt32 = 0, timestamp: Int64 = 0, payload: [UInt8]) {
        self.typeId = typeId
        self.streamId = streamId
        self.timestamp = timestamp
        self.payload = payload
    }

    /// A command message of AMF0 values.
    public static func command(_ values: [AMF0Value], streamId: UInt32 = 0) -> RTMPMessage {
        RTMPMessage(typeId: RTMPMessageType.amf0Command, streamId: streamId, payload: AMF0Encoder.encode(values))
    }

    /// A data message of AMF0 values.
    public static func data(_ values: [AMF0Value], streamId: UInt32 = 0) -> RTMPMessage {
        RTMPMessage(typeId: RTMPMessageType.amf0Data, streamId: streamId, payload: AMF0Encoder.encode(values))
    }

    public static func setChunkSize(_ size: Int) -> RTMPMessage {
        var writer = ByteWriter(capacity: 4)
        writer.writeUInt32(UInt32(size) & 0x7FFF_FFFF)
        return RTMPMessage(typeId: RTMPMessageType.setChunkSize, payload: writer.bytes)
    }

    public static func windowAckSize(_ size: UInt32) -> RTMPMessage {
        var writer = ByteWriter(capacity: 4)
        writer.writeUInt32(size)
        return RTMPMessage(typeId: RTMPMessageType.windowAckSize, payload: writer.bytes)
    }

    public static func acknowledgement(_ sequence: UInt32) -> RTMPMessage {
        var writer = ByteWriter(capacity: 4)
        writer.writeUInt32(sequence)
        return RTMPMessage(typeId: RTMPMessageType.acknowledgement, payload: writer.bytes)
    }

    /// Set Peer Bandwidth; limit type 2 is "dynamic".
    public static func setPeerBandwidth(_ size: UInt32, limitType: UInt8 = 2) -> RTMPMessage {
        var writer = ByteWriter(capacity: 5)
        writer.writeUInt32(size)
        writer.writeUInt8(limitType)
        return RTMPMessage(typeId: RTMPMessageType.setPeerBandwidth, payload: writer.bytes)
    }

    public static func userControl(_ event: UInt16, _ value: UInt32, extra: UInt32? = nil) -> RTMPMessage {
        var writer = ByteWriter(capacity: 10)
        writer.writeUInt16(event)
        writer.writeUInt32(value)
        if let extra { writer.writeUInt32(extra) }
        return RTMPMessage(typeId: RTMPMessageType.userControl, payload: writer.bytes)
    }

    /// The AMF0 body of a command or data message (AMF3 variants carry an AMF0 body after one
    /// format byte).
    public func amf0Body() -> [UInt8] {
        if (typeId == RTMPMessageType.amf3Command || typeId == RTMPMessageType.amf3Data), payload.first == 0 {
            return Array(payload.dropFirst())
        }
        return payload
    }
}

extension RTMPMessage {
    /// The messages an aggregate message (type 22) carries: its FLV tags, timed from the
    /// aggregate's timestamp (tags that run backwards from the first are kept at 0 or later).
    public func aggregateParts() throws(RTMPError) -> [RTMPMessage] {
        var reader = ByteReader(payload)
        let tags: [FLV.Tag]
        do { tags = try FLV.readTags(&reader, context: "aggregate message") } catch { throw RTMPError("aggregate message", error) }
        guard let first = tags.first else { return [] }
        return tags.map { tag in
            RTMPMessage(typeId: tag.type, streamId: streamId, timestamp: max(0, timestamp + Int64(tag.timestamp) - Int64(first.timestamp)), payload: tag.body)
        }
    }
}

extension SharedMessage {
    /// The shared form of an audio, video or AMF0 data message (nil for any other type).
    public init?(_ message: RTMPMessage) {
        guard let kind = MediaKind(rawValue: message.typeId) else { return nil }
        self.init(kind: kind, timestamp: message.timestamp, payload: message.payload)
    }
}

extension RTMPMessage {
    /// A shared message as an RTMP message on `streamId`.
    public init(_ message: SharedMessage, streamId: UInt32) {
        self.init(typeId: message.kind.rawValue, streamId: streamId, timestamp: message.timestamp, payload: message.bytes)
    }
}
