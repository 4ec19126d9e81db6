/// The status line and header fields of a response.
public struct HTTPResponseHead: Sendable, Equatable {
    /// The status code, e.g. 200.
    public var status: Int
    /// The reason phrase; nil means ``HTTPStatus/reasonPhrase(_:)`` of `status`.
    public var reason: String?
    /// The header fields, written in order. The caller frames the body itself
    /// (`Content-Length` or `Transfer-Encoding: chunked`).
    public var headers: HTTPHeaders
    /// The version written in the status line.
    public var version: HTTPVersion = .http11

    /// A response head with the default reason phrase and version HTTP/1.1.
    public init(status: Int, headers: HTTPHeaders = HTTPHeaders()) {
        self.status = status
        self.headers = headers
    }

    /// `HTTP/1.1 200 OK\r\n`, then `Name: value\r\n` per field, then `\r\n`.
    /// CR, LF and NUL inside the reason, names or values are written as spaces, so no input can
    /// split the response.
    public func serialize() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128 + headers.count * 40)
        out.append(contentsOf: version.description.utf8)
        out.append(ASCII.space)
        out.append(contentsOf: String(status).utf8)
        out.append(ASCII.space)
        Self.appendSafe(reason ?? HTTPStatus.reasonPhrase(status), to: &out)
        out.append(contentsOf: [ASCII.cr, ASCII.lf])
        for (name, value) in headers {
            Self.appendSafe(name, to: &out)
            out.append(contentsOf: [ASCII.colon, ASCII.space])
            Self.appendSafe(value, to: &out)
            out.append(contentsOf: [ASCII.cr, ASCII.lf])
        }
        out.append(contentsOf: [ASCII.cr, ASCII.lf])
        return out
    }

    private static func appendSafe(_ text: String, to out: inout [UInt8]) {
        for b in text.utf8 {
            out.append(b == ASCII.cr || b == ASCII.lf || b == 0 ? ASCII.space : b)
        }
    }
}
