import XCTest

import SRSHLS

final class HLSSegmenterTests: XCTestCase {
    private typealias Decision = HLSSegmenter.Decision

    private func video(_ s: inout HLSSegmenter, _ ts: Int64, key: Bool = false) -> Decision {
        s.place(timestamp: ts, isVideo: true, isKeyframe: key, streamHasVideo: true)
    }

    private func audio(_ s: inout HLSSegmenter, _ ts: Int64, streamHasVideo: Bool = true) -> Decision {
        s.place(timestamp: ts, isVideo: false, isKeyframe: false, streamHasVideo: streamHasVideo)
    }

    func testInitConvertsToMilliseconds() {
        let s = HLSSegmenter(fragment: 10, audioOverflowRatio: 2.0, waitKeyframe: true)
        XCTAssertEqual(s.fragmentMs, 10_000)
        XCTAssertEqual(s.absoluteOverflowMs, 20_000)
        XCTAssertTrue(s.waitKeyframe)
        XCTAssertNil(s.segmentStart)
        XCTAssertEqual(s.currentDuration, 0)
        let t = HLSSegmenter(fragment: 2.5, audioOverflowRatio: 1.5, waitKeyframe: false)
        XCTAssertEqual(t.fragmentMs, 2_500)
        XCTAssertEqual(t.absoluteOverflowMs, 3_750)
        XCTAssertFalse(t.waitKeyframe)
    }

    /// fragment × ratio must be "reached", i.e. 3.3 s × 1.5 = 4950 ms, not 4949 (truncated 4949.999…).
    func testFractionalFragmentMillisecondsAreNotTruncated() {
        XCTAssertEqual(HLSSegmenter(fragment: 3.3, audioOverflowRatio: 1.5, waitKeyframe: true).absoluteOverflowMs, 4_950)
        XCTAssertEqual(HLSSegmenter(fragment: 0.7, audioOverflowRatio: 3, waitKeyframe: true).absoluteOverflowMs, 2_100)
        XCTAssertEqual(HLSSegmenter(fragment: 1.005, audioOverflowRatio: 2, waitKeyframe: true).fragmentMs, 1_005)

        var s = HLSSegmenter(fragment: 3.3, audioOverflowRatio: 1.5, waitKeyframe: true)
        XCTAssertEqual(audio(&s, 0, streamHasVideo: false), .start)
        XCTAssertEqual(audio(&s, 4_949, streamHasVideo: false), .append)  // 4.949 s < 4.95 s
        XCTAssertEqual(audio(&s, 4_950, streamHasVideo: false), .cut(duration: 4.95))
    }

    func testSkipsUntilFirstKeyframeWhenStreamHasVideo() {
        var s = HLSSegmenter(fragment: 10, audioOverflowRatio: 2, waitKeyframe: true)
        XCTAssertEqual(audio(&s, 0), .skip)
        XCTAssertEqual(video(&s, 0), .skip)
        XCTAssertEqual(audio(&s, 23), .skip)
        XCTAssertEqual(video(&s, 40), .skip)
        // a keyframe flag on an audio message is not a video keyframe
        XCTAssertEqual(s.place(timestamp: 50, isVideo: false, isKeyframe: true, streamHasVideo: true), .skip)
        XCTAssertNil(s.segmentStart)
        XCTAssertEqual(s.currentDuration, 0)
        XCTAssertEqual(video(&s, 80, key: true), .start)
        XCTAssertEqual(s.segmentStart, 80)
        XCTAssertEqual(s.lastTimestamp, 80)
        XCTAssertEqual(audio(&s, 81), .append)
        XCTAssertEqual(video(&s, 120), .append)
    }

    func testStartsAtFirstMessageWithoutVideo() {
        var s = HLSSegmenter(fragment: 10, audioOverflowRatio: 2, waitKeyframe: true)
        XCTAssertEqual(audio(&s, 500, streamHasVideo: false), .start)
        XCTAssertEqual(s.segmentStart, 500)
    }

    func testCutsAtFirstKeyframeAfterFragment() {
        var s = HLSSegmenter(fragment: 10, audioOverflowRatio: 2, waitKeyframe: true)
        XCTAssertEqual(video(&s, 1_000, key: true), .start)
        XCTAssertEqual(video(&s, 5_000), .append)
        XCTAssertEqual(video(&s, 10_999, key: true), .append)  // 9.999 s: not yet
        XCTAssertEqual(audio(&s, 11_000), .append)  // 10 s but audio
        XCTAssertEqual(video(&s, 11_000), .append)  // 10 s but not a keyframe
        XCTAssertEqual(video(&s, 15_000), .append)
        XCTAssertEqual(video(&s, 16_040, key: true), .cut(duration: 15.04))
        XCTAssertEqual(s.segmentStart, 16_040)
        XCTAssertEqual(s.lastTimestamp, 16_040)
        XCTAssertEqual(s.currentDuration, 0)
        // exactly fragment after the new start: >= cuts
        XCTAssertEqual(video(&s, 26_039, key: true), .append)
        XCTAssertEqual(video(&s, 26_040, key: true), .cut(duration: 10))
        XCTAssertEqual(s.segmentStart, 26_040)
    }

    func testNoCutAtNonKeyframesBeforeAbsoluteOverflow() {
        var s = HLSSegmenter(fragment: 10, audioOverflowRatio: 2, waitKeyframe: true)
        XCTAssertEqual(video(&s, 0, key: true), .start)
        for ts in stride(from: Int64(40), to: 20_000, by: 40) {
            XCTAssertEqual(video(&s, ts), .append, "video \(ts)")
            XCTAssertEqual(audio(&s, ts + 3), .append, "audio \(ts + 3)")
        }
        XCTAssertEqual(video(&s, 19_999), .append)
        XCTAssertEqual(s.segmentStart, 0)
        XCTAssertEqual(s.currentDuration, 19.999)
    }

    func testCutsAtAnyVideoFrameAfterAbsoluteOverflow() {
        var s = HLSSegmenter(fragment: 10, audioOverflowRatio: 2, waitKeyframe: true)
        XCTAssertEqual(video(&s, 2_000, key: true), .start)
        XCTAssertEqual(video(&s, 21_999), .append)
        XCTAssertEqual(video(&s, 22_000), .cut(duration: 20))
        XCTAssertEqual(s.segmentStart, 22_000)
        XCTAssertEqual(video(&s, 30_000), .append)
        XCTAssertEqual(video(&s, 42_123), .cut(duration: 20.123))
        XCTAssertEqual(s.segmentStart, 42_123)
    }

    func testWaitKeyframeOffCutsAtAnyMessageAfterFragment() {
        var s = HLSSegmenter(fragment: 10, audioOverflowRatio: 2, waitKeyframe: false)
        XCTAssertEqual(video(&s, 0, key: true), .start)
        XCTAssertEqual(video(&s, 9_999), .append)
        XCTAssertEqual(audio(&s, 9_999), .append)
        XCTAssertEqual(audio(&s, 10_000), .cut(duration: 10))
        XCTAssertEqual(s.segmentStart, 10_000)
        XCTAssertEqual(video(&s, 15_000), .append)
        XCTAssertEqual(video(&s, 20_500), .cut(duration: 10.5))
        XCTAssertEqual(s.segmentStart, 20_500)
        XCTAssertEqual(video(&s, 30_500, key: true), .cut(duration: 10))
    }

    func testAudioOnlyCutsAtAbsoluteOverflow() {
        for wait in [true, false] {
            var s = HLSSegmenter(fragment: 10, audioOverflowRatio: 2, waitKeyframe: wait)
            XCTAssertEqual(audio(&s, 0, streamHasVideo: false), .start)
            XCTAssertEqual(audio(&s, 10_000, streamHasVideo: false), .append, "wait \(wait)")
            XCTAssertEqual(audio(&s, 19_999, streamHasVideo: false), .append, "wait \(wait)")
            XCTAssertEqual(audio(&s, 20_000, streamHasVideo: false), .cut(duration: 20), "wait \(wait)")
            XCTAssertEqual(s.segmentStart, 20_000)
            XCTAssertEqual(audio(&s, 40_023, streamHasVideo: false), .cut(duration: 20.023), "wait \(wait)")
        }
        var s = HLSSegmenter(fragment: 4, audioOverflowRatio: 1.5, waitKeyframe: true)
        XCTAssertEqual(audio(&s, 100, streamHasVideo: false), .start)
        XCTAssertEqual(audio(&s, 6_099, streamHasVideo: false), .append)
        XCTAssertEqual(audio(&s, 6_100, streamHasVideo: false), .cut(duration: 6))
    }

    func testCurrentDurationAndReset() {
        var s = HLSSegmenter(fragment: 10, audioOverflowRatio: 2, waitKeyframe: true)
        XCTAssertEqual(s.currentDuration, 0)
        XCTAssertEqual(video(&s, 1_000, key: true), .start)
        XCTAssertEqual(s.currentDuration, 0)
        XCTAssertEqual(video(&s, 3_500), .append)
        XCTAssertEqual(s.currentDuration, 2.5)
        XCTAssertEqual(audio(&s, 3_000), .append)  // older timestamp does not shrink it
        XCTAssertEqual(s.lastTimestamp, 3_500)
        XCTAssertEqual(s.currentDuration, 2.5)
        XCTAssertEqual(video(&s, 4_234), .append)
        XCTAssertEqual(s.currentDuration, 3.234)

        s.reset()
        XCTAssertNil(s.segmentStart)
        XCTAssertEqual(s.lastTimestamp, 0)
        XCTAssertEqual(s.currentDuration, 0)
        // after reset the next segment again waits for a keyframe
        XCTAssertEqual(video(&s, 5_000), .skip)
        XCTAssertEqual(audio(&s, 5_010), .skip)
        XCTAssertEqual(video(&s, 50_000, key: true), .start)
        XCTAssertEqual(s.segmentStart, 50_000)
        XCTAssertEqual(video(&s, 50_400), .append)
        XCTAssertEqual(s.currentDuration, 0.4)
    }
}
