/// One RTSP request (RFC 2326): request line, header fields, body (an SDP for ANNOUNCE).
public struct RTSPRequest: Sendable, Equatable {
    public var method: String
    public var uri: String
    public var version: String
    /// Header fields in order, names as sent.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String, uri: String, version: String = "RTSP/1.0", headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.uri = uri
        self.version = version
        self.headers = headers
        self.body = body
    }

    /// The first value of the header `name` (case-insensitive).
    public subscript(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }

    /// The CSeq the response must echo.
    public var cseq: String? { self["CSeq"] }

    /// The path of the URI (`rtsp://host:port/live/x/streamid=0` -> `/live/x/streamid=0`),
    /// without its query.
    public var path: String {
        var rest = Substring(uri)
        let bytes = Array(rest.utf8)
        if let scheme = (0..<max(bytes.count - 2, 0)).first(where: { bytes[$0] == 0x3A && bytes[$0 + 1] == 0x2F && bytes[$0 + 2] == 0x2F }) {
            rest = rest.dropFirst(scheme + 3)
            rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? "/"
        }
        if let query = rest.firstIndex(of: "?") { rest = rest[..<query] }
        return String(rest)
    }

    public static func == (a: RTSPRequest, b: RTSPRequest) -> Bool {
        a.method == b.method && a.uri == b.uri && a.version == b.version && a.body == b.body
            && a.headers.map(\.name) == b.headers.map(\.name) && a.headers.map(\.value) == b.headers.map(\.value)
    }
}
