import SRSClient
import SRSKernel
import XCTest

final class RawMediaFileTests: XCTestCase {
    func testADTSFramesGetTimesOf1024Samples() {
        // Two ADTS frames of 9 bytes (7-byte header, 2 bytes of payload), AAC LC, 44.1 kHz, stereo.
        let frame: [UInt8] = [0xFF, 0xF1, 0x50, 0x80, 0x01, 0x3F, 0xFC, 0xAA, 0xBB]
        let frames = RawMediaFile.adtsFrames(frame + frame + [0xFF, 0xF1])
        XCTAssertEqual(frames.map(\.adts), [frame, frame], "a cut-off frame at the end is left out")
        XCTAssertEqual(frames.map(\.timestamp), [0, 23])
        XCTAssertEqual(RawMediaFile.adtsFrames(Array("not adts".utf8)).count, 0)
    }

    func testADTSPackerMakesTheSequenceHeaderOnceAndRawFrames() {
        var packer = ADTSFLVPacker()
        let frame: [UInt8] = [0xFF, 0xF1, 0x50, 0x80, 0x01, 0x3F, 0xFC, 0xAA, 0xBB]
        let first = packer.pack(frame[...], timestamp: 100)
        XCTAssertEqual(first.consumed, 9)
        XCTAssertEqual(first.messages.map(\.body), [[0xAF, 0x00, 0x12, 0x10], [0xAF, 0x01, 0xAA, 0xBB]], "AudioSpecificConfig: LC, 44.1 kHz, 2 channels")
        XCTAssertEqual(first.messages.map(\.timestamp), [100, 100])
        XCTAssertEqual(packer.pack(frame[...], timestamp: 123).messages.map(\.body), [[0xAF, 0x01, 0xAA, 0xBB]], "the header only once")
    }

    func testAccessUnitsSplitAtDelimitersParameterSetsAndFirstSlices() {
        let sps: [UInt8] = [0x67, 0x64, 0x00, 0x1E]
        let pps: [UInt8] = [0x68, 0xEE]
        let idr: [UInt8] = [0x65, 0x88, 0x84]  // first_mb_in_slice 0
        let idrSecondSlice: [UInt8] = [0x65, 0x48, 0x84]  // first_mb_in_slice > 0: same picture
        let p1: [UInt8] = [0x41, 0x9A, 0x02]
        let aud: [UInt8] = [0x09, 0xF0]
        let p2: [UInt8] = [0x41, 0x9A, 0x04]
        let stream = AVCNALUnits.annexB(nalUnits: [sps, pps, idr, idrSecondSlice, p1, aud, p2])
        let units = AVCNALUnits.accessUnits(AVCNALUnits.annexBUnits(stream[...]))
        XCTAssertEqual(units.map { $0.map { Array($0) } }, [[sps, pps, idr, idrSecondSlice], [p1], [aud, p2]])
    }

    func testRawFramesOfAFileWithoutBFramesPresentInDecodeOrder() {
        let sps: [UInt8] = [0x67, 0x42, 0x00, 0x1E]  // not parsed: decode order
        let frames = RawMediaFile.h264Frames(AVCNALUnits.annexB(nalUnits: [sps, [0x68, 0xCE], [0x65, 0x88], [0x41, 0x9A], [0x41, 0x9A]]), fps: 25)
        XCTAssertEqual(frames.map(\.dts), [0, 40, 80])
        XCTAssertEqual(frames.map(\.pts), [0, 40, 80])
    }
}
