import XCTest

import SRSHTTP

final class HTTPResponseTests: XCTestCase {
    func testResponseHeadBytes() {
        var headers = HTTPHeaders()
        headers.add("Server", "SwiftSRS/2.0")
        headers.add("Content-Type", "video/x-flv")
        headers.add("Transfer-Encoding", "chunked")
        let head = HTTPResponseHead(status: 200, headers: headers)
        XCTAssertEqual(String(decoding: head.serialize(), as: UTF8.self),
                       "HTTP/1.1 200 OK\r\nServer: SwiftSRS/2.0\r\nContent-Type: video/x-flv\r\n"
                       + "Transfer-Encoding: chunked\r\n\r\n")
    }

    func testResponseHeadVersionReasonAndEmptyHeaders() {
        var head = HTTPResponseHead(status: 404)
        XCTAssertEqual(head.serialize(), Array("HTTP/1.1 404 Not Found\r\n\r\n".utf8))
        head.version = .http10
        head.reason = "Nope"
        XCTAssertEqual(head.serialize(), Array("HTTP/1.0 404 Nope\r\n\r\n".utf8))
        XCTAssertEqual(HTTPResponseHead(status: 299).serialize(), Array("HTTP/1.1 299 Unknown\r\n\r\n".utf8))
    }

    func testResponseHeadCannotBeSplit() {
        var headers = HTTPHeaders()
        headers.add("Location", "/x\r\nSet-Cookie: evil=1")
        let bytes = HTTPResponseHead(status: 302, headers: headers).serialize()
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self),
                       "HTTP/1.1 302 Found\r\nLocation: /x  Set-Cookie: evil=1\r\n\r\n")
    }

    func testReasonPhrases() {
        let expected: [Int: String] = [
            200: "OK", 206: "Partial Content", 304: "Not Modified", 400: "Bad Request", 403: "Forbidden",
            404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout", 413: "Content Too Large",
            414: "URI Too Long", 416: "Range Not Satisfiable", 431: "Request Header Fields Too Large",
            500: "Internal Server Error", 501: "Not Implemented", 503: "Service Unavailable",
            505: "HTTP Version Not Supported", 302: "Found", 204: "No Content",
        ]
        for (status, phrase) in expected {
            XCTAssertEqual(HTTPStatus.reasonPhrase(status), phrase, "\(status)")
        }
        XCTAssertEqual(HTTPStatus.reasonPhrase(799), "Unknown")
    }

    func testChunkHeaderHex() {
        XCTAssertEqual(HTTPChunkedEncoding.chunkHeader(length: 0x1a2b), Array("1a2b\r\n".utf8))
        XCTAssertEqual(HTTPChunkedEncoding.chunkHeader(length: 1), Array("1\r\n".utf8))
        XCTAssertEqual(HTTPChunkedEncoding.chunkHeader(length: 16), Array("10\r\n".utf8))
        XCTAssertEqual(HTTPChunkedEncoding.chunkHeader(length: 255), Array("ff\r\n".utf8))
        XCTAssertEqual(HTTPChunkedEncoding.chunkHeader(length: 65536), Array("10000\r\n".utf8))
        XCTAssertEqual(HTTPChunkedEncoding.chunkTrailer, Array("\r\n".utf8))
        XCTAssertEqual(HTTPChunkedEncoding.lastChunk, Array("0\r\n\r\n".utf8))
    }

    func testChunkedOutputParsesBack() throws {
        let payload = Array("hello, chunked world".utf8)
        var wire = Array("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        for part in [payload[0..<5], payload[5...]] {
            wire += HTTPChunkedEncoding.chunkHeader(length: part.count) + part + HTTPChunkedEncoding.chunkTrailer
        }
        wire += HTTPChunkedEncoding.lastChunk
        var parser = HTTPRequestParser()
        XCTAssertEqual(try parser.feed(wire).first?.body, payload)
    }

    func testMIMETypes() {
        let expected = [
            "/live/livestream.m3u8": "application/vnd.apple.mpegurl",
            "/live/livestream-12.ts": "video/MP2T",
            "/live/a.flv": "video/x-flv",
            "/vod/A.MP4": "video/mp4",
            "/a.aac": "audio/aac",
            "/a.mp3": "audio/mpeg",
            "/index.html": "text/html; charset=utf-8",
            "/players/js/srs.page.js": "application/javascript",
            "/css/bootstrap.min.css": "text/css",
            "/api.json": "application/json",
            "/readme.txt": "text/plain",
            "/crossdomain.xml": "application/xml",
            "/a.png": "image/png",
            "/a.jpg": "image/jpeg",
            "/a.jpeg": "image/jpeg",
            "/a.gif": "image/gif",
            "/favicon.ico": "image/x-icon",
            "/a.svg": "image/svg+xml",
            "/a.wasm": "application/wasm",
            "/dash/seg-1.m4s": "video/iso.segment",
            "/dash/live.mpd": "application/dash+xml",
            "/noext": "application/octet-stream",
            "/dir.ts/noext": "application/octet-stream",
            "/.hidden": "application/octet-stream",
            "/a.unknown": "application/octet-stream",
            "/trailing.": "application/octet-stream",
        ]
        for (path, type) in expected {
            XCTAssertEqual(MIMEType.forPath(path), type, path)
        }
    }
}
