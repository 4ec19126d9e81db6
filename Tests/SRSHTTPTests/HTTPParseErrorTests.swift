import XCTest

import SRSHTTP

final class HTTPParseErrorTests: XCTestCase {
    func testRequestLineErrors() {
        assertStatus(400, "GET /\r\n\r\n")                       // HTTP/0.9 form
        assertStatus(400, "GET / HTTP/0.9\r\n\r\n")
        assertStatus(505, "GET / HTTP/2.0\r\n\r\n")
        assertStatus(505, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        assertStatus(505, "GET / HTTP/1.2\r\n\r\n")
        assertStatus(505, "GET / HTTP/3.0\r\n\r\n")
        assertStatus(400, "GET / HTTP/1.1 \r\n\r\n")
        assertStatus(400, "GET / http/1.1\r\n\r\n")
        assertStatus(400, "GET / HTTP/11\r\n\r\n")
        assertStatus(400, "GET  / HTTP/1.1\r\n\r\n")
        assertStatus(400, "GET / extra HTTP/1.1\r\n\r\n")
        assertStatus(400, "G(T / HTTP/1.1\r\n\r\n")
        assertStatus(400, "GET foo HTTP/1.1\r\n\r\n")
        assertStatus(400, "GET * HTTP/1.1\r\n\r\n")
        assertStatus(400, "GET http:///x HTTP/1.1\r\n\r\n")
        assertStatus(400, "GET /a\tb HTTP/1.1\r\n\r\n")
        assertStatus(400, "GET /a\rb HTTP/1.1\r\n\r\n")
        XCTAssertEqual(parseError(bytes: Array("GET /\u{7F} HTTP/1.1\r\n\r\n".utf8))?.status, 400)
    }

    func testPathEscapeErrors() {
        assertStatus(400, "GET /a%zz HTTP/1.1\r\n\r\n")
        assertStatus(400, "GET /a%4 HTTP/1.1\r\n\r\n")
        assertStatus(400, "GET /a% HTTP/1.1\r\n\r\n")
        assertStatus(400, "GET /a%00b HTTP/1.1\r\n\r\n")
        assertStatus(400, "GET /a%FF HTTP/1.1\r\n\r\n")   // not UTF-8
    }

    func testHeaderSyntaxErrors() {
        assertStatus(400, "GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n")
        assertStatus(400, "GET / HTTP/1.1\r\n\tX: folded-first\r\n\r\n")
        assertStatus(400, "GET / HTTP/1.1\r\nNo colon here\r\n\r\n")
        assertStatus(400, "GET / HTTP/1.1\r\nHost : h\r\n\r\n")
        assertStatus(400, "GET / HTTP/1.1\r\n: empty-name\r\n\r\n")
        assertStatus(400, "GET / HTTP/1.1\r\nBad[Name]: v\r\n\r\n")
        assertStatus(400, "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n")
        assertStatus(400, "GET / HTTP/1.1\r\nX: a\u{1}b\r\n\r\n")
        assertStatus(400, "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
    }

    func testContentLengthErrors() {
        assertStatus(400, "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd")
        assertStatus(400, "POST / HTTP/1.1\r\nContent-Length: 3, 4\r\n\r\nabcd")
        assertStatus(400, "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n")
        assertStatus(400, "POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\nx")
        assertStatus(400, "POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n")
        assertStatus(400, "POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n")
        assertStatus(400, "POST / HTTP/1.1\r\nContent-Length:\r\n\r\n")
        assertStatus(413, "POST / HTTP/1.1\r\nContent-Length: 1048577\r\n\r\n")
        assertStatus(413, "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999999\r\n\r\n")
        assertStatus(413, "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n", limits: .init(bodyBytes: 4))
    }

    func testSmugglingAndTransferCodingErrors() {
        assertStatus(400, "POST / HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        assertStatus(400, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n")
        assertStatus(400, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n")
        assertStatus(400, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n")
        assertStatus(400, "POST / HTTP/1.1\r\nTransfer-Encoding:\r\n\r\n")
        assertStatus(400, "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        assertStatus(501, "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n")
        assertStatus(501, "POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n")
        assertStatus(501, "POST / HTTP/1.1\r\nTransfer-Encoding: xchunked\r\n\r\n")
    }

    func testChunkErrors() {
        let head = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        assertStatus(400, head + "zz\r\nabc\r\n0\r\n\r\n")
        assertStatus(400, head + "\r\n")
        assertStatus(400, head + "-1\r\n")
        assertStatus(400, head + "3x\r\nabc\r\n0\r\n\r\n")
        assertStatus(400, head + "3\r\nabcd\r\n0\r\n\r\n")           // data longer than its size
        assertStatus(400, head + "3\r\nabcX")
        assertStatus(400, head + String(repeating: "1", count: 5000))  // endless size line
        assertStatus(400, head + "0\r\n folded-trailer\r\n\r\n")
        assertStatus(413, head + "100001\r\n")                        // one chunk over 1 MiB
        assertStatus(413, head + "ffffffffffffffffffffffffffffffffff\r\n")  // would overflow Int
        assertStatus(413, head + "3\r\nabc\r\n3\r\ndef\r\n", limits: .init(bodyBytes: 5))
        assertStatus(431, head + "0\r\n" + String(repeating: "X: y\r\n", count: 101) + "\r\n")
    }

    func testRequestLineLimitIs414() {
        let long = "GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\n\r\n"
        assertStatus(414, long)
        // 20 bytes with CRLF pass; 21 fail; an unended line fails as soon as it cannot fit.
        let limits = HTTPRequestParser.Limits(requestLineBytes: 20)
        XCTAssertEqual(try parseRequests("GET /1234 HTTP/1.1\r\n\r\n", limits: limits).first?.path, "/1234")
        assertStatus(414, "GET /12345 HTTP/1.1\r\n\r\n", limits: limits)
        var parser = HTTPRequestParser(limits: limits)
        XCTAssertEqual(try parser.feed(Array("GET /12345 HTTP/1.1".utf8)), [], "could still end with a bare LF")
        XCTAssertThrowsError(try parser.feed(Array("\r".utf8))) { error in
            XCTAssertEqual((error as? HTTPParseError)?.status, 414)
        }
    }

    func testHugeHeaderIs431WithoutBufferingPastTheLimit() throws {
        var parser = HTTPRequestParser()
        XCTAssertEqual(try parser.feed(Array("GET / HTTP/1.1\r\nX-Big: ".utf8)), [])
        let piece = [UInt8](repeating: UInt8(ascii: "a"), count: 1024)
        var fed = 7   // "X-Big: " counts toward the header section
        var thrown: HTTPParseError?
        for _ in 0..<20 {   // 20 KiB of one header value, never ended
            do {
                _ = try parser.feed(piece)
                fed += piece.count
                XCTAssertLessThanOrEqual(parser.bufferedByteCount, 16384)
            } catch {
                thrown = error
                break
            }
        }
        XCTAssertEqual(thrown?.status, 431)
        XCTAssertLessThanOrEqual(fed, 16384, "the error comes as soon as the limit is passed")
        XCTAssertEqual(parser.bufferedByteCount, 0, "buffers are dropped on failure")
        // The parser stays failed.
        XCTAssertThrowsError(try parser.feed(Array("\r\n\r\n".utf8))) { error in
            XCTAssertEqual((error as? HTTPParseError)?.status, 431)
        }
        XCTAssertEqual(parser.error?.status, 431)

        // Many medium headers adding up past the limit.
        let many = "GET / HTTP/1.1\r\n" + String(repeating: "X-Pad: " + String(repeating: "b", count: 1000) + "\r\n",
                                               count: 20) + "\r\n"
        assertStatus(431, many)
    }

    func testHeaderCountLimit() throws {
        let hundred = "GET / HTTP/1.1\r\n" + (0..<100).map { "X-\($0): v\r\n" }.joined() + "\r\n"
        XCTAssertEqual(try parseRequests(hundred).first?.headers.count, 100)
        let hundredOne = "GET / HTTP/1.1\r\n" + (0..<101).map { "X-\($0): v\r\n" }.joined() + "\r\n"
        assertStatus(431, hundredOne)
    }

    func testErrorDescription() {
        let error = HTTPParseError(status: 413, reason: "too big")
        XCTAssertEqual(error.description, "413 Content Too Large: too big")
    }
}
