/// How timestamps of a stream are corrected (`time_jitter`).
public enum TimeJitter: String, Sendable, CaseIterable {
    /// Make timestamps monotonic, fixing jumps (SRS default).
    case full
    /// Only shift timestamps so the stream starts at zero.
    case zero
    /// Leave timestamps as the encoder sent them.
    case off
}
