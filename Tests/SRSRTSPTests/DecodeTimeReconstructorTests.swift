import SRSRTSP
import XCTest

final class DecodeTimeReconstructorTests: XCTestCase {
    func testBFramesGetMonotonicDecodeTimesBelowTheirPresentationTimes() {
        // Decode order of x264's B-pyramid at 25 fps: I0 P4 B2 b1 b3 P8 B6 b5 b7 (PTS in frames).
        let order = [0, 4, 2, 1, 3, 8, 6, 5, 7]
        var reconstructor = DecodeTimeReconstructor<Int>()
        var out: [(frame: Int, dts: Int64, pts: Int64)] = []
        for frame in order { out += reconstructor.push(frame, pts: Int64(frame * 40)) }
        out += reconstructor.flush()
        XCTAssertEqual(out.map(\.frame), order)
        XCTAssertEqual(out.map(\.dts), [-80, -40, 0, 40, 80, 120, 160, 200, 240])
        for frame in out { XCTAssertLessThanOrEqual(frame.dts, frame.pts) }
    }

    func testWithoutBFramesDecodeTimeIsPresentationTime() {
        var reconstructor = DecodeTimeReconstructor<Int>()
        var out: [(frame: Int, dts: Int64, pts: Int64)] = []
        for frame in 0..<10 { out += reconstructor.push(frame, pts: Int64(frame * 33)) }
        XCTAssertEqual(out.count, 10 - DecodeTimeReconstructor<Int>.defaultDepth, "held frames")
        out += reconstructor.flush()
        XCTAssertEqual(out.map(\.dts), out.map(\.pts))
    }

    func testATimeGoingBackNeverMakesTheDecodeTimeGoBack() {
        var reconstructor = DecodeTimeReconstructor<Int>(depth: 1)
        var out: [(frame: Int, dts: Int64, pts: Int64)] = []
        for (frame, pts) in [(0, 100), (1, 140), (2, 20), (3, 60), (4, 180)] { out += reconstructor.push(frame, pts: Int64(pts)) }
        out += reconstructor.flush()
        let decode = out.map(\.dts)
        XCTAssertEqual(decode, decode.sorted())
    }
}
