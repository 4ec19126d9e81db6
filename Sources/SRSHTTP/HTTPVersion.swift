/// The HTTP versions the server speaks.
public enum HTTPVersion: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// HTTP/1.0.
    case http10
    /// HTTP/1.1.
    case http11

    /// `HTTP/1.0` or `HTTP/1.1`, as written on the wire.
    public var description: String {
        switch self {
        case .http10: return "HTTP/1.0"
        case .http11: return "HTTP/1.1"
        }
    }
}
