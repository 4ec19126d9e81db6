/// One media segment of a live playlist.
public struct HLSSegmentEntry: Sendable, Equatable {
    public var sequence: Int
    /// Seconds.
    public var duration: Double
    /// The URI written in the playlist.
    public var uri: String
    /// The file on disk, for cleanup.
    public var path: String
    /// An #EXT-X-DISCONTINUITY precedes this segment (a new publish).
    public var discontinuity: Bool

    public init(sequence: Int, duration: Double, uri: String, path: String, discontinuity: Bool) {
        self.sequence = sequence
        self.duration = duration
        self.uri = uri
        self.path = path
        self.discontinuity = discontinuity
    }
}

/// A live m3u8 (RFC 8216, version 3) over a sliding window of segments.
public struct HLSPlaylist: Sendable {
    /// Seconds of segments kept (hls_window).
    public var window: Double
    /// EXT-X-TARGETDURATION is at least this (hls_fragment × hls_td_ratio).
    public var minimumTargetDuration: Double
    public private(set) var segments: [HLSSegmentEntry] = []

    public init(window: Double, minimumTargetDuration: Double) {
        self.window = window
        self.minimumTargetDuration = minimumTargetDuration
    }

    /// Adds a segment and returns those that left the window (oldest first). The newest
    /// segment always stays, whatever its length.
    @discardableResult
    public mutating func append(_ segment: HLSSegmentEntry) -> [HLSSegmentEntry] {
        segments.append(segment)
        var total = segments.reduce(0) { $0 + $1.duration }
        var removed: [HLSSegmentEntry] = []
        while segments.count > 1 && total - segments[0].duration >= window {
            total -= segments[0].duration
            removed.append(segments.removeFirst())
        }
        return removed
    }

    /// Empties the playlist (dispose), returning what it held.
    public mutating func removeAll() -> [HLSSegmentEntry] {
        defer { segments.removeAll() }
        return segments
    }

    /// EXT-X-TARGETDURATION: an integer no less than any EXTINF rounded (RFC 8216 4.3.3.1).
    public var targetDuration: Int {
        let longest = segments.map(\.duration).max() ?? 0
        return Int(max(longest, minimumTargetDuration).rounded(.up))
    }

    /// The playlist text.
    public func render() -> String {
        var text = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-ALLOW-CACHE:NO\n"
        text += "#EXT-X-MEDIA-SEQUENCE:\(segments.first?.sequence ?? 0)\n"
        text += "#EXT-X-TARGETDURATION:\(targetDuration)\n"
        for segment in segments {
            if segment.discontinuity { text += "#EXT-X-DISCONTINUITY\n" }
            text += "#EXTINF:\(Self.format(segment.duration)), no desc\n\(segment.uri)\n"
        }
        return text
    }

    /// Seconds with three decimals ("2.000").
    static func format(_ seconds: Double) -> String {
        let millis = Int((seconds * 1000).rounded())
        let fraction = String(millis % 1000)
        return "\(millis / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
