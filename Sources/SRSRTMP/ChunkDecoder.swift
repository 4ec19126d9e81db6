import SRSKernel

/// Reassembles RTMP messages from chunks (RTMP spec 5.3): basic headers with 1-3 byte chunk
/// stream ids, message headers of fmt 0-3, extended timestamps (also on fmt 3 chunks), the
/// peer's chunk size, Abort. Timestamps are unwrapped to 64 bits.
///
/// Memory grows only with bytes actually received: a header that announces a huge message
/// allocates nothing until its bytes arrive, lengths above the limits are refused, and the
/// unfinished messages of all chunk streams together hold at most `maxPartialBytes`.
public struct ChunkDecoder: Sendable {
    /// Largest audio/video/aggregate message accepted.
    public var maxMediaMessageSize = 16 * 1024 * 1024 - 1
    /// Largest command, data or control message accepted.
    public var maxControlMessageSize = 1024 * 1024
    /// Most chunk streams with a message in progress at once.
    public var maxChunkStreams = 256
    /// Most bytes held in unfinished messages over all chunk streams. A publisher interleaves
    /// one audio and one video message at a time; 256 chunk streams each growing a 16 MB
    /// message toward its end would be 4 GB for one client.
    public var maxPartialBytes = 32 * 1024 * 1024
    /// Latest message timestamp accepted (ms; 2^53 is 285,000 years). Each chunk header may
    /// add up to 2^32 - 1 ms, so without a bound a publisher could run the 64-bit clock into
    /// overflow, here or wherever timestamps are added to or multiplied (90 kHz TS clocks).
    public var maxTimestamp: Int64 = 1 << 53

    /// The peer's chunk size (Set Chunk Size from the peer); 128 until it says otherwise.
    public private(set) var chunkSize = 128

    /// The bytes of an unfinished chunk, kept from one read to the next. Empty between reads
    /// that end on a chunk boundary: most reads are decoded straight from the caller's bytes.
    private var buffer: [UInt8] = []
    /// The header state of each chunk stream seen, searched linearly: a publisher uses a
    /// handful (2-8), and a hash per chunk cost more than the scan.
    private var streams: [ChunkStreamState] = []
    /// Partial payloads, parallel to `streams`, kept apart from the header state so that
    /// appending a chunk mutates the array in place (in the state struct, every chunk copied
    /// the whole partial message: quadratic at small chunk sizes).
    private var payloads: [[UInt8]] = []
    /// Bytes in `payloads` (unfinished messages), bounded by `maxPartialBytes`.
    private var partialByteCount = 0

    /// One decoded message: audio and video as shared messages when asked for
    /// (`decodeSharingMedia`), so that a publisher's media is copied once, from the read
    /// into the message every player shares.
    public enum Decoded: Sendable {
        case message(RTMPMessage)
        case media(SharedMessage)
    }

    private struct ChunkStreamState: Sendable {
        var csid: UInt32
        var timestamp: Int64 = 0
        /// The last timestamp field or delta, reused by fmt 3.
        var delta: UInt32 = 0
        var length = 0
        var typeId: UInt8 = 0
        var streamId: UInt32 = 0
        var hasExtendedTimestamp = false
        var extendedValue: UInt32 = 0
        var hasHeader = false
        /// Bytes of the message in progress received so far (the bytes live in `payloads`).
        var received = 0
        var inProgress = false
    }

    public init() {}

    /// Changes the peer's chunk size (after a Set Chunk Size message).
    public mutating func setChunkSize(_ size: Int) throws(RTMPError) {
        guard size >= 1 && size <= 0xFF_FFFF else {
            throw RTMPError("set chunk size", "chunk size \(size) outside 1...16777215")
        }
        chunkSize = size
    }

    /// Drops the partial message of a chunk stream (Abort message).
    public mutating func abort(chunkStreamId: UInt32) {
        guard let index = streams.firstIndex(where: { $0.csid == chunkStreamId }) else { return }
        if streams[index].inProgress { partialByteCount -= streams[index].received }
        streams[index].received = 0
        streams[index].inProgress = false
        payloads[index] = []
    }

    /// Bytes buffered but not yet decoded.
    public var bufferedByteCount: Int { buffer.count }

    /// Adds received bytes and returns the messages they complete. Set Chunk Size and Abort
    /// are applied here as soon as they are decoded (so later chunks in the same read use them)
    /// and also returned. After an error the decoder is not to be used again.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer) throws(RTMPError) -> [RTMPMessage] {
        var messages: [RTMPMessage] = []
        try decode(bytes, sharingMedia: false) { decoded in
            if case .message(let message) = decoded { messages.append(message) }
        }
        return messages
    }

    /// As `decode`, handing each message to `body` in order, complete audio and video as
    /// `SharedMessage`s, each built in one allocation from the received bytes (no
    /// intermediate array). A message decoded is handed over before the next chunk is read.
    public mutating func decodeSharingMedia(_ bytes: UnsafeRawBufferPointer,
                                            _ body: (Decoded) throws(RTMPError) -> Void) throws(RTMPError) {
        try decode(bytes, sharingMedia: true, body)
    }

    private mutating func decode(_ bytes: UnsafeRawBufferPointer, sharingMedia: Bool,
                                 _ emit: (Decoded) throws(RTMPError) -> Void) throws(RTMPError) {
        if buffer.isEmpty {
            let used = try decodeChunks(bytes, sharingMedia: sharingMedia, emit)
            if used < bytes.count { buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[used...])) }
            return
        }
        // An unfinished chunk from the last read: decode from the joined bytes. The buffer is
        // moved out while it is read (no copy), so that decoding may mutate the decoder.
        var joined = buffer
        buffer = []
        joined.append(contentsOf: bytes)
        var failure: RTMPError?
        let used = joined.withUnsafeBytes { joinedBytes in
            do throws(RTMPError) { return try decodeChunks(joinedBytes, sharingMedia: sharingMedia, emit) } catch {
                failure = error
                return 0
            }
        }
        if let failure { throw failure }
        if used == 0 {
            buffer = joined
        } else if used < joined.count {
            buffer = Array(joined[used...])
        }
    }

    /// Decodes the whole chunks at the start of `input`; returns how many bytes they took.
    private mutating func decodeChunks(_ input: UnsafeRawBufferPointer, sharingMedia: Bool,
                                       _ emit: (Decoded) throws(RTMPError) -> Void) throws(RTMPError) -> Int {
        var index = 0
        while let (next, decoded) = try decodeOne(input, at: index, sharingMedia: sharingMedia) {
            index = next
            guard let decoded else { continue }
            if case .message(let message) = decoded {
                if message.typeId == RTMPMessageType.setChunkSize {
                    var reader = ByteReader(message.payload)
                    guard let size = try? reader.readUInt32() else {
                        throw RTMPError("set chunk size", "payload of \(message.payload.count) bytes")
                    }
                    try setChunkSize(Int(size & 0x7FFF_FFFF))
                } else if message.typeId == RTMPMessageType.abort, message.payload.count >= 4 {
                    var reader = ByteReader(message.payload)
                    if let csid = try? reader.readUInt32() { abort(chunkStreamId: csid) }
                }
            }
            try emit(decoded)
        }
        return index
    }

    /// Decodes the chunk at `start`. Returns nil when more bytes are needed, else the index
    /// after the chunk and the message it completed, if any.
    private mutating func decodeOne(_ input: UnsafeRawBufferPointer, at start: Int,
                                    sharingMedia: Bool) throws(RTMPError) -> (Int, Decoded?)? {
        let available = input.count - start
        guard available >= 1 else { return nil }
        var index = start
        let first = input[index]
        index += 1
        let fmt = first >> 6
        var csid = UInt32(first & 0x3F)
        if csid == 0 {
            guard available >= 2 else { return nil }
            csid = 64 + UInt32(input[index])
            index += 1
        } else if csid == 1 {
            guard available >= 3 else { return nil }
            csid = 64 + UInt32(input[index]) + UInt32(input[index + 1]) * 256
            index += 2
        }
        let messageHeaderSize = fmt == 0 ? 11 : fmt == 1 ? 7 : fmt == 2 ? 3 : 0
        guard input.count - index >= messageHeaderSize else { return nil }

        let slot: Int
        if let known = streams.firstIndex(where: { $0.csid == csid }) {
            slot = known
        } else {
            if streams.count >= maxChunkStreams {
                throw RTMPError("chunk header", "more than \(maxChunkStreams) chunk streams")
            }
            if fmt != 0 {
                throw RTMPError("chunk header", "fmt \(fmt) on chunk stream \(csid) before any fmt 0 header")
            }
            // Not stored until the chunk is whole: an incomplete chunk commits nothing.
            slot = streams.count
        }
        var state = slot < streams.count ? streams[slot] : ChunkStreamState(csid: csid)
        if fmt != 0 && !state.hasHeader {
            throw RTMPError("chunk header", "fmt \(fmt) on chunk stream \(csid) before any fmt 0 header")
        }
        // A new header in the middle of a message: SRS and librtmp treat it as a fresh start.
        // The dropped bytes leave the count only once this chunk is whole and committed: until
        // then the header is parsed again on every read, from the stored state.
        var droppedBytes = 0
        if state.inProgress && fmt != 3 {
            droppedBytes = state.received
            state.received = 0
            state.inProgress = false
        }
        let startsMessage = !state.inProgress

        var timestampField: UInt32 = 0
        if fmt <= 2 {
            timestampField = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            if fmt <= 1 {
                state.length = Int(UInt32(input[index + 3]) << 16 | UInt32(input[index + 4]) << 8 | UInt32(input[index + 5]))
                state.typeId = input[index + 6]
                if fmt == 0 {
                    state.streamId = UInt32(input[index + 7]) | UInt32(input[index + 8]) << 8
                        | UInt32(input[index + 9]) << 16 | UInt32(input[index + 10]) << 24
                }
            }
            index += messageHeaderSize
            state.hasExtendedTimestamp = timestampField == 0xFF_FFFF
        }
        if state.hasExtendedTimestamp {
            guard input.count - index >= 4 else { return nil }
            let value = UInt32(input[index]) << 24 | UInt32(input[index + 1]) << 16
                | UInt32(input[index + 2]) << 8 | UInt32(input[index + 3])
            if fmt == 3 && !startsMessage && value != state.extendedValue {
                // Some encoders omit the extended timestamp on continuation chunks (SRS checks the same way).
            } else {
                index += 4
                timestampField = value
                state.extendedValue = value
            }
        }

        if startsMessage {
            let limit = (state.typeId == RTMPMessageType.audio || state.typeId == RTMPMessageType.video
                || state.typeId == RTMPMessageType.aggregate) ? maxMediaMessageSize : maxControlMessageSize
            if state.length > limit {
                throw RTMPError("chunk header", "message of \(state.length) bytes (type \(state.typeId)) on chunk stream \(csid) exceeds the limit of \(limit)")
            }
            if fmt == 0 {
                // Unwrap against the running 64-bit timestamp (deltas included): the nearest
                // value with these low 32 bits, never more than 2^31 back.
                let absolute = Int64(timestampField)
                var candidate = (state.timestamp & ~0xFFFF_FFFF) | absolute
                if candidate < state.timestamp - 0x8000_0000 { candidate += 0x1_0000_0000 }
                if candidate > state.timestamp + 0x8000_0000 && candidate >= 0x1_0000_0000 { candidate -= 0x1_0000_0000 }
                state.delta = timestampField
                state.timestamp = candidate
            } else if fmt == 1 || fmt == 2 {
                state.delta = timestampField
                state.timestamp += Int64(timestampField)
            } else {
                state.timestamp += Int64(state.delta)
            }
            guard state.timestamp <= maxTimestamp else {
                throw RTMPError("chunk stream \(csid)", "timestamp \(state.timestamp) ms is past \(maxTimestamp) ms")
            }
            state.hasHeader = true
            state.inProgress = true
            state.received = 0
        }

        let needed = state.length - state.received
        let chunkBytes = min(needed, chunkSize)
        // Not enough bytes: nothing was committed, the whole chunk is parsed again later.
        guard input.count - index >= chunkBytes else { return nil }
        partialByteCount -= droppedBytes
        if chunkBytes < needed && partialByteCount + chunkBytes > maxPartialBytes {
            throw RTMPError("chunk stream \(csid)", "unfinished messages would hold more than \(maxPartialBytes) bytes")
        }
        if slot == streams.count {
            streams.append(state)
            payloads.append([])
        }
        let chunk = UnsafeRawBufferPointer(rebasing: input[index..<(index + chunkBytes)])
        index += chunkBytes
        if startsMessage && chunkBytes == needed {
            // The whole message in one chunk (a publisher's audio and video at its chunk
            // size): its payload straight from the input, no partial payload kept.
            if droppedBytes > 0 { payloads[slot] = [] }
            state.inProgress = false
            streams[slot] = state
            return (index, complete(state, payload: chunk, sharingMedia: sharingMedia))
        }
        if startsMessage {
            payloads[slot] = []
            payloads[slot].reserveCapacity(min(state.length, 65536))
        }
        payloads[slot].append(contentsOf: chunk)
        state.received += chunkBytes
        partialByteCount += chunkBytes

        guard state.received >= state.length else {
            streams[slot] = state
            return (index, nil)
        }
        partialByteCount -= state.received
        state.received = 0
        state.inProgress = false
        streams[slot] = state
        var payload: [UInt8] = []
        swap(&payload, &payloads[slot])
        let decoded: Decoded
        if sharingMedia, let kind = Self.sharedKind(state.typeId) {
            decoded = .media(SharedMessage(kind: kind, timestamp: state.timestamp, payload: payload))
        } else {
            decoded = .message(RTMPMessage(typeId: state.typeId, streamId: state.streamId, timestamp: state.timestamp, payload: payload))
        }
        return (index, decoded)
    }

    private func complete(_ state: ChunkStreamState, payload: UnsafeRawBufferPointer, sharingMedia: Bool) -> Decoded {
        if sharingMedia, let kind = Self.sharedKind(state.typeId) {
            return .media(SharedMessage(kind: kind, timestamp: state.timestamp, payload: payload))
        }
        return .message(RTMPMessage(typeId: state.typeId, streamId: state.streamId, timestamp: state.timestamp,
                                    payload: Array(payload)))
    }

    /// Audio and video are shared; every other type stays an `RTMPMessage`.
    private static func sharedKind(_ typeId: UInt8) -> MediaKind? {
        typeId == RTMPMessageType.audio ? .audio : typeId == RTMPMessageType.video ? .video : nil
    }
}
