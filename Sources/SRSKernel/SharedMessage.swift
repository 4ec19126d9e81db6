/// The kind of a live media message; the raw values are the RTMP/FLV tag types.
public enum MediaKind: UInt8, Sendable {
    case audio = 8
    case video = 9
    /// AMF0 script data such as onMetaData.
    case data = 18
}

/// An immutable, reference-counted media message shared by every consumer of a stream.
/// The fields and the payload live in one heap allocation with a stable address (the payload
/// is tail-allocated after the fields), so many players can hand the same bytes to `writev`
/// without copying, and a published message costs one `malloc` and one `free`.
/// A value of this type is one reference: copying it retains, as a class reference would.
/// Sendable because nothing in the storage changes once the initializer returns.
public struct SharedMessage: @unchecked Sendable {
    @usableFromInline let storage: Storage

    @usableFromInline
    struct Fields {
        @usableFromInline var timestamp: Int64
        @usableFromInline var count: Int
        @usableFromInline var kind: MediaKind
        @usableFromInline var isKeyframe = false
        @usableFromInline var isSequenceHeader = false
    }

    /// The one allocation: the fields, then `count` payload bytes.
    @usableFromInline
    final class Storage: ManagedBuffer<Fields, UInt8> {}

    /// A message of `count` payload bytes written in place by `writePayload`, which must
    /// initialize all of them. The way to build a message from bytes that are not contiguous
    /// (chunks, PES packets) or from a decoder's buffer without an intermediate array.
    public init(kind: MediaKind, timestamp: Int64, count: Int,
                writingPayloadWith writePayload: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        let created = Storage.create(minimumCapacity: max(count, 1)) { _ in
            Fields(timestamp: timestamp, count: count, kind: kind)
        }
        storage = unsafeDowncast(created, to: Storage.self)
        try storage.withUnsafeMutablePointerToElements { elements in
            try writePayload(UnsafeMutableRawBufferPointer(start: elements, count: count))
        }
        classify()
    }

    public init<C: Collection>(kind: MediaKind, timestamp: Int64, payload bytes: C) where C.Element == UInt8 {
        let count = bytes.count
        self.init(kind: kind, timestamp: timestamp, count: count) { destination in
            // One memcpy for contiguous bytes (arrays, slices, raw buffers). The element-wise
            // generic copy it replaces was a quarter of the server's CPU with 1,000 publishers
            // (perf, docs/performance.md): callers in other modules reach this init unspecialized.
            let copied = bytes.withContiguousStorageIfAvailable { source in
                if count > 0, let base = source.baseAddress { destination.baseAddress!.copyMemory(from: base, byteCount: count) }
                return true
            }
            if copied == nil { _ = destination.initializeMemory(as: UInt8.self, from: bytes) }
        }
    }

    private func classify() {
        let payload = self.payload
        switch kind {
        case .video:
            storage.header.isKeyframe = CodecInfo.isVideoKeyframe(payload) && !CodecInfo.isVideoEndOfSequence(payload)
            storage.header.isSequenceHeader = CodecInfo.isVideoSequenceHeader(payload)
        case .audio:
            storage.header.isSequenceHeader = CodecInfo.isAudioSequenceHeader(payload)
        case .data:
            break
        }
    }

    @inlinable public var kind: MediaKind { storage.header.kind }
    /// Timestamp in milliseconds, 64-bit so that sessions longer than 2^32 ms keep counting.
    @inlinable public var timestamp: Int64 { storage.header.timestamp }
    @inlinable public var isKeyframe: Bool { storage.header.isKeyframe }
    @inlinable public var isSequenceHeader: Bool { storage.header.isSequenceHeader }

    /// The payload bytes (FLV tag body / RTMP message body). Never mutated after init; valid
    /// while this message (any copy of it) is alive: the storage is a class instance, whose
    /// tail-allocated bytes do not move.
    @inlinable public var payload: UnsafeRawBufferPointer {
        storage.withUnsafeMutablePointerToElements { UnsafeRawBufferPointer(start: $0, count: storage.header.count) }
    }

    public var size: Int { storage.header.count }

    /// The object that keeps the payload alive: for I/O that holds `payload` pointers after
    /// this value is gone (queued `writev` pieces).
    public var owner: AnyObject { storage }

    /// A copy of the payload.
    public var bytes: [UInt8] { Array(payload) }

    /// A message with the same payload bytes and a new timestamp.
    public func retimed(_ newTimestamp: Int64) -> SharedMessage {
        SharedMessage(kind: kind, timestamp: newTimestamp, payload: payload)
    }
}

/// Identity: the same message (one allocation), not merely equal bytes.
public func === (lhs: SharedMessage?, rhs: SharedMessage?) -> Bool { lhs?.storage === rhs?.storage }
public func !== (lhs: SharedMessage?, rhs: SharedMessage?) -> Bool { !(lhs === rhs) }
