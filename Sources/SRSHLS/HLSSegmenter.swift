/// Decides where HLS segments end, as SRS 2.0 does: at the first keyframe once a segment
/// reached `fragment` seconds (or at any frame with `waitKeyframe` off), and at any video frame
/// once it reached `fragment × aofRatio` (long GOPs; audio-only streams are cut this way, at
/// any audio frame).
/// It only looks at timestamps; the caller owns the bytes.
public struct HLSSegmenter: Sendable {
    public let fragmentMs: Int64
    public let absoluteOverflowMs: Int64
    public let waitKeyframe: Bool
    /// Timestamp (ms) of the current segment's first message, nil before the first segment.
    public private(set) var segmentStart: Int64?
    /// Timestamp of the last message placed in the current segment.
    public private(set) var lastTimestamp: Int64 = 0

    public init(fragment: Double, audioOverflowRatio: Double, waitKeyframe: Bool) {
        fragmentMs = Int64((fragment * 1000).rounded())
        absoluteOverflowMs = Int64((fragment * audioOverflowRatio * 1000).rounded())
        self.waitKeyframe = waitKeyframe
    }

    /// What to do with a message before writing it.
    public enum Decision: Equatable, Sendable {
        /// Drop it: the stream has video and the first keyframe has not come yet.
        case skip
        /// Start the first segment with it.
        case start
        /// Write it into the current segment.
        case append
        /// Close the current segment (of `duration` seconds), then start a new one with it.
        case cut(duration: Double)
    }

    /// Places a message of timestamp `timestamp`; `isVideo`/`isKeyframe` describe it and
    /// `streamHasVideo` whether segments must begin at keyframes.
    public mutating func place(timestamp: Int64, isVideo: Bool, isKeyframe: Bool, streamHasVideo: Bool) -> Decision {
        guard let start = segmentStart else {
            if streamHasVideo && !(isVideo && isKeyframe) { return .skip }
            segmentStart = timestamp
            lastTimestamp = timestamp
            return .start
        }
        let elapsed = timestamp - start
        let atBoundary = !streamHasVideo || !waitKeyframe || (isVideo && isKeyframe)
        let overflow = streamHasVideo ? elapsed >= fragmentMs : elapsed >= absoluteOverflowMs
        if (atBoundary && overflow) || elapsed >= absoluteOverflowMs && (isVideo || !streamHasVideo) {
            segmentStart = timestamp
            lastTimestamp = timestamp
            return .cut(duration: Double(max(0, elapsed)) / 1000)
        }
        lastTimestamp = max(lastTimestamp, timestamp)
        return .append
    }

    /// Duration (s) of the current segment if it were closed now (at unpublish).
    public var currentDuration: Double {
        guard let start = segmentStart else { return 0 }
        return Double(max(0, lastTimestamp - start)) / 1000
    }

    /// Forgets the current segment (after it was closed at unpublish).
    public mutating func reset() {
        segmentStart = nil
        lastTimestamp = 0
    }
}
