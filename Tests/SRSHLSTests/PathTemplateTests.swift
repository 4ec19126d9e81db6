import Glibc
import XCTest

import SRSHLS

final class PathTemplateTests: XCTestCase {
    private func sample() -> PathTemplate {
        var t = PathTemplate()
        t.vhost = "__defaultVhost__"
        t.app = "live"
        t.stream = "livestream"
        t.sequence = 42
        t.timestampMs = 1_700_000_000_123
        t.year = 2024
        t.month = 3
        t.day = 7
        t.hour = 0
        t.minute = 5
        t.second = 9
        t.millisecond = 7
        return t
    }

    func testDefaults() {
        let t = PathTemplate()
        XCTAssertEqual(
            t.render("[vhost]|[app]|[stream]|[seq]|[timestamp]|[2006]-[01]-[02] [15]:[04]:[05].[999]"),
            "|||0|0|1970-01-01 00:00:00.000")
    }

    func testIdentityPlaceholders() {
        let t = sample()
        XCTAssertEqual(t.render("[vhost]"), "__defaultVhost__")
        XCTAssertEqual(t.render("[app]"), "live")
        XCTAssertEqual(t.render("[stream]"), "livestream")
        XCTAssertEqual(t.render("[seq]"), "42")
        XCTAssertEqual(t.render("[timestamp]"), "1700000000123")
        XCTAssertEqual(t.render("[app]/[stream]-[seq].ts"), "live/livestream-42.ts")
        XCTAssertEqual(t.render("[app]/[stream].m3u8"), "live/livestream.m3u8")
    }

    func testDatePartsZeroPadded() {
        let t = sample()
        XCTAssertEqual(t.render("[2006]"), "2024")
        XCTAssertEqual(t.render("[01]"), "03")
        XCTAssertEqual(t.render("[02]"), "07")
        XCTAssertEqual(t.render("[15]"), "00")
        XCTAssertEqual(t.render("[04]"), "05")
        XCTAssertEqual(t.render("[05]"), "09")
        XCTAssertEqual(t.render("[999]"), "007")
        XCTAssertEqual(
            t.render("[vhost]/[app]/[stream]/[2006][01][02]/[15][04][05][999]-[seq]-[timestamp].ts"),
            "__defaultVhost__/live/livestream/20240307/000509007-42-1700000000123.ts")
    }

    func testTwoDigitDatePartsUnpadded() {
        var t = sample()
        t.year = 1999
        t.month = 12
        t.day = 31
        t.hour = 23
        t.minute = 59
        t.second = 10
        t.millisecond = 999
        XCTAssertEqual(t.render("[2006]-[01]-[02] [15]:[04]:[05].[999]"), "1999-12-31 23:59:10.999")
    }

    func testMillisecondPadding() {
        var t = PathTemplate()
        for (ms, text) in [(0, "000"), (1, "001"), (9, "009"), (10, "010"), (42, "042"), (99, "099"),
                           (100, "100"), (500, "500"), (999, "999")] {
            t.millisecond = ms
            XCTAssertEqual(t.render("[999]"), text, "ms \(ms)")
        }
    }

    func testRepeatedAndUnknownPlaceholders() {
        let t = sample()
        XCTAssertEqual(t.render("[seq]-[seq]/[app][app]"), "42-42/livelive")
        XCTAssertEqual(t.render("[foo]/[0]/[2007]/plain"), "[foo]/[0]/[2007]/plain")
        XCTAssertEqual(t.render(""), "")
    }

    func testSetTimeFillsTheTimestampAndTheLocalDateParts() {
        let previous = getenv("TZ").map { String(cString: $0) }
        setenv("TZ", "UTC", 1)
        tzset()
        defer {
            if let previous { setenv("TZ", previous, 1) } else { unsetenv("TZ") }
            tzset()
        }
        var t = PathTemplate()
        t.setTime(milliseconds: 1_700_000_000_123)  // 2023-11-14 22:13:20.123 UTC
        XCTAssertEqual(t.render("[timestamp] [2006]-[01]-[02] [15]:[04]:[05].[999]"), "1700000000123 2023-11-14 22:13:20.123")
    }
}
