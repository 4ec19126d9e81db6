/// How timestamps are corrected on the way to a player (SRS's `time_jitter`).
public enum JitterMode: String, Sendable {
    /// Monotonic timestamps starting at 0; jumps beyond ±250 ms become a 10 ms step.
    case full
    /// Timestamps shifted so that the first one is 0.
    case zero
    /// Timestamps passed through as published.
    case off
}

/// Per-player timestamp correction, as SRS's SrsRtmpJitter.
public struct TimestampJitter: Sendable {
    /// Largest delta between consecutive messages accepted as real (SRS: CONST_MAX_JITTER_MS).
    public static let maxJitterMs: Int64 = 250
    /// Delta used in place of a jump (SRS: DEFAULT_FRAME_TIME_MS).
    public static let defaultFrameTimeMs: Int64 = 10

    public let mode: JitterMode
    private var lastInput: Int64 = 0
    private var lastOutput: Int64 = 0
    private var zeroBase: Int64?

    public init(mode: JitterMode) { self.mode = mode }

    /// Forgets the history, as when the publisher restarts.
    public mutating func reset() {
        lastInput = 0
        lastOutput = 0
        zeroBase = nil
    }

    /// The timestamp to send for a message of `kind` published at `timestamp`.
    public mutating func correct(_ timestamp: Int64, kind: MediaKind) -> Int64 {
        switch mode {
        case .off:
            return timestamp
        case .zero:
            if zeroBase == nil { zeroBase = timestamp }
            return timestamp - (zeroBase ?? 0)
        case .full:
            if kind == .data { return 0 }
            var delta = timestamp - lastInput
            if delta < -Self.maxJitterMs || delta > Self.maxJitterMs { delta = Self.defaultFrameTimeMs }
            lastOutput = max(0, lastOutput + delta)
            lastInput = timestamp
            return lastOutput
        }
    }
}
