/// An incremental, sans-I/O HTTP/1.1 request parser.
///
/// Feed it the bytes read from a connection, in any split; it returns each request as soon as it is
/// complete (several for pipelined requests) and keeps the bytes of an unfinished one for the next
/// feed. On malformed input it throws an ``HTTPParseError`` whose `status` the caller should answer
/// before closing; the parser then stays failed and rethrows the same error on every later feed.
/// Requests completed earlier in the same feed as the error are dropped with it.
///
/// Memory is bounded by ``Limits`` whatever the input: a line is rejected as soon as it would pass its
/// limit, without waiting for its end. Accepted syntax: CRLF or bare LF line ends; empty lines before
/// a request line are skipped; `Content-Length` or `Transfer-Encoding: chunked` bodies (no body
/// otherwise); chunk extensions are ignored and trailers are checked then dropped.
public struct HTTPRequestParser: Sendable {
    /// Size limits; the defaults suit a streaming server.
    public struct Limits: Sendable, Equatable {
        /// Longest request line, counting its line end (longer: 414).
        public var requestLineBytes: Int
        /// Longest header section: all header lines with their line ends plus the final empty line
        /// (longer: 431). Also bounds the trailer section of a chunked body.
        public var headerBytes: Int
        /// Most header fields (more: 431). Also bounds the number of trailer fields.
        public var headerCount: Int
        /// Longest body, declared or de-chunked (longer: 413).
        public var bodyBytes: Int

        /// Limits, by default 8 KiB request line, 16 KiB headers, 100 fields, 1 MiB body.
        public init(requestLineBytes: Int = 8192, headerBytes: Int = 16384, headerCount: Int = 100,
                    bodyBytes: Int = 1 << 20) {
            self.requestLineBytes = requestLineBytes
            self.headerBytes = headerBytes
            self.headerCount = headerCount
            self.bodyBytes = bodyBytes
        }
    }

    private enum State: Sendable, Equatable {
        case requestLine
        case headers
        case body(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
    }

    /// Longest chunk-size line, extensions included (longer: 400).
    static let chunkLineLimit = 4096

    /// The limits in force.
    public let limits: Limits

    private var state = State.requestLine
    private var line: [UInt8] = []
    private var failure: HTTPParseError?

    // The request being read.
    private var method = ""
    private var target = ""
    private var path = "/"
    private var query = ""
    private var version = HTTPVersion.http11
    private var authority: String?
    private var headers = HTTPHeaders()
    private var sectionBytes = 0
    private var sectionFields = 0
    private var body: [UInt8] = []

    /// What a parser that streams bodies returns.
    public enum Event: Sendable, Equatable {
        /// A request's head (its body follows as `body` events).
        case head(HTTPRequest)
        /// The next bytes of the body, de-chunked.
        case body([UInt8])
        /// The request's body is complete.
        case end
    }

    /// Whether bodies are handed out as they come (`feedStreaming`) instead of gathered.
    public let streamsBodies: Bool

    /// A parser with the given limits. With `streamsBodies`, a body of any length goes out in
    /// pieces (an FLV stream POSTed for hours); `limits.bodyBytes` then bounds one chunk.
    public init(limits: Limits = Limits(), streamsBodies: Bool = false) {
        self.limits = limits
        self.streamsBodies = streamsBodies
    }

    /// True while bytes of an unfinished request are buffered (use it for slow-client timeouts);
    /// false between requests, even after empty lines.
    public var hasPartialRequest: Bool {
        state != .requestLine || !line.isEmpty
    }

    /// About how many bytes of the unfinished request the parser holds (partial line, header
    /// section read so far, body so far); never more than the limits allow.
    public var bufferedByteCount: Int {
        line.count + body.count + (state == .requestLine ? 0 : sectionBytes)
    }

    /// The error the parser failed with, if it did.
    public var error: HTTPParseError? { failure }

    /// Appends bytes; returns every request they complete, in order (pipelining).
    /// Bytes after the last complete request stay buffered for the next call.
    /// Throws on malformed input; the caller should answer `error.status` and close.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) -> [HTTPRequest] {
        precondition(!streamsBodies, "a parser that streams bodies is fed with feedStreaming")
        return try events(bytes).compactMap { event in
            if case .head(let request) = event { return request }
            return nil
        }
    }

    /// For a parser that streams bodies: appends bytes; returns the heads, body pieces and
    /// ends they complete, in order.
    public mutating func feedStreaming(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) -> [Event] {
        precondition(streamsBodies, "feedStreaming needs a parser made with streamsBodies")
        return try events(bytes)
    }

    private mutating func events(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) -> [Event] {
        if let failure { throw failure }
        var out: [Event] = []
        do {
            try run(bytes, into: &out)
        } catch {
            failure = error
            line = []
            body = []
            headers = HTTPHeaders()
            throw error
        }
        return out
    }

    /// Same as feeding the array's bytes as an `UnsafeRawBufferPointer`.
    public mutating func feed(_ bytes: [UInt8]) throws(HTTPParseError) -> [HTTPRequest] {
        let result: Result<[HTTPRequest], HTTPParseError> = bytes.withUnsafeBytes { raw in
            do throws(HTTPParseError) { return .success(try self.feed(raw)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    // MARK: - State machine

    private mutating func run(_ buf: UnsafeRawBufferPointer, into out: inout [Event]) throws(HTTPParseError) {
        var i = 0
        let n = buf.count
        while i < n {
            switch state {
            case .requestLine:
                guard try takeLine(buf, &i, limit: limits.requestLineBytes,
                                   overflow: HTTPParseError(status: 414, reason: "request line too long")) != nil
                else { continue }
                if line.isEmpty { continue }   // empty lines before a request are ignored
                try parseRequestLine()
                line.removeAll(keepingCapacity: true)
                state = .headers
                sectionBytes = 0
                sectionFields = 0

            case .headers:
                guard let used = try takeLine(buf, &i, limit: limits.headerBytes - sectionBytes,
                                              overflow: HTTPParseError(status: 431, reason: "header section too large"))
                else { continue }
                sectionBytes += used
                if line.isEmpty {
                    line.removeAll(keepingCapacity: true)
                    try finishHead(into: &out)
                    continue
                }
                let (name, value) = try parseFieldLine()
                line.removeAll(keepingCapacity: true)
                sectionFields += 1
                if sectionFields > limits.headerCount {
                    throw HTTPParseError(status: 431, reason: "more than \(limits.headerCount) header fields")
                }
                headers.add(name, value)

            case .body(let remaining):
                let take = min(remaining, n - i)
                takeBody(UnsafeRawBufferPointer(rebasing: buf[i..<(i + take)]), into: &out)
                i += take
                if remaining == take {
                    complete(into: &out)
                } else {
                    state = .body(remaining: remaining - take)
                }

            case .chunkSize:
                guard try takeLine(buf, &i, limit: Self.chunkLineLimit,
                                   overflow: .badRequest("chunk-size line too long")) != nil
                else { continue }
                let size = try parseChunkSize()
                line.removeAll(keepingCapacity: true)
                if size == 0 {
                    state = .trailers
                    sectionBytes = 0
                    sectionFields = 0
                } else {
                    state = .chunkData(remaining: size)
                }

            case .chunkData(let remaining):
                let take = min(remaining, n - i)
                takeBody(UnsafeRawBufferPointer(rebasing: buf[i..<(i + take)]), into: &out)
                i += take
                state = remaining == take ? .chunkDataEnd : .chunkData(remaining: remaining - take)

            case .chunkDataEnd:
                let ended = try takeLine(buf, &i, limit: 2, overflow: .badRequest("chunk data longer than its size"))
                guard line.isEmpty || line == [ASCII.cr] && ended == nil else {
                    throw .badRequest("chunk data longer than its size")
                }
                guard ended != nil else { continue }
                state = .chunkSize

            case .trailers:
                guard let used = try takeLine(buf, &i, limit: limits.headerBytes - sectionBytes,
                                              overflow: HTTPParseError(status: 431, reason: "trailer section too large"))
                else { continue }
                sectionBytes += used
                if line.isEmpty {
                    complete(into: &out)
                    continue
                }
                _ = try parseFieldLine()   // checked, then dropped
                line.removeAll(keepingCapacity: true)
                sectionFields += 1
                if sectionFields > limits.headerCount {
                    throw HTTPParseError(status: 431, reason: "more than \(limits.headerCount) trailer fields")
                }
            }
        }
    }

    /// Appends input up to the next LF to `line`. Returns nil if the line is still unfinished
    /// (all input consumed), else the line's length on the wire (with its line end); `line` then
    /// holds the line without CR LF. Throws `overflow` as soon as the line cannot fit in `limit`
    /// bytes line end included, so `line` never holds more than `limit - 1` bytes.
    private mutating func takeLine(_ buf: UnsafeRawBufferPointer, _ i: inout Int, limit: Int,
                                   overflow: HTTPParseError) throws(HTTPParseError) -> Int? {
        let n = buf.count
        var j = i
        while j < n && buf[j] != ASCII.lf { j += 1 }
        if line.count + (j - i) + 1 > limit { throw overflow }
        line.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[i..<j]))
        guard j < n else {
            i = n
            return nil
        }
        i = j + 1
        let wire = line.count + 1
        if line.last == ASCII.cr { line.removeLast() }
        return wire
    }

    // MARK: - Request line

    private mutating func parseRequestLine() throws(HTTPParseError) {
        guard let sp1 = line.firstIndex(of: ASCII.space) else {
            throw .badRequest("request line without target and version")
        }
        let rest = line[(sp1 + 1)...]
        guard let sp2 = rest.firstIndex(of: ASCII.space) else {
            throw .badRequest("request line without HTTP version (HTTP/0.9 is not supported)")
        }
        let methodBytes = line[..<sp1]
        let targetBytes = line[(sp1 + 1)..<sp2]
        let versionBytes = line[(sp2 + 1)...]
        guard ASCII.isToken(methodBytes) else { throw .badRequest("method is not a token") }
        guard !targetBytes.isEmpty,
              targetBytes.allSatisfy({ $0 > ASCII.space && $0 != 0x7F }) else {
            throw .badRequest("invalid request-target")
        }
        version = try Self.parseVersion(versionBytes)
        method = String(decoding: methodBytes, as: UTF8.self)
        target = String(decoding: targetBytes, as: UTF8.self)
        (path, query, authority) = try Self.splitTarget(Array(targetBytes), method: method)
    }

    /// `HTTP/1.0` or `HTTP/1.1`; other well-formed versions are 505, HTTP/0.x and junk 400.
    private static func parseVersion(_ v: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPVersion {
        let b = Array(v)
        guard b.count == 8, b[0..<5].elementsEqual("HTTP/".utf8), b[6] == UInt8(ascii: "."),
              let major = ASCII.decimalDigit(b[5]), let minor = ASCII.decimalDigit(b[7]) else {
            throw .badRequest("malformed HTTP version")
        }
        switch (major, minor) {
        case (1, 0): return .http10
        case (1, 1): return .http11
        case (0, _): throw .badRequest("HTTP/0.\(minor) is not supported")
        default: throw HTTPParseError(status: 505, reason: "HTTP/\(major).\(minor) is not supported")
        }
    }

    /// Splits a request-target into decoded path, raw query and absolute-form authority.
    static func splitTarget(_ t: [UInt8], method: String)
        throws(HTTPParseError) -> (path: String, query: String, authority: String?) {
        if t == [UInt8(ascii: "*")] {
            guard method == "OPTIONS" else { throw .badRequest("'*' target is only for OPTIONS") }
            return ("*", "", nil)
        }
        var rest = t[...]
        var authority: String?
        if t.first != UInt8(ascii: "/") {
            let lower = t.prefix(8).map(ASCII.lowercased)
            if lower.starts(with: "http://".utf8) {
                rest = rest.dropFirst(7)
            } else if lower.starts(with: "https://".utf8) {
                rest = rest.dropFirst(8)
            } else {
                throw .badRequest("request-target is not origin-form, absolute-form or '*'")
            }
            let end = rest.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }
                ?? rest.endIndex
            guard end > rest.startIndex else { throw .badRequest("absolute-form target without host") }
            authority = String(decoding: rest[..<end], as: UTF8.self)
            rest = rest[end...]
        }
        if let hash = rest.firstIndex(of: UInt8(ascii: "#")) { rest = rest[..<hash] }
        let q = rest.firstIndex(of: UInt8(ascii: "?"))
        let rawPath = q.map { rest[..<$0] } ?? rest
        let rawQuery = q.map { rest[($0 + 1)...] } ?? []
        guard let decoded = PercentDecoding.decodePath(rawPath) else {
            throw .badRequest("invalid percent-encoding in path")
        }
        guard let path = ASCII.validUTF8(decoded) else { throw .badRequest("path is not UTF-8") }
        return (path.isEmpty ? "/" : path, String(decoding: rawQuery, as: UTF8.self), authority)
    }

    // MARK: - Fields

    /// Checks `line` as `name: value` and returns its name and trimmed value.
    private func parseFieldLine() throws(HTTPParseError) -> (String, String) {
        if line[0] == ASCII.space || line[0] == ASCII.tab {
            throw .badRequest("obsolete line folding")
        }
        guard let colon = line.firstIndex(of: ASCII.colon) else { throw .badRequest("header line without ':'") }
        let name = line[..<colon]
        guard ASCII.isToken(name) else { throw .badRequest("header name is not a token") }
        var value = line[(colon + 1)...]
        while let f = value.first, f == ASCII.space || f == ASCII.tab { value = value.dropFirst() }
        while let l = value.last, l == ASCII.space || l == ASCII.tab { value = value.dropLast() }
        guard value.allSatisfy({ $0 >= ASCII.space || $0 == ASCII.tab }) && !value.contains(0x7F) else {
            throw .badRequest("control character in header value")
        }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    /// Decides the body framing once the header section is complete.
    /// Body bytes: gathered, or handed out when streaming.
    private mutating func takeBody(_ bytes: UnsafeRawBufferPointer, into out: inout [Event]) {
        if streamsBodies {
            if !bytes.isEmpty { out.append(.body(Array(bytes))) }
        } else {
            body.append(contentsOf: bytes)
        }
    }

    private mutating func finishHead(into out: inout [Event]) throws(HTTPParseError) {
        if headers.values("Host").count > 1 { throw .badRequest("more than one Host header") }
        let transferEncodings = headers.values("Transfer-Encoding")
        let contentLengths = headers.values("Content-Length")
        if !transferEncodings.isEmpty {
            guard contentLengths.isEmpty else {
                throw .badRequest("both Transfer-Encoding and Content-Length")
            }
            guard version == .http11 else { throw .badRequest("Transfer-Encoding in an HTTP/1.0 request") }
            let codings = transferEncodings.flatMap(ASCII.listElements)
            guard !codings.isEmpty else { throw .badRequest("empty Transfer-Encoding") }
            for coding in codings where !ASCII.equalsIgnoringCase(String(coding), "chunked") {
                throw HTTPParseError(status: 501, reason: "transfer-coding '\(coding)' is not supported")
            }
            guard codings.count == 1 else { throw .badRequest("chunked applied more than once") }
            if streamsBodies { out.append(.head(request())) }
            state = .chunkSize
            return
        }
        if !contentLengths.isEmpty {
            var length: Int?
            for element in contentLengths.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false) }) {
                guard let value = ASCII.saturatingDecimal(ASCII.trimmed(element)) else {
                    throw .badRequest("invalid Content-Length")
                }
                if let length, length != value { throw .badRequest("conflicting Content-Length values") }
                length = value
            }
            let bodyLength = length ?? 0
            if bodyLength > limits.bodyBytes && !streamsBodies {
                throw .tooLarge("Content-Length \(bodyLength) over the \(limits.bodyBytes) byte limit")
            }
            if bodyLength > 0 {
                if streamsBodies {
                    out.append(.head(request()))
                } else {
                    body.reserveCapacity(min(bodyLength, 65536))
                }
                state = .body(remaining: bodyLength)
                return
            }
        }
        if streamsBodies { out.append(.head(request())) }
        complete(into: &out)
    }

    // MARK: - Chunked body

    /// Reads `line` as `chunk-size [BWS ; extensions]`, checking the body limit.
    private func parseChunkSize() throws(HTTPParseError) -> Int {
        var size = 0
        var i = line.startIndex
        while i < line.endIndex, let d = ASCII.hexValue(line[i]) {
            let (m, o1) = size.multipliedReportingOverflow(by: 16)
            let (a, o2) = m.addingReportingOverflow(d)
            if o1 || o2 || a > limits.bodyBytes - body.count {
                throw .tooLarge("chunked body over the \(limits.bodyBytes) byte limit")
            }
            size = a
            i += 1
        }
        guard i > line.startIndex else { throw .badRequest("invalid chunk size") }
        while i < line.endIndex, line[i] == ASCII.space || line[i] == ASCII.tab { i += 1 }
        guard i == line.endIndex || line[i] == UInt8(ascii: ";") else { throw .badRequest("invalid chunk size") }
        return size
    }

    // MARK: - Completion

    private mutating func complete(into out: inout [Event]) {
        out.append(streamsBodies ? .end : .head(request()))
        state = .requestLine
        headers = HTTPHeaders()
        body = []
        authority = nil
        sectionBytes = 0
        sectionFields = 0
    }

    /// The request read so far (its head, and the body gathered unless streaming).
    private func request() -> HTTPRequest {
        let connection = headers.values("Connection").flatMap(ASCII.listElements)
        let close = connection.contains { ASCII.equalsIgnoringCase(String($0), "close") }
        let keepAliveToken = connection.contains { ASCII.equalsIgnoringCase(String($0), "keep-alive") }
        let keepAlive = !close && (version == .http11 || keepAliveToken)
        let hostSource = authority ?? headers["Host"]
        let host = hostSource.map(Self.hostWithoutPort).flatMap { $0.isEmpty ? nil : $0 }
        return HTTPRequest(method: method, target: target, path: path, query: query, version: version,
                           headers: headers, body: body, keepAlive: keepAlive, host: host)
    }

    /// `host[:port]`, `[v6]:port` or `user@host:port` -> host (IPv6 keeps its brackets).
    static func hostWithoutPort(_ value: String) -> String {
        var s = ASCII.trimmed(Substring(value))
        if let at = s.lastIndex(of: "@") { s = s[s.index(after: at)...] }
        if s.hasPrefix("[") {
            if let close = s.firstIndex(of: "]") { return String(s[...close]) }
            return String(s)
        }
        if let colon = s.firstIndex(of: ":") { return String(s[..<colon]) }
        return String(s)
    }
}
