import XCTest

import SRSHTTP

final class HTTPHeadersTests: XCTestCase {
    func testOrderedCaseInsensitive() {
        var h = HTTPHeaders()
        h.add("Set-Cookie", "a=1")
        h.add("Content-Type", "text/plain")
        h.add("set-cookie", "b=2")
        XCTAssertEqual(h["SET-COOKIE"], "a=1")
        XCTAssertEqual(h.values("Set-Cookie"), ["a=1", "b=2"])
        XCTAssertNil(h["Missing"])
        XCTAssertTrue(h.contains("content-type"))
        XCTAssertEqual(h.map(\.name), ["Set-Cookie", "Content-Type", "set-cookie"])

        h.set("SET-COOKIE", "c=3")
        XCTAssertEqual(h.map(\.name), ["SET-COOKIE", "Content-Type"])
        XCTAssertEqual(h.values("set-cookie"), ["c=3"])
        h.set("X-New", "1")
        XCTAssertEqual(h.map(\.value), ["c=3", "text/plain", "1"])
        h.remove("content-type")
        XCTAssertEqual(h.count, 2)
        XCTAssertEqual(HTTPHeaders([("SET-COOKIE", "c=3"), ("X-New", "1")]), h)
        XCTAssertNotEqual(HTTPHeaders([("X-New", "1"), ("SET-COOKIE", "c=3")]), h)
    }
}
