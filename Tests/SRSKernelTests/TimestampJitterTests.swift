import XCTest
@testable import SRSKernel

final class TimestampJitterTests: XCTestCase {
    private func run(_ mode: JitterMode, _ inputs: [(Int64, MediaKind)]) -> [Int64] {
        var jitter = TimestampJitter(mode: mode)
        return inputs.map { jitter.correct($0.0, kind: $0.1) }
    }

    private func video(_ timestamps: [Int64]) -> [(Int64, MediaKind)] { timestamps.map { ($0, .video) } }

    func testConstantsMatchSRS() {
        XCTAssertEqual(TimestampJitter.maxJitterMs, 250)
        XCTAssertEqual(TimestampJitter.defaultFrameTimeMs, 10)
    }

    func testFullStartingAtZeroKeepsDeltas() {
        XCTAssertEqual(run(.full, video([0, 40, 80, 120])), [0, 40, 80, 120])
    }

    func testFullStartsNearZeroForLargeFirstTimestamp() {
        // The first delta (from 0) is a jump: it becomes 10 ms, then real deltas follow.
        XCTAssertEqual(run(.full, video([100_000, 100_040, 100_080])), [10, 50, 90])
    }

    func testFullSmallFirstTimestampIsKept() {
        XCTAssertEqual(run(.full, video([200, 240])), [200, 240])
    }

    func testFullForwardJumpBecomesTenMs() {
        XCTAssertEqual(run(.full, video([0, 40, 5040, 5080])), [0, 40, 50, 90])
    }

    func testFullBackwardJumpBecomesTenMs() {
        XCTAssertEqual(run(.full, video([0, 40, 80, 120, -10_000 + 120, -10_000 + 160])),
                       [0, 40, 80, 120, 130, 170])
    }

    func testFullDeltaOfExactly250IsKept() {
        XCTAssertEqual(run(.full, video([0, 250, 501])), [0, 250, 260])
    }

    func testFullIsMonotonicAcrossJumpsAndWraps() {
        let inputs: [Int64] = [5000, 5040, 1_000_000, 1_000_040, 0, 40, 4_294_967_000, 4_294_967_040, 300, 340]
        let outputs = run(.full, video(inputs))
        XCTAssertEqual(outputs, [10, 50, 60, 100, 110, 150, 160, 200, 210, 250])
        for (a, b) in zip(outputs, outputs.dropFirst()) { XCTAssertLessThanOrEqual(a, b) }
    }

    func testFullSmallBackwardDeltaIsKeptAsSRSDoes() {
        // SRS 2.0 accepts deltas in [-250, 250]: audio interleaved slightly behind video steps back.
        XCTAssertEqual(run(.full, [(0, .video), (100, .video), (80, .audio), (120, .video)]), [0, 100, 80, 120])
    }

    func testFullNeverNegative() {
        XCTAssertEqual(run(.full, video([-100, -50])), [0, 50])
    }

    func testFullDataIsZeroAndDoesNotDisturbAudioVideo() {
        let outputs = run(.full, [(0, .video), (40, .audio), (99_999, .data), (80, .video), (5_000_000, .data), (120, .audio)])
        XCTAssertEqual(outputs, [0, 40, 0, 80, 0, 120])
    }

    func testZeroShiftsFirstTimestampToZero() {
        XCTAssertEqual(run(.zero, video([5000, 5040, 4000, 100_000])), [0, 40, -1000, 95_000])
    }

    func testZeroAppliesToDataToo() {
        XCTAssertEqual(run(.zero, [(3000, .data), (3040, .video)]), [0, 40])
    }

    func testOffPassesThrough() {
        XCTAssertEqual(run(.off, [(5000, .video), (-3, .audio), (77, .data)]), [5000, -3, 77])
    }

    func testResetForgetsHistory() {
        var full = TimestampJitter(mode: .full)
        XCTAssertEqual(full.correct(0, kind: .video), 0)
        XCTAssertEqual(full.correct(200, kind: .video), 200)
        full.reset()
        XCTAssertEqual(full.correct(40, kind: .video), 40)

        var zero = TimestampJitter(mode: .zero)
        XCTAssertEqual(zero.correct(1000, kind: .video), 0)
        zero.reset()
        XCTAssertEqual(zero.correct(7000, kind: .video), 0)
        XCTAssertEqual(zero.correct(7010, kind: .audio), 10)
    }

    func testModeRawValuesMatchConfigNames() {
        XCTAssertEqual(JitterMode(rawValue: "full"), .full)
        XCTAssertEqual(JitterMode(rawValue: "zero"), .zero)
        XCTAssertEqual(JitterMode(rawValue: "off"), .off)
        XCTAssertEqual(TimestampJitter(mode: .zero).mode, .zero)
    }
}
