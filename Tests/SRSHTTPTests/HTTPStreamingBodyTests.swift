import SRSHTTP
import XCTest

final class HTTPStreamingBodyTests: XCTestCase {
    private func events(_ text: String, split: Int) throws -> [HTTPRequestParser.Event] {
        var parser = HTTPRequestParser(limits: .init(bodyBytes: 16), streamsBodies: true)
        let bytes = Array(text.utf8)
        var out: [HTTPRequestParser.Event] = []
        for start in stride(from: 0, to: bytes.count, by: split) {
            out += try bytes[start..<min(start + split, bytes.count)].withUnsafeBytes { try parser.feedStreaming($0) }
        }
        return out
    }

    /// The body pieces joined, and the other events.
    private func summary(_ events: [HTTPRequestParser.Event]) -> (heads: [String], body: String, ends: Int) {
        var heads: [String] = []
        var body: [UInt8] = []
        var ends = 0
        for event in events {
            switch event {
            case .head(let request): heads.append("\(request.method) \(request.path) \(request.body.count)")
            case .body(let bytes): body += bytes
            case .end: ends += 1
            }
        }
        return (heads, String(decoding: body, as: UTF8.self), ends)
    }

    func testAChunkedBodyLongerThanTheLimitStreams() throws {
        let chunks = (0..<10).map { "10\r\n\(String(repeating: Character(String($0)), count: 16))\r\n" }.joined()
        let text = "POST /live/x.flv HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + "0\r\n\r\n"
        for split in [1, 5, 64, text.utf8.count] {
            let result = summary(try events(text, split: split))
            XCTAssertEqual(result.heads, ["POST /live/x.flv 0"])
            XCTAssertEqual(result.body, (0..<10).map { String(repeating: Character(String($0)), count: 16) }.joined())
            XCTAssertEqual(result.ends, 1)
        }
    }

    func testAContentLengthBodyAndABodilessRequest() throws {
        let text = "POST /a.flv HTTP/1.1\r\nContent-Length: 40\r\n\r\n" + String(repeating: "z", count: 40) + "GET / HTTP/1.1\r\n\r\n"
        let result = summary(try events(text, split: 7))
        XCTAssertEqual(result.heads, ["POST /a.flv 0", "GET / 0"])
        XCTAssertEqual(result.body, String(repeating: "z", count: 40))
        XCTAssertEqual(result.ends, 2)
    }

    func testAChunkOverTheLimitIsRefused() {
        XCTAssertThrowsError(try events("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n", split: 100)) { error in
            XCTAssertEqual((error as? HTTPParseError)?.status, 413)
        }
    }
}
