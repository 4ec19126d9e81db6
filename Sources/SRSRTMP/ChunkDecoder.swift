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

    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var streams: [UInt32: ChunkStreamState] = [:]
    /// Partial payloads by chunk stream, kept apart from the header state so that appending a
    /// chunk mutates the array in place (in the state struct, every chunk copied the whole
    /// partial message: quadratic at small chunk sizes).
    private var payloads: [UInt32: [UInt8]] = [:]
    /// Bytes in `payloads` (unfinished messages), bounded by `maxPartialBytes`.
    private var partialByteCount = 0

    private struct ChunkStreamState: Sendable {
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
        if let state = streams[chunkStreamId], state.inProgress { partialByteCount -= state.received }
        streams[chunkStreamId]?.received = 0
        payloads[chunkStreamId] = nil
        streams[chunkStreamId]?.inProgress = false
    }

    /// Bytes buffered but not yet decoded.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Adds received bytes and returns the messages they complete. Set Chunk Size and Abort
    /// are applied here as soon as they are decoded (so later chunks in the same read use them)
    /// and also returned.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer) throws(RTMPError) -> [RTMPMessage] {
        buffer.append(contentsOf: bytes)
        var messages: [RTMPMessage] = []
        while let message = try decodeOne() {
            if let message = message {
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
                messages.append(message)
            }
        }
        if readIndex == buffer.count {
            // All decoded: no capacity kept between reads. A read costs one allocation more,
            // and 10,000 idle players or 4,000 merged-read publishers hold no read's bytes.
            buffer.removeAll()
            readIndex = 0
        } else if readIndex > 65536 && readIndex * 2 > buffer.count {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
        return messages
    }

    /// Decodes one chunk. Returns nil when more bytes are needed, .some(nil) for a chunk that did
    /// not complete a message, .some(message) for one that did.
    private mutating func decodeOne() throws(RTMPError) -> RTMPMessage?? {
        let available = buffer.count - readIndex
        guard available >= 1 else { return nil }
        var index = readIndex
        let first = buffer[index]
        index += 1
        let fmt = first >> 6
        var csid = UInt32(first & 0x3F)
        if csid == 0 {
            guard available >= 2 else { return nil }
            csid = 64 + UInt32(buffer[index])
            index += 1
        } else if csid == 1 {
            guard available >= 3 else { return nil }
            csid = 64 + UInt32(buffer[index]) + UInt32(buffer[index + 1]) * 256
            index += 2
        }
        let headerSizes = [11, 7, 3, 0]
        let messageHeaderSize = headerSizes[Int(fmt)]
        guard buffer.count - index >= messageHeaderSize else { return nil }

        var state = streams[csid] ?? ChunkStreamState()
        if streams[csid] == nil && streams.count >= maxChunkStreams {
            throw RTMPError("chunk header", "more than \(maxChunkStreams) chunk streams")
        }
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
            timestampField = UInt32(buffer[index]) << 16 | UInt32(buffer[index + 1]) << 8 | UInt32(buffer[index + 2])
            if fmt <= 1 {
                state.length = Int(UInt32(buffer[index + 3]) << 16 | UInt32(buffer[index + 4]) << 8 | UInt32(buffer[index + 5]))
                state.typeId = buffer[index + 6]
                if fmt == 0 {
                    state.streamId = UInt32(buffer[index + 7]) | UInt32(buffer[index + 8]) << 8
                        | UInt32(buffer[index + 9]) << 16 | UInt32(buffer[index + 10]) << 24
                }
            }
            index += messageHeaderSize
            state.hasExtendedTimestamp = timestampField == 0xFF_FFFF
        }
        if state.hasExtendedTimestamp {
            guard buffer.count - index >= 4 else { return nil }
            let value = UInt32(buffer[index]) << 24 | UInt32(buffer[index + 1]) << 16
                | UInt32(buffer[index + 2]) << 8 | UInt32(buffer[index + 3])
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
        guard buffer.count - index >= chunkBytes else { return nil }
        partialByteCount -= droppedBytes
        if chunkBytes < needed && partialByteCount + chunkBytes > maxPartialBytes {
            throw RTMPError("chunk stream \(csid)", "unfinished messages would hold more than \(maxPartialBytes) bytes")
        }
        if startsMessage && chunkBytes == needed {
            // The whole message in one chunk (a publisher's audio and video at its chunk
            // size): its payload straight from the buffer, no partial payload kept.
            if droppedBytes > 0 { payloads[csid] = nil }
            let message = RTMPMessage(typeId: state.typeId, streamId: state.streamId, timestamp: state.timestamp,
                                      payload: Array(buffer[index..<(index + chunkBytes)]))
            readIndex = index + chunkBytes
            state.received = 0
            state.inProgress = false
            streams[csid] = state
            return .some(message)
        }
        if startsMessage {
            var payload: [UInt8] = []
            payload.reserveCapacity(min(state.length, 65536))
            payloads[csid] = payload
        }
        payloads[csid, default: []].append(contentsOf: buffer[index..<(index + chunkBytes)])
        state.received += chunkBytes
        partialByteCount += chunkBytes
        index += chunkBytes
        readIndex = index

        if state.received >= state.length {
            partialByteCount -= state.received
            let payload = payloads.removeValue(forKey: csid) ?? []
            let message = RTMPMessage(typeId: state.typeId, streamId: state.streamId, timestamp: state.timestamp, payload: payload)
            state.received = 0
            state.inProgress = false
            streams[csid] = state
            return .some(message)
        }
        streams[csid] = state
        return .some(nil)
    }
}
