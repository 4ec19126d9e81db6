import XCTest

@testable import SRSApp
import SRSIO
import SRSKernel

/// The HTTP-FLV framer's exact bytes: small payloads are copied next to their headers, large
/// ones borrowed from the shared messages; either way the bytes on the wire are FLV's. (The
/// RTMP framer's are checked by decoding a recorded stream, `LiveStreamTests`.)
final class FramerTests: XCTestCase {
    private let small = SharedMessage(kind: .audio, timestamp: 40, payload: [0xAF, 0x01] + FramerTests.pattern(100))
    private let large = SharedMessage(kind: .video, timestamp: 0x0100_0010, payload: [0x17, 0x01, 0, 0, 0] + FramerTests.pattern(3000))
    private let data = SharedMessage(kind: .data, timestamp: 0, payload: FramerTests.pattern(20))

    private static func pattern(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7) } }

    private func joined(_ pieces: [OutboundPiece]) -> [UInt8] {
        pieces.flatMap { Array(UnsafeRawBufferPointer(start: $0.base, count: $0.count)) }
    }

    func testFLVTagsWithCopiedAndBorrowedPayloads() {
        let framer = FLVFramer(hasAudio: true, hasVideo: true)
        var jitter = TimestampJitter(mode: .off)
        let batch = [data, small, large, small]
        let pieces = framer.pieces(for: batch, jitter: &jitter)
        var expected = FLV.fileHeader(hasAudio: true, hasVideo: true)
        for message in batch {
            expected += FLV.tagHeader(type: message.kind.rawValue, dataSize: message.size, timestamp: message.timestamp)
            expected += message.bytes
            FLV.appendUInt32(to: &expected, UInt32(FLV.tagHeaderSize + message.size))
        }
        XCTAssertEqual(joined(pieces), expected)
        // Header, data and small audio in one piece; the large video borrowed; the rest in one piece.
        XCTAssertEqual(pieces.count, 3)
        XCTAssertEqual(pieces[1].base, large.payload.baseAddress.map(UnsafeRawPointer.init))
        XCTAssertNil(pieces[1].owner)
        XCTAssertNotNil(pieces[2].owner, "the last store piece keeps the store")
        XCTAssertNil(pieces[0].owner)

        let next = framer.pieces(for: [small], jitter: &jitter)
        XCTAssertEqual(next.count, 1, "a steady batch of small messages is one piece")
        var tag = FLV.tagHeader(type: 8, dataSize: small.size, timestamp: 40) + small.bytes
        FLV.appendUInt32(to: &tag, UInt32(FLV.tagHeaderSize + small.size))
        XCTAssertEqual(joined(next), tag, "no second file header")
    }
}
