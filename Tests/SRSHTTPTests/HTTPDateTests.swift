import XCTest

import SRSHTTP

final class HTTPDateTests: XCTestCase {
    func testKnownAnswers() {
        XCTAssertEqual(HTTPDate.format(secondsSince1970: 784111777), "Sun, 06 Nov 1994 08:49:37 GMT")
        XCTAssertEqual(HTTPDate.format(secondsSince1970: 0), "Thu, 01 Jan 1970 00:00:00 GMT")
        XCTAssertEqual(HTTPDate.format(secondsSince1970: 951782400), "Tue, 29 Feb 2000 00:00:00 GMT")
        XCTAssertEqual(HTTPDate.format(secondsSince1970: 1700000000), "Tue, 14 Nov 2023 22:13:20 GMT")
        XCTAssertEqual(HTTPDate.format(secondsSince1970: 4102444799), "Thu, 31 Dec 2099 23:59:59 GMT")
        XCTAssertEqual(HTTPDate.format(secondsSince1970: -1), "Wed, 31 Dec 1969 23:59:59 GMT")
    }

    func testParseRoundTrip() {
        XCTAssertEqual(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777)
        for t in [0, 951782400, 1700000000, 4102444799, 1_234_567_890] {
            XCTAssertEqual(HTTPDate.parse(HTTPDate.format(secondsSince1970: t)), t)
        }
        XCTAssertNil(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT"))
        XCTAssertNil(HTTPDate.parse("Sun, 31 Feb 1994 08:49:37 GMT"))
        XCTAssertNil(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 UTC"))
        XCTAssertNil(HTTPDate.parse("Xyz, 06 Nov 1994 08:49:37 GMT"))
    }
}
