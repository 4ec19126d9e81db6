import SRSKernel

/// One media message as RTMP and FLV carry it: an FLV tag's type, time and body.
public struct MediaPacket: Sendable, Equatable {
    /// FLV tag types.
    public enum Kind: UInt8, Sendable {
        case audio = 8
        case video = 9
        case script = 18
    }

    /// 8 audio, 9 video, 18 script data (onMetaData); other RTMP types pass through.
    public var type: UInt8
    /// Milliseconds (RTMP's 32-bit time, unwrapped by the caller when it matters).
    public var timestamp: UInt32
    public var payload: [UInt8]

    public init(type: UInt8, timestamp: UInt32, payload: [UInt8]) {
        self.type = type
        self.timestamp = timestamp
        self.payload = payload
    }

    public init(kind: Kind, timestamp: UInt32, payload: [UInt8]) {
        self.init(type: kind.rawValue, timestamp: timestamp, payload: payload)
    }

    public var kind: Kind? { Kind(rawValue: type) }
    /// A video keyframe (or an AVC sequence header).
    public var isKeyframe: Bool { type == 9 && (payload.first ?? 0) >> 4 == 1 }
    /// An AVC or AAC sequence header.
    public var isSequenceHeader: Bool {
        payload.count >= 2 && payload[1] == 0 && ((type == 9 && payload[0] & 0x0F == 7) || (type == 8 && payload[0] >> 4 == 10))
    }

    /// For a file: this packet when it is onMetaData, without the `@setDataFrame` an encoder
    /// puts first; nil for other script data (`|RtmpSampleAccess`, `onStatus`) and media.
    public var metadataForFile: MediaPacket? {
        guard type == 18, let values = try? AMF0Decoder.decodeAll(payload), let name = values.first?.stringValue else { return nil }
        if name == "onMetaData" { return self }
        guard name == "@setDataFrame", values.count >= 2, values[1].stringValue == "onMetaData" else { return nil }
        return MediaPacket(type: 18, timestamp: timestamp, payload: AMF0Encoder.encode(Array(values.dropFirst())))
    }

    /// One line for people: "Video packet dts=40 pts=120 size=1234 H.264 inter (nalu)".
    public var description: String { PacketDescription.describe(type: type, timestamp: Int64(timestamp), payload: payload) }
}
