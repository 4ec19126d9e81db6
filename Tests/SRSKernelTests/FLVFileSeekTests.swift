import SRSKernel
import XCTest

final class FLVFileSeekTests: XCTestCase {
    private let header: [UInt8] = [0x46, 0x4C, 0x56, 0x01, 0x05, 0, 0, 0, 9, 0, 0, 0, 0]
    private let metadata = FLVRecording.tag(type: 18, timestamp: 0, payload: [0x02, 0x00, 0x0A] + Array("onMetaData".utf8))
    private let avcHeader = FLVRecording.tag(type: 9, timestamp: 0, payload: [0x17, 0x00, 0, 0, 0, 1, 0x64])
    private let aacHeader = FLVRecording.tag(type: 8, timestamp: 0, payload: [0xAF, 0x00, 0x12, 0x10])
    private let keyframe = FLVRecording.tag(type: 9, timestamp: 40, payload: [0x17, 0x01, 0, 0, 0, 0x65])
    private let aacFrame = FLVRecording.tag(type: 8, timestamp: 46, payload: [0xAF, 0x01, 0x21])

    func testStartBytesAreTheHeaderMetadataAndSequenceHeaders() {
        let file = header + metadata + avcHeader + aacHeader + keyframe + aacFrame
        XCTAssertEqual(FLVFileSeek.startBytes(fileStart: file), header + metadata + avcHeader + aacHeader)
        XCTAssertEqual(FLVFileSeek.startBytes(fileStart: header + keyframe), header, "no sequence header: the file header alone")
        XCTAssertEqual(FLVFileSeek.startBytes(fileStart: Array((header + metadata + avcHeader).dropLast(3))), header + metadata,
                       "a tag cut off at the end of what was read is left out")
        XCTAssertNil(FLVFileSeek.startBytes(fileStart: Array("not an flv file at all".utf8)))
    }

    func testATagIsRecognizedByItsHeaderAndItsPreviousTagSize() {
        let file = header + avcHeader + keyframe
        let offset = header.count + avcHeader.count
        let size = keyframe.count - 4 - 11
        XCTAssertTrue(FLVFileSeek.isTag(header: Array(file[offset..<offset + 11]), previousTagSize: Array(file[(offset + 11 + size)...]),
                                        offset: offset, fileSize: file.count))
        XCTAssertFalse(FLVFileSeek.isTag(header: Array(file[(offset + 1)..<(offset + 12)]), previousTagSize: [0, 0, 0, 17],
                                         offset: offset + 1, fileSize: file.count), "one byte off")
        XCTAssertFalse(FLVFileSeek.isTag(header: Array(file[offset..<offset + 11]), previousTagSize: [0, 0, 0, 99],
                                         offset: offset, fileSize: file.count), "a wrong PreviousTagSize")
        XCTAssertFalse(FLVFileSeek.isTag(header: Array(file[offset..<offset + 11]), previousTagSize: Array(file.suffix(4)),
                                         offset: offset, fileSize: offset + 12), "a tag longer than the file")
    }
}
