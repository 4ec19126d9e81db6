import XCTest

import SRSHTTP

final class HTTPResponseParserTests: XCTestCase {
    private func feed(_ parser: inout HTTPResponseParser, _ text: String) {
        Array(text.utf8).withUnsafeBytes { parser.append($0) }
    }

    func testContentLengthInPiecesAndBackToBack() throws {
        var parser = HTTPResponseParser()
        feed(&parser, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel")
        XCTAssertNil(try parser.next())
        feed(&parser, "loHTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n")
        let first = try XCTUnwrap(parser.next())
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(first.reason, "OK")
        XCTAssertEqual(first.body, Array("hello".utf8))
        let second = try XCTUnwrap(parser.next())
        XCTAssertEqual(second.status, 404)
        XCTAssertEqual(second.body, [])
        XCTAssertNil(try parser.next())
    }

    func testChunkedBody() throws {
        var parser = HTTPResponseParser()
        feed(&parser, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;ext=1\r\n{\r\n9\r\n\"code\":0}\r\n0\r\n")
        XCTAssertNil(try parser.next())
        feed(&parser, "\r\n")
        XCTAssertEqual(try parser.next()?.body, Array("{\"code\":0}".utf8))
    }

    /// A chunk size near Int.max after a first chunk overflowed `body.count + size`.
    func testHugeChunkSizeAfterAChunkThrows() {
        var parser = HTTPResponseParser()
        feed(&parser, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n7fffffffffffffff\r\n")
        XCTAssertThrowsError(try parser.next())
    }

    func testBodyToTheEndOfTheConnection() throws {
        var parser = HTTPResponseParser()
        feed(&parser, "HTTP/1.0 200 OK\r\n\r\n0")
        XCTAssertNil(try parser.next())
        XCTAssertEqual(try parser.finish()?.body, Array("0".utf8))
        var cut = HTTPResponseParser()
        feed(&cut, "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n0")
        XCTAssertThrowsError(try cut.finish())
    }

    func testBadResponsesThrow() {
        for text in ["SIP/2.0 200 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
                     "HTTP/1.1 200 OK\r\nno colon\r\n\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"] {
            var parser = HTTPResponseParser()
            feed(&parser, text)
            XCTAssertThrowsError(try parser.next(), text)
        }
        var big = HTTPResponseParser(maxBodyBytes: 4)
        feed(&big, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")
        XCTAssertThrowsError(try big.next())
    }
}
