import XCTest
@testable import SRSKernel

final class CodecInfoTests: XCTestCase {
    private func with<T>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) -> T) -> T {
        bytes.withUnsafeBytes(body)
    }

    func testAVCKeyframeSequenceHeader() {
        XCTAssertTrue(with([0x17, 0x00], CodecInfo.isVideoKeyframe))
        XCTAssertTrue(with([0x17, 0x00], CodecInfo.isVideoSequenceHeader))
    }

    func testAVCKeyframeNALU() {
        XCTAssertTrue(with([0x17, 0x01, 0, 0, 0], CodecInfo.isVideoKeyframe))
        XCTAssertFalse(with([0x17, 0x01, 0, 0, 0], CodecInfo.isVideoSequenceHeader))
    }

    func testAVCInterFrame() {
        XCTAssertFalse(with([0x27, 0x01, 0, 0, 0], CodecInfo.isVideoKeyframe))
        XCTAssertFalse(with([0x27, 0x01], CodecInfo.isVideoSequenceHeader))
        // Packet type 0 on an inter frame is not a sequence header.
        XCTAssertFalse(with([0x27, 0x00], CodecInfo.isVideoSequenceHeader))
    }

    func testHEVCSequenceHeader() {
        XCTAssertTrue(with([0x1C, 0x00], CodecInfo.isVideoSequenceHeader))
        XCTAssertEqual(with([0x1C, 0x00], CodecInfo.videoCodec), .hevc)
    }

    func testNonAVCKeyframeIsNotSequenceHeader() {
        // Sorenson H.263 keyframe.
        XCTAssertTrue(with([0x12, 0x00], CodecInfo.isVideoKeyframe))
        XCTAssertFalse(with([0x12, 0x00], CodecInfo.isVideoSequenceHeader))
    }

    func testAACSequenceHeaderAndRawFrame() {
        XCTAssertTrue(with([0xAF, 0x00, 0x12, 0x10], CodecInfo.isAudioSequenceHeader))
        XCTAssertFalse(with([0xAF, 0x01, 0x21], CodecInfo.isAudioSequenceHeader))
    }

    func testMP3IsNeverSequenceHeader() {
        XCTAssertFalse(with([0x2F, 0x00], CodecInfo.isAudioSequenceHeader))
        XCTAssertFalse(with([0x2F, 0xFF], CodecInfo.isAudioSequenceHeader))
        XCTAssertEqual(with([0x2F, 0xFF], CodecInfo.audioCodec), .mp3)
    }

    func testCodecIds() {
        XCTAssertEqual(with([0x17], CodecInfo.videoCodec), .avc)
        XCTAssertEqual(with([0x22], CodecInfo.videoCodec), .sorenson)
        XCTAssertNil(with([0x1F], CodecInfo.videoCodec))
        XCTAssertEqual(with([0xAF], CodecInfo.audioCodec), .aac)
        XCTAssertEqual(with([0xB2], CodecInfo.audioCodec), .speex)
        XCTAssertNil(with([0x9F], CodecInfo.audioCodec))
    }

    func testEmptyAndOneBytePayloads() {
        XCTAssertFalse(with([], CodecInfo.isVideoKeyframe))
        XCTAssertNil(with([], CodecInfo.videoCodec))
        XCTAssertNil(with([], CodecInfo.audioCodec))
        XCTAssertTrue(with([0x17], CodecInfo.isVideoKeyframe))
        XCTAssertFalse(with([0x17], CodecInfo.isVideoSequenceHeader))
        XCTAssertFalse(with([0xAF], CodecInfo.isAudioSequenceHeader))
    }

    func testSharedMessageClassifiesFromPayload() {
        let key = SharedMessage(kind: .video, timestamp: 0, payload: [0x17, 0x01])
        XCTAssertTrue(key.isKeyframe)
        XCTAssertFalse(key.isSequenceHeader)
        let avcHeader = SharedMessage(kind: .video, timestamp: 0, payload: [0x17, 0x00])
        XCTAssertTrue(avcHeader.isSequenceHeader)
        let aacHeader = SharedMessage(kind: .audio, timestamp: 0, payload: [0xAF, 0x00])
        XCTAssertTrue(aacHeader.isSequenceHeader)
        XCTAssertFalse(aacHeader.isKeyframe)
        // ffmpeg's end-of-sequence tag (0x17 0x02 and a zero composition time) is no keyframe:
        // a player must not start at it. A VP6 keyframe with 0x02 in its second byte still is.
        let endOfSequence = SharedMessage(kind: .video, timestamp: 0, payload: [0x17, 0x02, 0, 0, 0])
        XCTAssertFalse(endOfSequence.isKeyframe)
        XCTAssertFalse(endOfSequence.isSequenceHeader)
        XCTAssertFalse(SharedMessage(kind: .video, timestamp: 0, payload: [0x1C, 0x02, 0, 0, 0]).isKeyframe, "HEVC end of sequence")
        XCTAssertTrue(SharedMessage(kind: .video, timestamp: 0, payload: [0x14, 0x02, 0x40]).isKeyframe)
        // A data message that happens to start with 0x17 0x00 is neither.
        let data = SharedMessage(kind: .data, timestamp: 0, payload: [0x17, 0x00])
        XCTAssertFalse(data.isKeyframe)
        XCTAssertFalse(data.isSequenceHeader)
    }

    func testSharedMessageRetimedKeepsPayload() {
        let message = SharedMessage(kind: .audio, timestamp: 5, payload: [0xAF, 0x01, 0x99])
        let retimed = message.retimed(1234)
        XCTAssertEqual(retimed.timestamp, 1234)
        XCTAssertEqual(retimed.bytes, [0xAF, 0x01, 0x99])
        XCTAssertEqual(retimed.kind, .audio)
        XCTAssertEqual(message.timestamp, 5)
        XCTAssertEqual(SharedMessage(kind: .data, timestamp: 0, payload: []).size, 0)
    }
}
