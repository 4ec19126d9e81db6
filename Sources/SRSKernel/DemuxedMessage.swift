/// One message a demuxer (MPEG-TS, RTP) hands to the live source: an FLV audio/video tag
/// body at `timestamp` ms.
public struct DemuxedMessage: Sendable, Equatable {
    public var kind: MediaKind
    public var timestamp: Int64
    public var body: [UInt8]
    public var isSequenceHeader: Bool

    public init(kind: MediaKind, timestamp: Int64, body: [UInt8], isSequenceHeader: Bool) {
        self.kind = kind
        self.timestamp = timestamp
        self.body = body
        self.isSequenceHeader = isSequenceHeader
    }
}
