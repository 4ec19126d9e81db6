import XCTest

import SRSHTTP

/// Feeds `text` in one piece to a fresh parser.
func parseRequests(_ text: String, limits: HTTPRequestParser.Limits = .init()) throws -> [HTTPRequest] {
    var parser = HTTPRequestParser(limits: limits)
    return try parser.feed(Array(text.utf8))
}

/// Feeds `text` to a fresh parser and returns the error it throws, failing the test if none.
func parseError(_ text: String, limits: HTTPRequestParser.Limits = .init(),
                file: StaticString = #filePath, line: UInt = #line) -> HTTPParseError? {
    parseError(bytes: Array(text.utf8), limits: limits, file: file, line: line)
}

/// Feeds `bytes` to a fresh parser and returns the error it throws, failing the test if none.
func parseError(bytes: [UInt8], limits: HTTPRequestParser.Limits = .init(),
                file: StaticString = #filePath, line: UInt = #line) -> HTTPParseError? {
    var parser = HTTPRequestParser(limits: limits)
    do {
        let requests = try parser.feed(bytes)
        XCTFail("expected an error, got \(requests.count) request(s)", file: file, line: line)
        return nil
    } catch {
        return error
    }
}

/// Asserts that `text` fails with `status`.
func assertStatus(_ status: Int, _ text: String, limits: HTTPRequestParser.Limits = .init(),
                  file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(parseError(text, limits: limits, file: file, line: line)?.status, status,
                   "for \(text.debugDescription)", file: file, line: line)
}
