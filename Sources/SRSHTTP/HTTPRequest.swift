/// One complete HTTP request, as produced by ``HTTPRequestParser``.
public struct HTTPRequest: Sendable, Equatable {
    /// The method as sent; methods are case-sensitive tokens (`GET`, `HEAD`, `POST`, `OPTIONS`...).
    /// The parser accepts any token; answering 405/501 for unsupported ones is the caller's job.
    public var method: String
    /// The raw request-target: origin-form `/path?query`, absolute-form `http://host/path?query`,
    /// or `*` (asterisk-form, OPTIONS only).
    public var target: String
    /// The percent-decoded path without query: starts with `/` (or is `*` for asterisk-form).
    /// Not normalized: may hold `..` segments; use ``StaticPath/resolve(root:requestPath:)`` for files.
    public var path: String
    /// The raw query without `?`, `""` if none.
    public var query: String
    /// The protocol version of the request.
    public var version: HTTPVersion
    /// The header fields, in order as received (trailers of chunked bodies are not included).
    public var headers: HTTPHeaders
    /// The body, de-chunked; empty when there is none.
    public var body: [UInt8]
    /// Whether the connection may stay open after the response: HTTP/1.1 unless `Connection: close`;
    /// HTTP/1.0 only with `Connection: keep-alive` (and no `close`).
    public var keepAlive: Bool
    /// The host without port: from an absolute-form target, else the `Host` header; nil if neither.
    public var host: String?

    /// Makes a request from its parts (the parser fills every field itself).
    public init(
        method: String, target: String, path: String, query: String = "",
        version: HTTPVersion = .http11, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
        keepAlive: Bool = true, host: String? = nil
    ) {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.body = body
        self.keepAlive = keepAlive
        self.host = host
    }

    /// The decoded value of the first `name=value` pair of the query whose decoded name is `name`:
    /// `%XX` escapes and `+` (space) are decoded; a name without `=` has value `""`; nil if absent.
    public func queryValue(_ name: String) -> String? {
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let key: Substring
            let value: Substring
            if let eq = pair.firstIndex(of: "=") {
                key = pair[..<eq]
                value = pair[pair.index(after: eq)...]
            } else {
                key = pair
                value = ""
            }
            if PercentDecoding.decodeQueryComponent(key) == name {
                return PercentDecoding.decodeQueryComponent(value)
            }
        }
        return nil
    }
}
