import XCTest
@testable import SRSKernel

final class SharedMessageTests: XCTestCase {
    func testBytesFieldsAndClassificationFromACollection() {
        let keyframe = SharedMessage(kind: .video, timestamp: 1 << 40, payload: [0x17, 0x01, 0x00, 0x00, 0x00, 0xAA])
        XCTAssertEqual(keyframe.kind, .video)
        XCTAssertEqual(keyframe.timestamp, 1 << 40)
        XCTAssertEqual(keyframe.bytes, [0x17, 0x01, 0x00, 0x00, 0x00, 0xAA])
        XCTAssertEqual(keyframe.size, 6)
        XCTAssertTrue(keyframe.isKeyframe)
        XCTAssertFalse(keyframe.isSequenceHeader)
        let header = SharedMessage(kind: .audio, timestamp: 0, payload: [0xAF, 0x00, 0x12, 0x10][...])
        XCTAssertTrue(header.isSequenceHeader)
        XCTAssertFalse(header.isKeyframe)
        let endOfSequence = SharedMessage(kind: .video, timestamp: 0, payload: [0x17, 0x02, 0x00, 0x00, 0x00])
        XCTAssertFalse(endOfSequence.isKeyframe)
        let empty = SharedMessage(kind: .data, timestamp: 5, payload: [UInt8]())
        XCTAssertEqual(empty.size, 0)
        XCTAssertEqual(empty.bytes, [])
    }

    func testPayloadWrittenInPlace() {
        let message = SharedMessage(kind: .video, timestamp: 3, count: 300) { destination in
            for index in destination.indices { destination[index] = UInt8(truncatingIfNeeded: index) }
            destination[0] = 0x27
        }
        XCTAssertEqual(message.size, 300)
        XCTAssertEqual(message.payload[0], 0x27)
        XCTAssertEqual(message.payload[299], 43)
        XCTAssertFalse(message.isKeyframe)
    }

    func testCopiesAreTheSameMessageAndTheOwnerKeepsThePayload() {
        var pointer: UnsafeRawPointer?
        var owner: AnyObject?
        do {
            let message = SharedMessage(kind: .audio, timestamp: 0, payload: [0xAF, 0x01, 0x5A])
            let copy = message
            XCTAssertTrue(copy === message)
            XCTAssertFalse(message === SharedMessage(kind: .audio, timestamp: 0, payload: [0xAF, 0x01, 0x5A]))
            XCTAssertFalse(message === nil)
            XCTAssertTrue(message.retimed(9) !== message)
            XCTAssertEqual(message.retimed(9).timestamp, 9)
            pointer = message.payload.baseAddress
            owner = message.owner
        }
        XCTAssertNotNil(owner)
        XCTAssertEqual(pointer?.load(fromByteOffset: 2, as: UInt8.self), 0x5A)
    }
}
