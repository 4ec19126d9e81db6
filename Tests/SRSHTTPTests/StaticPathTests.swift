import XCTest

import SRSHTTP

final class StaticPathTests: XCTestCase {
    private let root = "./objs/nginx/html"

    func testNormalPaths() {
        XCTAssertEqual(StaticPath.resolve(root: root, requestPath: "/live/a.m3u8"), "./objs/nginx/html/live/a.m3u8")
        XCTAssertEqual(StaticPath.resolve(root: root, requestPath: "/"), "./objs/nginx/html/")
        XCTAssertEqual(StaticPath.resolve(root: root, requestPath: "/players/"), "./objs/nginx/html/players/")
        XCTAssertEqual(StaticPath.resolve(root: root + "/", requestPath: "/a"), "./objs/nginx/html/a")
        XCTAssertEqual(StaticPath.resolve(root: "/", requestPath: "/a/b"), "/a/b")
        XCTAssertEqual(StaticPath.resolve(root: "", requestPath: "/a"), "./a")
    }

    func testDotsAndSlashesNormalize() {
        XCTAssertEqual(StaticPath.resolve(root: "/srv", requestPath: "//x"), "/srv/x")
        XCTAssertEqual(StaticPath.resolve(root: "/srv", requestPath: "/a//b///c"), "/srv/a/b/c")
        XCTAssertEqual(StaticPath.resolve(root: "/srv", requestPath: "/./a/./b"), "/srv/a/b")
        XCTAssertEqual(StaticPath.resolve(root: "/srv", requestPath: "/a/../b"), "/srv/b")
        XCTAssertEqual(StaticPath.resolve(root: "/srv", requestPath: "/a/b/.."), "/srv/a/")
        XCTAssertEqual(StaticPath.resolve(root: "/srv", requestPath: "/a/.."), "/srv/")
        XCTAssertEqual(StaticPath.resolve(root: "/srv", requestPath: "/a/..b"), "/srv/a/..b")
    }

    func testEscapesAreRejected() {
        XCTAssertNil(StaticPath.resolve(root: "/srv", requestPath: "/../etc/passwd"))
        XCTAssertNil(StaticPath.resolve(root: "/srv", requestPath: "/a/../../x"))
        XCTAssertNil(StaticPath.resolve(root: "/srv", requestPath: "/.."))
        XCTAssertNil(StaticPath.resolve(root: "/srv", requestPath: "/../srv/x"), "leaving the root even briefly")
        XCTAssertNil(StaticPath.resolve(root: "/srv", requestPath: "/a/\u{0}"))
    }

    func testEncodedDotsAfterDecoding() throws {
        var parser = HTTPRequestParser()
        let request = try XCTUnwrap(parser.feed(Array("GET /live/%2e%2e/%2E%2E/etc/passwd HTTP/1.1\r\n\r\n".utf8)).first)
        XCTAssertEqual(request.path, "/live/../../etc/passwd")
        XCTAssertNil(StaticPath.resolve(root: "/srv", requestPath: request.path))
        XCTAssertNil(StaticPath.resolve(root: "/srv", requestPath: "/%2e%2e/x".removingPercentEscapesForTest()))
    }
}

private extension String {
    /// Decodes "%2e"/"%2E" only; enough to show resolve() needs decoded input.
    func removingPercentEscapesForTest() -> String {
        replacingOccurrences(of: "%2e", with: ".").replacingOccurrences(of: "%2E", with: ".")
    }
}
