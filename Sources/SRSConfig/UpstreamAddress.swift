/// `host[:port]` of another RTMP server (a forward destination or an edge's origin);
/// the port defaults to 1935. IPv6 literals go in brackets: `[::1]:1935`.
public struct UpstreamAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int = 1935) {
        self.host = host
        self.port = port
    }

    /// nil for text that is not `host[:port]` with a port in 1...65535.
    public init?(_ text: String) {
        var host = Substring(text)
        var port = 1935
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let after = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let value = Int(after.dropFirst()), (1...65535).contains(value) else { return nil }
                port = value
            }
        } else if let colon = host.lastIndex(of: ":") {
            guard host.firstIndex(of: ":") == colon, let value = Int(host[host.index(after: colon)...]), (1...65535).contains(value) else {
                return nil
            }
            port = value
            host = host[..<colon]
        }
        guard !host.isEmpty, !host.contains("/") else { return nil }
        self.host = String(host)
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
