/// One HTTP/1.1 response as a client reads it.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var reason: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
}

/// Sans-I/O reader of HTTP/1.x responses, for the server's own outbound calls (callbacks)
/// and srs-bench: bodies by Content-Length, chunked transfer coding, or up to the end of the
/// connection; several responses back to back on a keep-alive connection.
public struct HTTPResponseParser: Sendable {
    /// Largest head (status line and headers).
    public static let maxHeadBytes = 16 * 1024
    private let maxBodyBytes: Int
    private var buffer: [UInt8] = []

    /// `maxBodyBytes`: a longer body is an error (callback answers are small).
    public init(maxBodyBytes: Int = 1024 * 1024) {
        self.maxBodyBytes = maxBodyBytes
    }

    /// Bytes read from the connection.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes)
    }

    /// The next complete response, removed from the input; nil until one is complete.
    public mutating func next() throws(HTTPParseError) -> HTTPResponse? {
        try parse(atEnd: false)
    }

    /// The connection ended: completes a response whose body runs to the end of the connection.
    /// Throws if a response was cut short.
    public mutating func finish() throws(HTTPParseError) -> HTTPResponse? {
        if buffer.isEmpty { return nil }
        guard let response = try parse(atEnd: true) else {
            throw HTTPParseError(status: 502, reason: "connection closed in the middle of a response")
        }
        return response
    }

    private mutating func parse(atEnd: Bool) throws(HTTPParseError) -> HTTPResponse? {
        guard let headEnd = Self.find([ASCII.cr, ASCII.lf, ASCII.cr, ASCII.lf], in: buffer, from: 0) else {
            if buffer.count > Self.maxHeadBytes { throw HTTPParseError(status: 502, reason: "response head over \(Self.maxHeadBytes) bytes") }
            return nil
        }
        var response = try Self.parseHead(buffer[..<headEnd])
        let bodyStart = headEnd + 4
        let noBody = response.status / 100 == 1 || response.status == 204 || response.status == 304
        if noBody {
            buffer.removeFirst(bodyStart)
            return response
        }
        if response.headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            guard let (body, end) = try decodeChunked(from: bodyStart) else { return nil }
            response.body = body
            buffer.removeFirst(end)
            return response
        }
        if let lengthText = response.headers["content-length"] {
            guard let length = Int(lengthText.trimmingSpaces), length >= 0 else {
                throw HTTPParseError(status: 502, reason: "bad Content-Length '\(lengthText)'")
            }
            guard length <= maxBodyBytes else { throw HTTPParseError(status: 502, reason: "response body of \(length) bytes is too large") }
            guard buffer.count - bodyStart >= length else { return nil }
            response.body = Array(buffer[bodyStart..<(bodyStart + length)])
            buffer.removeFirst(bodyStart + length)
            return response
        }
        // Delimited by the end of the connection.
        guard buffer.count - bodyStart <= maxBodyBytes else { throw HTTPParseError(status: 502, reason: "response body is too large") }
        guard atEnd else { return nil }
        response.body = Array(buffer[bodyStart...])
        buffer.removeAll()
        return response
    }

    private static func parseHead(_ head: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPResponse {
        var lines = head.split(separator: ASCII.lf, omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == ASCII.cr ? line.dropLast() : line, as: UTF8.self)
        }
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3, let status = Int(parts[1]) else {
            throw HTTPParseError(status: 502, reason: "bad status line '\(statusLine.prefix(64))'")
        }
        var headers = HTTPHeaders()
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw HTTPParseError(status: 502, reason: "bad header line '\(line.prefix(64))'") }
            headers.add(String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingSpaces)
        }
        return HTTPResponse(status: status, reason: parts.count == 3 ? String(parts[2]) : "", headers: headers, body: [])
    }

    /// The body and the index after the last chunk, or nil when more bytes are needed.
    private func decodeChunked(from start: Int) throws(HTTPParseError) -> ([UInt8], Int)? {
        var body: [UInt8] = []
        var index = start
        while true {
            guard let lineEnd = Self.find([ASCII.cr, ASCII.lf], in: buffer, from: index) else {
                if buffer.count - index > 1024 { throw HTTPParseError(status: 502, reason: "bad chunk size line") }
                return nil
            }
            let sizeText = String(decoding: buffer[index..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingSpaces, radix: 16), size >= 0 else {
                throw HTTPParseError(status: 502, reason: "bad chunk size '\(sizeText.prefix(16))'")
            }
            guard size <= maxBodyBytes - body.count else { throw HTTPParseError(status: 502, reason: "response body is too large") }
            index = lineEnd + 2
            if size == 0 {
                // Trailers end with an empty line.
                guard let end = Self.find([ASCII.cr, ASCII.lf, ASCII.cr, ASCII.lf], in: buffer, from: index - 2) else { return nil }
                return (body, end + 4)
            }
            guard buffer.count >= index + size + 2 else { return nil }
            body += buffer[index..<(index + size)]
            index += size + 2
        }
    }

    private static func find(_ pattern: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= pattern.count else { return nil }
        var index = start
        while index <= bytes.count - pattern.count {
            if bytes[index] == pattern[0] && bytes[index..<(index + pattern.count)].elementsEqual(pattern) { return index }
            index += 1
        }
        return nil
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
