/// Reads an HLS playlist (RFC 8216) as an ingester needs it: a media playlist's segments
/// (URI, duration, media sequence number, discontinuity), its target duration and whether it
/// ended, or a master playlist's variant streams. Tags it does not need are skipped; a
/// playlist without the `#EXTM3U` header is refused.
public struct HLSPlaylistReader: Sendable, Equatable {
    public struct Segment: Sendable, Equatable {
        public var uri: String
        public var duration: Double
        public var sequence: Int
        /// `#EXT-X-DISCONTINUITY` before it: timestamps may jump.
        public var discontinuity: Bool

        public init(uri: String, duration: Double, sequence: Int, discontinuity: Bool) {
            self.uri = uri
            self.duration = duration
            self.sequence = sequence
            self.discontinuity = discontinuity
        }
    }

    /// A master playlist's stream.
    public struct Variant: Sendable, Equatable {
        public var uri: String
        public var bandwidth: Int
    }

    public var targetDuration: Double = 0
    public var segments: [Segment] = []
    /// `#EXT-X-ENDLIST`: no segment will be added.
    public var ended = false
    public var variants: [Variant] = []

    /// Most segments or variants kept (a live window holds a few dozen).
    public static let maxEntries = 10_000
    /// The largest media sequence number taken (RFC 8216 allows 2^64; counting on from this
    /// never overflows).
    public static let maxSequence = 1 << 53
    /// The longest duration taken, seconds (an hour); more, or not a finite number, is 0.
    public static let maxSeconds = 3600.0

    private static func seconds(_ text: some StringProtocol) -> Double {
        guard let value = Double(text), value.isFinite, value >= 0, value <= maxSeconds else { return 0 }
        return value
    }

    public init(parsing text: String) throws(HLSPlaylistError) {
        var lines = text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
            .map { $0.trimmingCharacters(in: " \t") }.filter { !$0.isEmpty }[...]
        guard lines.first?.hasPrefix("#EXTM3U") == true else { throw HLSPlaylistError("not a playlist (no #EXTM3U)") }
        lines = lines.dropFirst()
        var sequence = 0
        var duration: Double?
        var discontinuity = false
        var bandwidth: Int?
        for line in lines {
            if line.hasPrefix("#EXT-X-TARGETDURATION:") {
                targetDuration = Self.seconds(line.dropFirst(22))
            } else if line.hasPrefix("#EXT-X-MEDIA-SEQUENCE:") {
                guard let value = Int(line.dropFirst(22)), (0...Self.maxSequence).contains(value) else {
                    throw HLSPlaylistError("bad media sequence '\(line.dropFirst(22).prefix(24))'")
                }
                sequence = value
            } else if line.hasPrefix("#EXTINF:") {
                let value = line.dropFirst(8).split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
                duration = Self.seconds(value)
            } else if line == "#EXT-X-DISCONTINUITY" {
                discontinuity = true
            } else if line == "#EXT-X-ENDLIST" {
                ended = true
            } else if line.hasPrefix("#EXT-X-STREAM-INF:") {
                bandwidth = Self.attribute("BANDWIDTH", in: line.dropFirst(18)).flatMap { Int($0) } ?? 0
            } else if line.hasPrefix("#") {
                continue
            } else if let rate = bandwidth {
                guard variants.count < Self.maxEntries else { throw HLSPlaylistError("more than \(Self.maxEntries) variants") }
                variants.append(Variant(uri: line, bandwidth: rate))
                bandwidth = nil
            } else {
                guard segments.count < Self.maxEntries else { throw HLSPlaylistError("more than \(Self.maxEntries) segments") }
                segments.append(Segment(uri: line, duration: duration ?? 0, sequence: sequence, discontinuity: discontinuity))
                sequence += 1
                duration = nil
                discontinuity = false
            }
        }
        guard !segments.isEmpty || !variants.isEmpty || ended || targetDuration > 0 else { throw HLSPlaylistError("neither segments nor variants") }
    }

    /// `name=value` (value quoted or not) in an attribute list.
    private static func attribute(_ name: String, in list: Substring) -> String? {
        var rest = list
        while !rest.isEmpty {
            guard let equals = rest.firstIndex(of: "=") else { return nil }
            let key = rest[..<equals].trimmingCharacters(in: " ,")
            rest = rest[rest.index(after: equals)...]
            var value: Substring
            if rest.first == "\"" {
                rest = rest.dropFirst()
                let close = rest.firstIndex(of: "\"") ?? rest.endIndex
                value = rest[..<close]
                rest = close < rest.endIndex ? rest[rest.index(after: close)...] : ""
            } else {
                let comma = rest.firstIndex(of: ",") ?? rest.endIndex
                value = rest[..<comma]
                rest = rest[comma...]
            }
            if rest.first == "," { rest = rest.dropFirst() }
            if key == name { return String(value) }
        }
        return nil
    }

    /// `uri` as an absolute URL, relative to the playlist at `base`.
    public static func resolve(_ uri: String, against base: String) -> String {
        if uri.contains("://") { return uri }
        guard let schemeEnd = base.firstRange(of: "://") else { return uri }
        let authorityStart = schemeEnd.upperBound
        let pathStart = base[authorityStart...].firstIndex(of: "/") ?? base.endIndex
        if uri.hasPrefix("/") { return String(base[..<pathStart]) + uri }
        let withoutQuery = base[..<(base.firstIndex(of: "?") ?? base.endIndex)]
        let directoryEnd = withoutQuery.lastIndex(of: "/").map { $0 >= pathStart ? withoutQuery.index(after: $0) : withoutQuery.endIndex } ?? withoutQuery.endIndex
        let directory = String(withoutQuery[..<directoryEnd])
        return directory + (directory.hasSuffix("/") ? "" : "/") + uri
    }
}

/// A playlist that cannot be read, and why.
public struct HLSPlaylistError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension StringProtocol {
    /// Without leading and trailing characters of `set`.
    func trimmingCharacters(in set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
