import XCTest

import SRSConfig

final class ListenAddressTests: XCTestCase {
    private func parse(_ text: String) throws -> ListenAddress {
        try ListenAddress(parsing: text)
    }

    private func failure(_ text: String) -> String? {
        do {
            let address = try ListenAddress(parsing: text)
            XCTFail("'\(text)' parsed as \(address)")
            return nil
        } catch {
            return error.description
        }
    }

    func testPortOnly() throws {
        XCTAssertEqual(try parse("1935"), ListenAddress(host: "", port: 1935))
        XCTAssertEqual(try parse("0"), ListenAddress(host: "", port: 0))
        XCTAssertEqual(try parse("65535").port, 65535)
    }

    func testIPv4AndHostName() throws {
        XCTAssertEqual(try parse("127.0.0.1:1935"), ListenAddress(host: "127.0.0.1", port: 1935))
        XCTAssertEqual(try parse("0.0.0.0:19350"), ListenAddress(host: "0.0.0.0", port: 19350))
        XCTAssertEqual(try parse("localhost:1935"), ListenAddress(host: "localhost", port: 1935))
    }

    func testIPv6InBrackets() throws {
        XCTAssertEqual(try parse("[::1]:1935"), ListenAddress(host: "::1", port: 1935))
        XCTAssertEqual(try parse("[::]:0"), ListenAddress(host: "::", port: 0))
    }

    func testDescriptionRoundTrips() throws {
        for text in ["1935", "127.0.0.1:1935", "[::1]:1935", "[fe80::1]:0"] {
            XCTAssertEqual(try parse(text).description, text)
        }
    }

    func testErrors() {
        XCTAssertEqual(failure(""), "'': missing port")
        XCTAssertEqual(failure("65536"), "'65536': port must be between 0 and 65535, got '65536'")
        XCTAssertEqual(failure("-1"), "'-1': port must be a whole number, got '-1'")
        XCTAssertEqual(failure("19 35"), "'19 35': port must be a whole number, got '19 35'")
        XCTAssertEqual(failure("127.0.0.1:"), "'127.0.0.1:': missing port")
        XCTAssertEqual(failure(":1935"), "':1935': missing host before ':'")
        XCTAssertEqual(failure("::1:1935"), "'::1:1935': write an IPv6 address in brackets, e.g. [::1]:1935")
        XCTAssertEqual(failure("[::1:1935"), "'[::1:1935': missing ']' after IPv6 address")
        XCTAssertEqual(failure("[::1]"), "'[::1]': expected ':port' after ']'")
        XCTAssertEqual(failure("[]:1935"), "'[]:1935': empty IPv6 address in []")
        XCTAssertEqual(failure("99999999999999999999999"), "'99999999999999999999999': port must be a whole number, got '99999999999999999999999'")
    }
}
