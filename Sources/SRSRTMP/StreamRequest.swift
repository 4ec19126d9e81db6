/// What a client asked for, as SRS's SrsRequest: the parts of the tcUrl and stream name.
/// The vhost comes from `?vhost=` (or `?domain=`) in the app or stream name, else the tcUrl host.
public struct StreamRequest: Sendable, Equatable {
    public var tcUrl: String = ""
    public var pageUrl: String = ""
    public var swfUrl: String = ""
    public var schema: String = "rtmp"
    public var host: String = ""
    public var port: Int = 1935
    public var vhost: String = ""
    public var app: String = ""
    public var stream: String = ""
    /// The query string of the tcUrl/app and stream name, with its leading `?`, or "".
    public var param: String = ""
    public var objectEncoding: Double = 0

    public init() {}

    /// "vhost/app/stream", the key of a live stream.
    public var streamKey: String { "\(vhost)/\(app)/\(stream)" }
    /// "/app/stream" as SRS's `url` field in the API.
    public var streamURL: String { "/\(app)/\(stream)" }

    /// Fills schema, host, port, app, vhost and param from a connect's tcUrl and app.
    public mutating func parseConnect(tcUrl: String, app appField: String?) {
        self.tcUrl = tcUrl
        var rest = Substring(tcUrl)
        if let range = rest.firstRange(of: "://") {
            schema = String(rest[..<range.lowerBound]).lowercased()
            rest = rest[range.upperBound...]
        }
        let hostPart: Substring
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            hostPart = rest[..<slash]
            path = rest[rest.index(after: slash)...]
        } else {
            hostPart = rest
        }
        (host, port) = Self.splitHostPort(String(hostPart), defaultPort: schema == "rtmp" ? 1935 : 80)
        vhost = host
        var appText = appField.map { Substring($0) } ?? path
        if appText.isEmpty { appText = path }
        var query = ""
        if let mark = appText.firstIndex(of: "?") {
            query = String(appText[appText.index(after: mark)...])
            appText = appText[..<mark]
        } else if let mark = path.firstIndex(of: "?") {
            query = String(path[path.index(after: mark)...])
        }
        // SRS's alternative separators for clients that cannot send '?': live...vhost...v
        // (each "..." stands for "?" or "=": live...vhost...v2...token...t is live?vhost=v2?token=t)
        if let range = appText.firstRange(of: "...") {
            let parts = appText[range.upperBound...].split(separator: "...", omittingEmptySubsequences: false)
            var pairs: [String] = []
            var index = 0
            while index + 1 < parts.count {
                pairs.append("\(parts[index])=\(parts[index + 1])")
                index += 2
            }
            query = pairs.joined(separator: "&")
            appText = appText[..<range.lowerBound]
        }
        app = Self.trimSlashes(String(appText))
        param = query.isEmpty ? "" : "?" + query
        applyVhostParameter(query)
    }

    /// Sets the stream name from a publish/play name, which may carry `?params`.
    public mutating func parseStreamName(_ name: String) {
        var text = Substring(name)
        if let mark = text.firstIndex(of: "?") {
            let query = String(text[text.index(after: mark)...])
            text = text[..<mark]
            param = "?" + query
            applyVhostParameter(query)
        }
        stream = Self.trimSlashes(String(text))
    }

    /// Why the app or stream name may not be used, or nil. HLS (and every file a stream
    /// writes) builds its paths from them, so a `..` component would write outside
    /// `hls_path`; control characters would forge log lines.
    public var unsafeNameReason: String? {
        for (what, name) in [("app", app), ("stream", stream)] {
            if name.split(separator: "/", omittingEmptySubsequences: false).contains("..") {
                return "\(what) name '\(name)' has a '..' component"
            }
            if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                return "\(what) name has a control character"
            }
        }
        return nil
    }

    private mutating func applyVhostParameter(_ query: String) {
        for pair in query.split(whereSeparator: { $0 == "&" || $0 == "?" }) {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = parts[0].lowercased()
            if (key == "vhost" || key == "domain") && !parts[1].isEmpty { vhost = String(parts[1]) }
        }
    }

    static func trimSlashes(_ text: String) -> String {
        var result = Substring(text)
        while result.hasPrefix("/") { result = result.dropFirst() }
        while result.hasSuffix("/") { result = result.dropLast() }
        return String(result)
    }

    /// Splits "host:port", "[v6]:port" or "host".
    public static func splitHostPort(_ text: String, defaultPort: Int) -> (String, Int) {
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let host = String(text[text.index(after: text.startIndex)..<close])
            let after = text[text.index(after: close)...]
            if after.hasPrefix(":"), let port = Int(after.dropFirst()) { return (host, port) }
            return (host, defaultPort)
        }
        if let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon,
            let port = Int(text[text.index(after: colon)...])
        {
            return (String(text[..<colon]), port)
        }
        return (text, defaultPort)
    }
}
