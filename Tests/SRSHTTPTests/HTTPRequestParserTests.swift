import XCTest

import SRSHTTP

final class HTTPRequestParserTests: XCTestCase {
    private let simpleGet = "GET /live/livestream.flv?token=abc HTTP/1.1\r\nHost: example.com:8080\r\n"
        + "User-Agent: test\r\nAccept: */*\r\n\r\n"

    func testSimpleGet() throws {
        let requests = try parseRequests(simpleGet)
        XCTAssertEqual(requests.count, 1)
        let r = try XCTUnwrap(requests.first)
        XCTAssertEqual(r.method, "GET")
        XCTAssertEqual(r.target, "/live/livestream.flv?token=abc")
        XCTAssertEqual(r.path, "/live/livestream.flv")
        XCTAssertEqual(r.query, "token=abc")
        XCTAssertEqual(r.version, .http11)
        XCTAssertEqual(r.host, "example.com")
        XCTAssertEqual(r.headers["user-agent"], "test")
        XCTAssertEqual(r.headers["ACCEPT"], "*/*")
        XCTAssertEqual(r.headers.count, 3)
        XCTAssertEqual(r.headers.map(\.name), ["Host", "User-Agent", "Accept"])
        XCTAssertEqual(r.body, [])
        XCTAssertTrue(r.keepAlive)
    }

    func testPartialFlagAndBareLF() throws {
        var parser = HTTPRequestParser()
        XCTAssertFalse(parser.hasPartialRequest)
        XCTAssertEqual(try parser.feed(Array("\r\n\n".utf8)), [])
        XCTAssertFalse(parser.hasPartialRequest, "empty lines before a request are skipped")
        XCTAssertEqual(try parser.feed(Array("GET / HTTP/1.0\nHost: a".utf8)), [])
        XCTAssertTrue(parser.hasPartialRequest)
        let requests = try parser.feed(Array("\n\n".utf8))
        XCTAssertEqual(requests.map(\.path), ["/"])
        XCTAssertEqual(requests.first?.version, .http10)
        XCTAssertEqual(requests.first?.host, "a")
        XCTAssertFalse(parser.hasPartialRequest)
        XCTAssertEqual(parser.bufferedByteCount, 0)
    }

    func testPipelinedRequestsInOneFeed() throws {
        let text = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
            + "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
            + "HEAD /c HTTP/1.1\r\nHost: h\r\n\r\n"
            + "GET /d HTTP/1.1\r\nHo"
        var parser = HTTPRequestParser()
        let requests = try parser.feed(Array(text.utf8))
        XCTAssertEqual(requests.map(\.method), ["GET", "POST", "HEAD"])
        XCTAssertEqual(requests.map(\.path), ["/a", "/b", "/c"])
        XCTAssertEqual(requests[1].body, Array("hello".utf8))
        XCTAssertTrue(parser.hasPartialRequest, "the start of /d stays buffered")
        let rest = try parser.feed(Array("st: h\r\n\r\n".utf8))
        XCTAssertEqual(rest.map(\.path), ["/d"])
        XCTAssertEqual(rest.first?.headers["Host"], "h")
        XCTAssertFalse(parser.hasPartialRequest)
    }

    func testEverySplitGivesTheSameRequests() throws {
        let text = "POST /api/v1/clients?x=%41+b HTTP/1.1\r\nHost: [::1]:1985\r\nConnection: close\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: t\r\n\r\n"
            + "GET /x HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc"
        let bytes = Array(text.utf8)
        let whole = try parseRequests(text)
        XCTAssertEqual(whole.count, 2)
        XCTAssertEqual(whole[0].body, Array("Wikipedia".utf8))
        XCTAssertEqual(whole[0].host, "[::1]")
        XCTAssertFalse(whole[0].keepAlive)
        XCTAssertEqual(whole[0].queryValue("x"), "A b")
        XCTAssertEqual(whole[1].body, Array("abc".utf8))
        for split in 0...bytes.count {
            var parser = HTTPRequestParser()
            var got = try parser.feed(Array(bytes[..<split]))
            got += try parser.feed(Array(bytes[split...]))
            XCTAssertEqual(got, whole, "split at \(split)")
            XCTAssertFalse(parser.hasPartialRequest)
        }
        // And one byte at a time.
        var parser = HTTPRequestParser()
        var got: [HTTPRequest] = []
        for b in bytes { got += try parser.feed([b]) }
        XCTAssertEqual(got, whole)
    }

    func testKeepAliveRules() throws {
        func keepAlive(_ version: String, _ connection: String?) throws -> Bool {
            let header = connection.map { "Connection: \($0)\r\n" } ?? ""
            return try XCTUnwrap(parseRequests("GET / \(version)\r\nHost: h\r\n\(header)\r\n").first).keepAlive
        }
        XCTAssertTrue(try keepAlive("HTTP/1.1", nil))
        XCTAssertFalse(try keepAlive("HTTP/1.1", "close"))
        XCTAssertFalse(try keepAlive("HTTP/1.1", "Upgrade, CLOSE"))
        XCTAssertTrue(try keepAlive("HTTP/1.1", "keep-alive"))
        XCTAssertFalse(try keepAlive("HTTP/1.0", nil))
        XCTAssertTrue(try keepAlive("HTTP/1.0", "Keep-Alive"))
        XCTAssertFalse(try keepAlive("HTTP/1.0", "close"))
        XCTAssertFalse(try keepAlive("HTTP/1.0", "keep-alive, close"))
    }

    func testQueryParsingAndDecoding() throws {
        let r = try XCTUnwrap(parseRequests(
            "GET /api/v1/streams?callback=fn&start=0&count=10&q=a%20b+c&flag&e=&pct=100%25&bad=%zz HTTP/1.1\r\n\r\n"
        ).first)
        XCTAssertEqual(r.path, "/api/v1/streams")
        XCTAssertEqual(r.query, "callback=fn&start=0&count=10&q=a%20b+c&flag&e=&pct=100%25&bad=%zz")
        XCTAssertEqual(r.queryValue("callback"), "fn")
        XCTAssertEqual(r.queryValue("start"), "0")
        XCTAssertEqual(r.queryValue("count"), "10")
        XCTAssertEqual(r.queryValue("q"), "a b c")
        XCTAssertEqual(r.queryValue("flag"), "")
        XCTAssertEqual(r.queryValue("e"), "")
        XCTAssertEqual(r.queryValue("pct"), "100%")
        XCTAssertEqual(r.queryValue("bad"), "%zz", "malformed escapes in the query stay as written")
        XCTAssertNil(r.queryValue("missing"))
        XCTAssertNil(r.queryValue("Callback"), "names are case-sensitive")

        let first = try XCTUnwrap(parseRequests("GET /?a=1&a=2&b%5B%5D=x HTTP/1.1\r\n\r\n").first)
        XCTAssertEqual(first.queryValue("a"), "1")
        XCTAssertEqual(first.queryValue("b[]"), "x")

        let none = try XCTUnwrap(parseRequests("GET /p HTTP/1.1\r\n\r\n").first)
        XCTAssertEqual(none.query, "")
        XCTAssertNil(none.queryValue("a"))
    }

    func testPathDecoding() throws {
        let r = try XCTUnwrap(parseRequests("GET /live/my%20stream%2Fx.flv?a=%20 HTTP/1.1\r\n\r\n").first)
        XCTAssertEqual(r.path, "/live/my stream/x.flv")
        XCTAssertEqual(r.target, "/live/my%20stream%2Fx.flv?a=%20")
        let plus = try XCTUnwrap(parseRequests("GET /a+b%C3%A9 HTTP/1.1\r\n\r\n").first)
        XCTAssertEqual(plus.path, "/a+bé", "'+' is literal in paths")
        let dots = try XCTUnwrap(parseRequests("GET /%2e%2e/etc/passwd HTTP/1.1\r\n\r\n").first)
        XCTAssertEqual(dots.path, "/../etc/passwd")
        XCTAssertNil(StaticPath.resolve(root: "/srv/html", requestPath: dots.path))
        let fragment = try XCTUnwrap(parseRequests("GET /f#frag HTTP/1.1\r\n\r\n").first)
        XCTAssertEqual(fragment.path, "/f")
    }

    func testAbsoluteFormAndAsterisk() throws {
        let r = try XCTUnwrap(parseRequests(
            "GET http://origin.example:8080/live/a.m3u8?x=1 HTTP/1.1\r\nHost: other\r\n\r\n").first)
        XCTAssertEqual(r.path, "/live/a.m3u8")
        XCTAssertEqual(r.query, "x=1")
        XCTAssertEqual(r.host, "origin.example", "the absolute-form authority wins over Host")
        let bare = try XCTUnwrap(parseRequests("GET HTTP://h HTTP/1.1\r\n\r\n").first)
        XCTAssertEqual(bare.path, "/")
        XCTAssertEqual(bare.host, "h")
        let star = try XCTUnwrap(parseRequests("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n").first)
        XCTAssertEqual(star.path, "*")
        XCTAssertEqual(star.method, "OPTIONS")
        XCTAssertNil(try XCTUnwrap(parseRequests("GET / HTTP/1.1\r\n\r\n").first).host)
    }

    func testHeadOptionsDeleteAndCustomMethods() throws {
        let text = "HEAD /a.ts HTTP/1.1\r\nHost: h\r\n\r\n"
            + "OPTIONS /api/v1/ HTTP/1.1\r\nHost: h\r\nOrigin: http://x\r\n\r\n"
            + "DELETE /api/v1/clients/12 HTTP/1.1\r\nHost: h\r\n\r\n"
            + "PUT /p HTTP/1.1\r\nContent-Length: 0\r\n\r\n"
            + "get /lower HTTP/1.1\r\n\r\n"
        let requests = try parseRequests(text)
        XCTAssertEqual(requests.map(\.method), ["HEAD", "OPTIONS", "DELETE", "PUT", "get"])
        XCTAssertEqual(requests.map(\.path), ["/a.ts", "/api/v1/", "/api/v1/clients/12", "/p", "/lower"])
        XCTAssertEqual(requests[1].headers["origin"], "http://x")
        XCTAssertTrue(requests.allSatisfy { $0.body.isEmpty })
    }

    func testContentLengthBody() throws {
        let body = String(repeating: "x", count: 1000)
        var parser = HTTPRequestParser()
        let head = "POST /api HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
        XCTAssertEqual(try parser.feed(Array((head + body.prefix(400)).utf8)), [])
        XCTAssertTrue(parser.hasPartialRequest)
        let requests = try parser.feed(Array((body.dropFirst(400) + "GET").utf8))
        XCTAssertEqual(requests.count, 1)
        XCTAssertEqual(requests.first?.body, Array(body.utf8))
        XCTAssertTrue(parser.hasPartialRequest, "\"GET\" of the next request is buffered")

        // Repeated identical values are one length.
        let same = try parseRequests("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3, 3\r\n\r\nabc")
        XCTAssertEqual(same.first?.body, Array("abc".utf8))
        // Exactly at the limit is fine.
        let limits = HTTPRequestParser.Limits(bodyBytes: 4)
        let atLimit = try parseRequests("POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcd", limits: limits)
        XCTAssertEqual(atLimit.first?.body.count, 4)
    }

    func testChunkedBodyWithExtensionsAndTrailers() throws {
        let text = "POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n"
            + "5 ; name=value;other\r\nhello\r\n"
            + "1A\r\nabcdefghijklmnopqrstuvwxyz\r\n"
            + "000\r\nExpires: never\r\nX-Sum: 1\r\n\r\n"
        let requests = try parseRequests(text)
        XCTAssertEqual(requests.count, 1)
        let r = try XCTUnwrap(requests.first)
        XCTAssertEqual(r.body, Array("helloabcdefghijklmnopqrstuvwxyz".utf8))
        XCTAssertNil(r.headers["Expires"], "trailers are dropped")
        XCTAssertEqual(r.headers["transfer-encoding"], "Chunked")

        // Bare LF framing and no trailers.
        let lf = try parseRequests("POST / HTTP/1.1\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n")
        XCTAssertEqual(lf.first?.body, Array("abc".utf8))

        // Chunked body exactly at the limit.
        let limits = HTTPRequestParser.Limits(bodyBytes: 6)
        let atLimit = try parseRequests(
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n", limits: limits)
        XCTAssertEqual(atLimit.first?.body, Array("abcdef".utf8))
    }

    func testRawBufferFeed() throws {
        var parser = HTTPRequestParser()
        let bytes = Array("GET /raw HTTP/1.1\r\n\r\n".utf8)
        let requests = try bytes.withUnsafeBytes { raw throws(HTTPParseError) in try parser.feed(raw) }
        XCTAssertEqual(requests.map(\.path), ["/raw"])
    }
}
