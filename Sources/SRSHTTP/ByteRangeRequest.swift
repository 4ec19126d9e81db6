/// A `Range` request header read against a resource of known size (single ranges only).
public enum ByteRangeRequest: Sendable, Equatable {
    /// No usable range: serve the whole resource with 200 (no header, malformed, multiple ranges,
    /// or another unit than bytes).
    case none
    /// Serve these byte offsets (inclusive, inside the resource) with 206.
    case satisfiable(ClosedRange<Int>)
    /// Answer 416 with `Content-Range: bytes */<size>`.
    case unsatisfiable

    /// Reads `bytes=a-b`, `bytes=a-` or `bytes=-n` (last n bytes) against `size` bytes.
    /// An end past the resource is clipped; a start at or past `size`, or `-0`, is unsatisfiable;
    /// `a > b`, junk or several ranges give `.none`.
    public static func parse(_ header: String?, size: Int) -> ByteRangeRequest {
        guard let header else { return .none }
        let text = ASCII.trimmed(Substring(header))
        guard let eq = text.firstIndex(of: "="),
              ASCII.equalsIgnoringCase(String(ASCII.trimmed(text[..<eq])), "bytes") else { return .none }
        let spec = ASCII.trimmed(text[text.index(after: eq)...])
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .none }
        let first = spec[..<dash]
        let last = spec[spec.index(after: dash)...]
        if first.isEmpty {
            guard let n = ASCII.saturatingDecimal(last) else { return .none }
            guard n > 0, size > 0 else { return .unsatisfiable }
            return .satisfiable(max(0, size - n)...(size - 1))
        }
        guard let start = ASCII.saturatingDecimal(first) else { return .none }
        var end = Int.max
        if !last.isEmpty {
            guard let e = ASCII.saturatingDecimal(last), e >= start else { return .none }
            end = e
        }
        guard start < size else { return .unsatisfiable }
        return .satisfiable(start...min(end, size - 1))
    }
}
