import Synchronization

/// The message ring of one live stream: every published message in order, shared by all of the
/// stream's players. It is also the GOP cache (new players start at the last keyframe) and the
/// bound on every player's queue (a player that falls off the tail jumps to the newest keyframe).
///
/// One publisher appends; any number of consumers on any threads read `[cursor, head)` in short
/// locked batches. Sequence numbers are 64-bit and never reused.
public final class MessageRing: Sendable {
    /// Retention limits of the ring.
    public struct Limits: Sendable, Equatable {
        /// Keep at most this span of timestamps (SRS's `queue_length`), in ms.
        public var maxSpanMs: Int64
        /// Keep the whole latest GOP even when it is longer than `maxSpanMs` (SRS's `gop_cache`).
        public var keepLastGOP: Bool
        /// Hard caps, whatever the span.
        public var maxMessages: Int
        public var maxBytes: Int

        public init(maxSpanMs: Int64, keepLastGOP: Bool, maxMessages: Int, maxBytes: Int) {
            self.maxSpanMs = maxSpanMs
            self.keepLastGOP = keepLastGOP
            self.maxMessages = maxMessages
            self.maxBytes = maxBytes
        }
    }

    /// What a consumer must send before the messages of a batch.
    public struct Headers: Sendable {
        public var metadata: SharedMessage?
        public var videoSequenceHeader: SharedMessage?
        public var audioSequenceHeader: SharedMessage?

        public var all: [SharedMessage] { [metadata, videoSequenceHeader, audioSequenceHeader].compactMap { $0 } }
    }

    /// The answer to a batch read.
    public struct ReadResult: Sendable {
        /// Where the next read starts.
        public var nextCursor: Int
        /// The consumer had fallen off the tail and was moved to the newest keyframe: `headers`
        /// must be sent before the batch.
        public var skipped: Bool
        public var headers: Headers?
        /// Messages dropped for this consumer by the skip.
        public var droppedMessages: Int
    }

    /// Audio-only streams have no keyframes: a new player gets this many recent messages (SRS's
    /// SRS_PURE_AUDIO_GUESS_COUNT, about 2.7 s of 44.1 kHz AAC).
    public static let audioOnlyStartMessages = 115

    private struct State {
        var slots: [SharedMessage?]
        var mask: Int
        var head = 0
        var tail = 0
        var bytes = 0
        /// Sequence numbers of the keyframes in [tail, head), oldest first.
        var keyframes: [Int] = []
        var keyframesStart = 0
        var headers = Headers()
        var hasVideo = false
        var limits: Limits

        func slot(_ sequence: Int) -> SharedMessage? { slots[sequence & mask] }

        var lastKeyframe: Int? { keyframesStart < keyframes.count ? keyframes[keyframes.count - 1] : nil }
    }

    private let state: LockedValue<State>

    public init(limits: Limits, initialCapacity: Int = 256) {
        var capacity = 16
        while capacity < initialCapacity { capacity <<= 1 }
        state = LockedValue(State(slots: Array(repeating: nil, count: capacity), mask: capacity - 1, limits: limits))
    }

    public var limits: Limits {
        get { state.withLock { $0.limits } }
        set { state.withLock { $0.limits = newValue } }
    }

    /// The sequence number the next appended message will get.
    public var head: Int { state.withLock { $0.head } }
    public var tail: Int { state.withLock { $0.tail } }
    public var count: Int { state.withLock { $0.head - $0.tail } }
    public var byteCount: Int { state.withLock { $0.bytes } }
    public var headers: Headers { state.withLock { $0.headers } }

    /// Appends a message; updates the cached metadata and sequence headers; trims the tail.
    /// Returns the message's sequence number.
    @discardableResult
    public func append(_ message: SharedMessage) -> Int {
        state.withLock { state in Self.append(message, to: &state) }
    }

    /// Appends a publisher's batch in order under one lock (the publisher's hot path: one lock
    /// per batch, not per message).
    public func append<Messages: Sequence>(contentsOf messages: Messages) where Messages.Element == SharedMessage {
        state.withLock { state in
            for message in messages { Self.append(message, to: &state) }
        }
    }

    @discardableResult
    private static func append(_ message: SharedMessage, to state: inout State) -> Int {
        if state.head - state.tail == state.slots.count { grow(&state) }
        let sequence = state.head
        state.slots[sequence & state.mask] = message
        state.head += 1
        state.bytes += message.size
        switch message.kind {
        case .video:
            state.hasVideo = true
            if message.isSequenceHeader {
                state.headers.videoSequenceHeader = message
            } else if message.isKeyframe {
                state.keyframes.append(sequence)
            }
        case .audio:
            if message.isSequenceHeader { state.headers.audioSequenceHeader = message }
        case .data:
            state.headers.metadata = message
        }
        trim(&state, newest: message.timestamp)
        return sequence
    }

    /// Drops every message and cached header (a new publisher starts a new stream).
    public func reset() {
        state.withLock { state in
            for sequence in state.tail..<state.head { state.slots[sequence & state.mask] = nil }
            state.tail = state.head
            state.bytes = 0
            state.keyframes.removeAll(keepingCapacity: true)
            state.keyframesStart = 0
            state.headers = Headers()
            state.hasVideo = false
        }
    }

    /// Where a new consumer starts: the last keyframe when the GOP is cached, else the head.
    public func startCursor() -> (cursor: Int, headers: Headers) {
        state.withLock { state in
            let audioOnlyStart = max(state.tail, state.head - MessageRing.audioOnlyStartMessages)
            let cursor = state.limits.keepLastGOP ? (state.lastKeyframe ?? (state.hasVideo ? state.head : audioOnlyStart)) : state.head
            return (cursor, state.headers)
        }
    }

    /// The oldest position whose message is at most `milliseconds` older than the newest one
    /// (a fast start for audio-only players, SRS's `fast_cache`), and the headers.
    public func cursor(spanningLast milliseconds: Int64) -> (cursor: Int, headers: Headers) {
        state.withLock { state in
            guard state.head > state.tail, let newest = state.slot(state.head - 1) else { return (state.head, state.headers) }
            var cursor = state.head - 1
            while cursor > state.tail, let previous = state.slot(cursor - 1), newest.timestamp - previous.timestamp <= milliseconds {
                cursor -= 1
            }
            return (cursor, state.headers)
        }
    }

    /// Appends up to `maxCount` messages from `cursor` onward to `batch`.
    /// `maxBytes`: the batch stops after the message that reaches this many payload bytes (at
    /// least one message is read).
    public func read(from cursor: Int, maxCount: Int, maxBytes: Int = .max, into batch: inout [SharedMessage]) -> ReadResult {
        state.withLock { state in
            var cursor = cursor
            var result = ReadResult(nextCursor: cursor, skipped: false, headers: nil, droppedMessages: 0)
            if cursor < state.tail || cursor > state.head {
                let target = state.lastKeyframe ?? state.head
                result.skipped = true
                result.headers = state.headers
                result.droppedMessages = max(0, target - cursor)
                cursor = target
            }
            var end = min(state.head, cursor + maxCount)
            if cursor < end {
                batch.reserveCapacity(batch.count + (end - cursor))
                var bytes = 0
                for sequence in cursor..<end {
                    if let message = state.slot(sequence) {
                        batch.append(message)
                        bytes += message.size
                    }
                    if bytes >= maxBytes {
                        end = sequence + 1
                        break
                    }
                }
            }
            result.nextCursor = end
            return result
        }
    }

    /// The timestamp span between `cursor` and the newest message, or nil if nothing is queued.
    public func pendingSpan(from cursor: Int) -> (messages: Int, spanMs: Int64)? {
        state.withLock { state in
            let start = max(cursor, state.tail)
            guard start < state.head, let first = state.slot(start), let last = state.slot(state.head - 1) else {
                return nil
            }
            return (state.head - start, last.timestamp - first.timestamp)
        }
    }

    private static func grow(_ state: inout State) {
        let oldCapacity = state.slots.count
        var slots = [SharedMessage?](repeating: nil, count: oldCapacity * 2)
        let newMask = oldCapacity * 2 - 1
        for sequence in state.tail..<state.head { slots[sequence & newMask] = state.slots[sequence & state.mask] }
        state.slots = slots
        state.mask = newMask
    }

    private static func trim(_ state: inout State, newest: Int64) {
        let limits = state.limits
        while state.tail < state.head {
            guard let oldest = state.slot(state.tail) else { break }
            let count = state.head - state.tail
            let overHardCap = count > limits.maxMessages || state.bytes > limits.maxBytes
            var overSpan = newest - oldest.timestamp > limits.maxSpanMs
            if overSpan && limits.keepLastGOP, let lastKeyframe = state.lastKeyframe, state.tail >= lastKeyframe {
                overSpan = false  // never trim into the cached GOP
            }
            if !overHardCap && !overSpan { break }
            state.slots[state.tail & state.mask] = nil
            state.bytes -= oldest.size
            state.tail += 1
        }
        while state.keyframesStart < state.keyframes.count && state.keyframes[state.keyframesStart] < state.tail {
            state.keyframesStart += 1
        }
        if state.keyframesStart > 64 && state.keyframesStart * 2 > state.keyframes.count {
            state.keyframes.removeFirst(state.keyframesStart)
            state.keyframesStart = 0
        }
    }
}
