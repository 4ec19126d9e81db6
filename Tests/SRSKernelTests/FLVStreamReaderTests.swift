import SRSKernel
import XCTest

final class FLVStreamReaderTests: XCTestCase {
    private let stream: [UInt8] = [0x46, 0x4C, 0x56, 0x01, 0x05, 0x00, 0x00, 0x00, 0x09, 0, 0, 0, 0,
                                   // audio tag: 2 bytes at 0x01000020 ms (extension byte 0x01), stream id 0
                                   0x08, 0x00, 0x00, 0x02, 0x00, 0x00, 0x20, 0x01, 0, 0, 0, 0xAF, 0x01, 0, 0, 0, 13,
                                   // video tag: 3 bytes at 40 ms; its PreviousTagSize wrongly 0 (tolerated)
                                   0x09, 0x00, 0x00, 0x03, 0x00, 0x00, 0x28, 0x00, 0, 0, 0, 0x17, 0x01, 0x00, 0, 0, 0, 0]

    func testTagsComeOutInAnySlicing() throws {
        for split in [1, 3, 13, 20, stream.count] {
            var reader = FLVStreamReader()
            var tags: [FLV.Tag] = []
            for start in stride(from: 0, to: stream.count, by: split) {
                tags += try reader.feed(stream[start..<min(start + split, stream.count)])
            }
            XCTAssertEqual(tags, [FLV.Tag(type: 8, timestamp: 0x0100_0020, body: [0xAF, 0x01]), FLV.Tag(type: 9, timestamp: 40, body: [0x17, 0x01, 0x00])], "split \(split)")
            XCTAssertEqual(reader.bufferedByteCount, 0)
        }
    }

    func testABadHeaderIsAnError() {
        var notFLV = FLVStreamReader()
        XCTAssertThrowsError(try notFLV.feed(Array("not an flv stream".utf8)))
        var hugeHeader = FLVStreamReader()
        XCTAssertThrowsError(try hugeHeader.feed([0x46, 0x4C, 0x56, 0x01, 0x05, 0x7F, 0xFF, 0xFF, 0xFF]))
        var waiting = FLVStreamReader()
        XCTAssertEqual(try waiting.feed([0x46, 0x4C, 0x56]), [], "a header in pieces waits")
    }
}
