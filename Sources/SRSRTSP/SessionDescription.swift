/// The parts of an SDP (RFC 4566) a pushing client's ANNOUNCE carries that the server needs:
/// each media section's type, RTP payload type, encoding (`a=rtpmap`), format parameters
/// (`a=fmtp`) and control URL (`a=control`). Unknown lines are ignored.
public struct SessionDescription: Sendable, Equatable {
    /// One `m=` section.
    public struct Media: Sendable, Equatable {
        /// `video`, `audio`, ...
        public var type: String
        public var payloadType: Int
        /// The encoding name, upper-cased (`H264`, `MPEG4-GENERIC`, `MPA`).
        public var encoding: String = ""
        public var clockRate: Int = 0
        public var channels: Int = 1
        /// `a=fmtp` parameters, names lower-cased.
        public var parameters: [String: String] = [:]
        /// `a=control`, as written (absolute or relative to the session URL).
        public var control: String?

        public init(type: String, payloadType: Int) {
            self.type = type
            self.payloadType = payloadType
        }
    }

    public var media: [Media]

    /// Most media sections kept; more are refused (a client needs two).
    public static let maxMedia = 8

    public init(media: [Media]) { self.media = media }

    /// Parses `text`; throws when it has no media section or a malformed `m=` line.
    public init(parsing bytes: [UInt8]) throws(RTSPParseError) {
        var media: [Media] = []
        for raw in bytes.split(omittingEmptySubsequences: true, whereSeparator: { $0 == 0x0A || $0 == 0x0D }) {
            let line = String(decoding: raw, as: UTF8.self).trimmingSpaces
            guard line.count >= 2, line.dropFirst().first == "=" else { continue }
            let value = line.dropFirst(2)
            switch line.first {
            case "m":
                let fields = value.split(separator: " ")
                guard fields.count >= 4, let payloadType = Int(fields[3]), (0...127).contains(payloadType) else {
                    throw RTSPParseError(status: 400, reason: "bad SDP media line '\(line.prefix(80))'")
                }
                guard media.count < Self.maxMedia else { throw RTSPParseError(status: 400, reason: "more than \(Self.maxMedia) media in the SDP") }
                media.append(Media(type: String(fields[0]), payloadType: payloadType))
            case "a" where !media.isEmpty:
                Self.attribute(value, into: &media[media.count - 1])
            default:
                continue
            }
        }
        guard !media.isEmpty else { throw RTSPParseError(status: 400, reason: "SDP without a media section") }
        self.media = media
    }

    private static func attribute(_ value: Substring, into media: inout Media) {
        guard let colon = value.firstIndex(of: ":") else { return }
        let name = value[..<colon]
        let rest = value[value.index(after: colon)...]
        switch name {
        case "rtpmap":
            // rtpmap:<pt> <encoding>/<clock>[/<channels>]
            let parts = rest.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, Int(parts[0]) == media.payloadType else { return }
            let encoding = parts[1].split(separator: "/")
            media.encoding = encoding.first.map { $0.uppercased() } ?? ""
            if encoding.count > 1, let rate = Int(encoding[1]), rate > 0, rate <= 1_000_000 { media.clockRate = rate }
            if encoding.count > 2, let channels = Int(encoding[2]), (1...8).contains(channels) { media.channels = channels }
        case "fmtp":
            let parts = rest.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, Int(parts[0]) == media.payloadType else { return }
            for parameter in parts[1].split(separator: ";") {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                guard let key = pair.first?.trimmingSpaces.lowercased(), !key.isEmpty else { continue }
                media.parameters[key] = pair.count > 1 ? pair[1].trimmingSpaces : ""
            }
        case "control":
            media.control = rest.trimmingSpaces
        default:
            return
        }
    }
}
