/// The kind of a live media message; the raw values are the RTMP/FLV tag types.
public enum MediaKind: UInt8, Sendable {
    case audio = 8
    case video = 9
    /// AMF0 script data such as onMetaData.
    case data = 18
}

/// An immutable, reference-counted media message shared by every consumer of a stream.
/// The payload lives in one heap allocation with a stable address, so many players can hand
/// the same bytes to `writev` without copying.
public final class SharedMessage: @unchecked Sendable {
    public let kind: MediaKind
    /// Timestamp in milliseconds, 64-bit so that sessions longer than 2^32 ms keep counting.
    public let timestamp: Int64
    /// The payload bytes (FLV tag body / RTMP message body). Never mutated after init.
    public let payload: UnsafeRawBufferPointer
    public let isKeyframe: Bool
    public let isSequenceHeader: Bool

    public init<C: Collection>(kind: MediaKind, timestamp: Int64, payload bytes: C) where C.Element == UInt8 {
        self.kind = kind
        self.timestamp = timestamp
        let count = bytes.count
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 8)
        // One memcpy for contiguous bytes (arrays, slices, raw buffers). The element-wise
        // generic copy it replaces was a quarter of the server's CPU with 1,000 publishers
        // (perf, docs/performance.md): callers in other modules reach this init unspecialized.
        let copied = bytes.withContiguousStorageIfAvailable { source in
            if count > 0, let base = source.baseAddress { buffer.baseAddress!.copyMemory(from: base, byteCount: count) }
            return count
        } ?? buffer.initializeMemory(as: UInt8.self, from: bytes).initialized.count
        payload = UnsafeRawBufferPointer(start: buffer.baseAddress, count: copied)
        switch kind {
        case .video:
            isKeyframe = CodecInfo.isVideoKeyframe(payload) && !CodecInfo.isVideoEndOfSequence(payload)
            isSequenceHeader = CodecInfo.isVideoSequenceHeader(payload)
        case .audio:
            isKeyframe = false
            isSequenceHeader = CodecInfo.isAudioSequenceHeader(payload)
        case .data:
            isKeyframe = false
            isSequenceHeader = false
        }
    }

    deinit { UnsafeMutableRawBufferPointer(mutating: payload).deallocate() }

    public var size: Int { payload.count }

    /// A copy of the payload.
    public var bytes: [UInt8] { Array(payload) }

    /// A message with the same payload bytes and a new timestamp.
    public func retimed(_ newTimestamp: Int64) -> SharedMessage {
        SharedMessage(kind: kind, timestamp: newTimestamp, payload: payload)
    }
}
