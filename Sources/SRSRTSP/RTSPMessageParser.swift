/// An incremental, sans-I/O parser of what an RTSP client sends on its TCP connection:
/// requests, and between them RTP/RTCP packets interleaved as `$`, channel, 16-bit length,
/// data (RFC 2326 10.12). Bytes come in any slicing.
///
/// Memory is bounded by `Limits` whatever the input: a request head longer than
/// `headBytes`, more than `headerCount` fields, or a body over `bodyBytes` is an error (the
/// caller answers `status` and closes), and an interleaved frame is at most 65535 bytes by
/// its format. After an error the parser stays failed.
public struct RTSPMessageParser: Sendable {
    /// Size limits.
    public struct Limits: Sendable, Equatable {
        public var headBytes: Int
        public var headerCount: Int
        public var bodyBytes: Int

        /// 16 KiB of request head, 64 fields, 64 KiB of body (an SDP is a few hundred bytes).
        public init(headBytes: Int = 16384, headerCount: Int = 64, bodyBytes: Int = 65536) {
            self.headBytes = headBytes
            self.headerCount = headerCount
            self.bodyBytes = bodyBytes
        }
    }

    /// What the client sent.
    public enum Message: Sendable, Equatable {
        case request(RTSPRequest)
        /// An interleaved packet on `channel` (RTP on even channels, RTCP on odd ones by
        /// convention; the SETUP decides).
        case interleaved(channel: UInt8, payload: [UInt8])
    }

    public let limits: Limits
    private var buffer: [UInt8] = []
    private var failure: RTSPParseError?
    /// How far the search for the end of an unfinished head got (a head sent byte by byte is
    /// not scanned again from its start on every read).
    private var scannedTo = 0
    /// A request whose head is read and whose body is not complete: the head and its length,
    /// and the body's length.
    private var pendingHead: (request: RTSPRequest, headLength: Int, bodyLength: Int)?

    public init(limits: Limits = Limits()) { self.limits = limits }

    /// Bytes of an unfinished message held.
    public var bufferedByteCount: Int { buffer.count }

    /// Appends bytes; returns every message they complete, in order.
    public mutating func feed(_ bytes: some Collection<UInt8>) throws(RTSPParseError) -> [Message] {
        if let failure { throw failure }
        buffer += bytes
        var out: [Message] = []
        var offset = 0
        do {
            while offset < buffer.count {
                guard let (message, used) = try next(at: offset) else { break }
                if let message { out.append(message) }
                offset += used
            }
        } catch {
            failure = error
            buffer = []
            throw error
        }
        buffer.removeFirst(offset)
        scannedTo = max(scannedTo - offset, 0)
        return out
    }

    /// The message at `offset`, with the bytes it used, or nil when more bytes are needed.
    /// A lone line end between messages is used with no message.
    private mutating func next(at offset: Int) throws(RTSPParseError) -> (Message?, Int)? {
        let first = buffer[offset]
        if first == 0x24 {  // '$'
            guard buffer.count - offset >= 4 else { return nil }
            let length = Int(buffer[offset + 2]) << 8 | Int(buffer[offset + 3])
            guard buffer.count - offset >= 4 + length else { return nil }
            return (.interleaved(channel: buffer[offset + 1], payload: Array(buffer[(offset + 4)..<(offset + 4 + length)])), 4 + length)
        }
        if first == 0x0D || first == 0x0A { return (nil, 1) }
        if let (request, headLength, length) = pendingHead {
            // The head was read already; its body is still coming.
            guard buffer.count - offset >= headLength + length else { return nil }
            pendingHead = nil
            var complete = request
            complete.body = Array(buffer[(offset + headLength)..<(offset + headLength + length)])
            return (.request(complete), headLength + length)
        }
        guard let headEnd = findHeadEnd(from: max(offset, scannedTo - 3)) else {
            if buffer.count - offset > limits.headBytes { throw RTSPParseError(status: 400, reason: "request head over \(limits.headBytes) bytes") }
            scannedTo = buffer.count
            return nil
        }
        scannedTo = 0
        guard headEnd.end - offset <= limits.headBytes else { throw RTSPParseError(status: 400, reason: "request head over \(limits.headBytes) bytes") }
        var request = try parseHead(buffer[offset..<headEnd.start])
        var length = 0
        if let value = request["Content-Length"] {
            guard let parsed = Int(value.trimmingSpaces), parsed >= 0 else { throw RTSPParseError(status: 400, reason: "invalid Content-Length") }
            guard parsed <= limits.bodyBytes else { throw RTSPParseError(status: 413, reason: "body of \(parsed) bytes over \(limits.bodyBytes)") }
            length = parsed
        }
        guard buffer.count - headEnd.end >= length else {
            pendingHead = (request, headEnd.end - offset, length)
            return nil
        }
        request.body = Array(buffer[headEnd.end..<(headEnd.end + length)])
        return (.request(request), headEnd.end + length - offset)
    }

    /// Where the head ends: the empty line (CRLF CRLF or LF LF); `start` is where the empty
    /// line begins, `end` the first byte after it.
    private func findHeadEnd(from offset: Int) -> (start: Int, end: Int)? {
        var index = offset
        let limit = buffer.count
        while index < limit {
            if buffer[index] == 0x0A {
                if index + 1 < buffer.count && buffer[index + 1] == 0x0A { return (index + 1, index + 2) }
                if index + 2 < buffer.count && buffer[index + 1] == 0x0D && buffer[index + 2] == 0x0A { return (index + 1, index + 3) }
            }
            index += 1
        }
        return nil
    }

    private func parseHead(_ head: ArraySlice<UInt8>) throws(RTSPParseError) -> RTSPRequest {
        let lines = head.split(separator: 0x0A, omittingEmptySubsequences: false).map { line -> String in
            let trimmed = line.last == 0x0D ? line.dropLast() : line
            return String(decoding: trimmed, as: UTF8.self)
        }.filter { !$0.isEmpty }
        guard let requestLine = lines.first else { throw RTSPParseError(status: 400, reason: "empty request") }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 3, parts[2].hasPrefix("RTSP/"), parts[0].allSatisfy({ $0.isLetter || $0 == "_" }) else {
            throw RTSPParseError(status: 400, reason: "bad request line '\(requestLine.prefix(80))'")
        }
        guard parts[2] == "RTSP/1.0" else { throw RTSPParseError(status: 505, reason: "version \(parts[2]) not supported") }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { throw RTSPParseError(status: 400, reason: "header line without ':'") }
            let name = line[..<colon].trimmingSpaces
            guard !name.isEmpty, !name.contains(" ") else { throw RTSPParseError(status: 400, reason: "bad header name") }
            headers.append((name, line[line.index(after: colon)...].trimmingSpaces))
            if headers.count > limits.headerCount { throw RTSPParseError(status: 400, reason: "more than \(limits.headerCount) header fields") }
        }
        return RTSPRequest(method: String(parts[0]), uri: String(parts[1]), version: String(parts[2]), headers: headers)
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
