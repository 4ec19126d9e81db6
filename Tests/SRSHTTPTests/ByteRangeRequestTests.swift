import XCTest

import SRSHTTP

final class ByteRangeRequestTests: XCTestCase {
    func testSatisfiableRanges() {
        XCTAssertEqual(ByteRangeRequest.parse("bytes=0-99", size: 1000), .satisfiable(0...99))
        XCTAssertEqual(ByteRangeRequest.parse("bytes=500-", size: 1000), .satisfiable(500...999))
        XCTAssertEqual(ByteRangeRequest.parse("bytes=-100", size: 1000), .satisfiable(900...999))
        XCTAssertEqual(ByteRangeRequest.parse("bytes=-5000", size: 1000), .satisfiable(0...999))
        XCTAssertEqual(ByteRangeRequest.parse("bytes=900-5000", size: 1000), .satisfiable(900...999))
        XCTAssertEqual(ByteRangeRequest.parse("bytes=999-999", size: 1000), .satisfiable(999...999))
        XCTAssertEqual(ByteRangeRequest.parse(" Bytes=1-2 ", size: 10), .satisfiable(1...2))
        XCTAssertEqual(ByteRangeRequest.parse("bytes=0-99999999999999999999999", size: 10), .satisfiable(0...9))
    }

    func testUnsatisfiable() {
        XCTAssertEqual(ByteRangeRequest.parse("bytes=1000-", size: 1000), .unsatisfiable)
        XCTAssertEqual(ByteRangeRequest.parse("bytes=1000-2000", size: 1000), .unsatisfiable)
        XCTAssertEqual(ByteRangeRequest.parse("bytes=5000-", size: 1000), .unsatisfiable)
        XCTAssertEqual(ByteRangeRequest.parse("bytes=-0", size: 1000), .unsatisfiable)
        XCTAssertEqual(ByteRangeRequest.parse("bytes=0-", size: 0), .unsatisfiable)
        XCTAssertEqual(ByteRangeRequest.parse("bytes=-10", size: 0), .unsatisfiable)
        XCTAssertEqual(ByteRangeRequest.parse("bytes=99999999999999999999999-", size: 10), .unsatisfiable)
    }

    func testNoneForAbsentMalformedOrMultiple() {
        XCTAssertEqual(ByteRangeRequest.parse(nil, size: 1000), .none)
        XCTAssertEqual(ByteRangeRequest.parse("", size: 1000), .none)
        XCTAssertEqual(ByteRangeRequest.parse("bytes=0-1,5-6", size: 1000), .none)
        XCTAssertEqual(ByteRangeRequest.parse("bytes=5-1", size: 1000), .none)
        XCTAssertEqual(ByteRangeRequest.parse("bytes=a-b", size: 1000), .none)
        XCTAssertEqual(ByteRangeRequest.parse("bytes=-", size: 1000), .none)
        XCTAssertEqual(ByteRangeRequest.parse("bytes=10", size: 1000), .none)
        XCTAssertEqual(ByteRangeRequest.parse("bytes=+1-2", size: 1000), .none)
        XCTAssertEqual(ByteRangeRequest.parse("items=0-1", size: 1000), .none)
        XCTAssertEqual(ByteRangeRequest.parse("0-1", size: 1000), .none)
    }
}
