import XCTest

import SRSHLS

final class HLSPlaylistTests: XCTestCase {
    private func entry(_ sequence: Int, _ duration: Double, discontinuity: Bool = false) -> HLSSegmentEntry {
        HLSSegmentEntry(
            sequence: sequence, duration: duration, uri: "live/livestream-\(sequence).ts",
            path: "/data/live/livestream-\(sequence).ts", discontinuity: discontinuity)
    }

    func testRendersThreeSegmentsExactly() {
        var playlist = HLSPlaylist(window: 60, minimumTargetDuration: 5)
        XCTAssertEqual(playlist.append(entry(7, 4.2)), [])
        XCTAssertEqual(playlist.append(entry(8, 6.0004)), [])
        XCTAssertEqual(playlist.append(entry(9, 0.04)), [])
        // longest 6.0004 > 5, so ceil -> 7
        XCTAssertEqual(playlist.targetDuration, 7)
        XCTAssertEqual(playlist.render(), """
            #EXTM3U
            #EXT-X-VERSION:3
            #EXT-X-ALLOW-CACHE:NO
            #EXT-X-MEDIA-SEQUENCE:7
            #EXT-X-TARGETDURATION:7
            #EXTINF:4.200, no desc
            live/livestream-7.ts
            #EXTINF:6.000, no desc
            live/livestream-8.ts
            #EXTINF:0.040, no desc
            live/livestream-9.ts

            """)
    }

    func testTargetDurationUsesMinimumWhenSegmentsAreShorter() {
        var playlist = HLSPlaylist(window: 60, minimumTargetDuration: 15)
        playlist.append(entry(1, 10))
        playlist.append(entry(2, 9.5))
        XCTAssertEqual(playlist.targetDuration, 15)
        playlist.minimumTargetDuration = 14.2
        XCTAssertEqual(playlist.targetDuration, 15)
        playlist.minimumTargetDuration = 3
        XCTAssertEqual(playlist.targetDuration, 10)
        playlist.append(entry(3, 10.001))
        XCTAssertEqual(playlist.targetDuration, 11)
        XCTAssertTrue(playlist.render().contains("\n#EXT-X-TARGETDURATION:11\n"))
    }

    func testEmptyPlaylist() {
        let playlist = HLSPlaylist(window: 30, minimumTargetDuration: 12.5)
        XCTAssertEqual(playlist.segments, [])
        XCTAssertEqual(playlist.targetDuration, 13)
        XCTAssertEqual(
            playlist.render(),
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-ALLOW-CACHE:NO\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-TARGETDURATION:13\n")
    }

    func testExtinfHasThreeDecimals() {
        let cases: [(Double, String)] = [
            (2, "2.000"), (0, "0.000"), (0.007, "0.007"), (0.05, "0.050"), (3.5, "3.500"),
            (10.123, "10.123"), (9.9996, "10.000"), (1.2344, "1.234"), (123.4567, "123.457"),
        ]
        for (duration, text) in cases {
            var playlist = HLSPlaylist(window: 1000, minimumTargetDuration: 0)
            playlist.append(entry(1, duration))
            let lines = playlist.render().split(separator: "\n", omittingEmptySubsequences: false)
            XCTAssertEqual(lines[5], "#EXTINF:\(text), no desc", "duration \(duration)")
        }
    }

    func testDiscontinuityTagRightBeforeItsSegment() {
        var playlist = HLSPlaylist(window: 60, minimumTargetDuration: 10)
        playlist.append(entry(1, 10))
        playlist.append(entry(2, 3, discontinuity: true))
        playlist.append(entry(3, 10))
        XCTAssertEqual(playlist.render(), """
            #EXTM3U
            #EXT-X-VERSION:3
            #EXT-X-ALLOW-CACHE:NO
            #EXT-X-MEDIA-SEQUENCE:1
            #EXT-X-TARGETDURATION:10
            #EXTINF:10.000, no desc
            live/livestream-1.ts
            #EXT-X-DISCONTINUITY
            #EXTINF:3.000, no desc
            live/livestream-2.ts
            #EXTINF:10.000, no desc
            live/livestream-3.ts

            """)
        XCTAssertEqual(playlist.render().components(separatedBy: "#EXT-X-DISCONTINUITY").count, 2)
    }

    func testDiscontinuityOnFirstSegmentFollowsHeader() {
        var playlist = HLSPlaylist(window: 60, minimumTargetDuration: 1)
        playlist.append(entry(4, 2, discontinuity: true))
        XCTAssertTrue(playlist.render().hasSuffix(
            "#EXT-X-TARGETDURATION:2\n#EXT-X-DISCONTINUITY\n#EXTINF:2.000, no desc\nlive/livestream-4.ts\n"))
    }

    func testWindowSlidesOldestFirst() {
        var playlist = HLSPlaylist(window: 10, minimumTargetDuration: 0)
        XCTAssertEqual(playlist.append(entry(1, 4)), [])
        XCTAssertEqual(playlist.append(entry(2, 4)), [])
        // 12 s held; without #1 only 8 s < 10 remain, so #1 stays.
        XCTAssertEqual(playlist.append(entry(3, 4)), [])
        XCTAssertEqual(playlist.segments.map(\.sequence), [1, 2, 3])
        // 16 s held; without #1, 12 s >= 10; without #2 too, 8 s < 10.
        XCTAssertEqual(playlist.append(entry(4, 4)), [entry(1, 4)])
        XCTAssertEqual(playlist.segments.map(\.sequence), [2, 3, 4])
        XCTAssertTrue(playlist.render().contains("#EXT-X-MEDIA-SEQUENCE:2\n"))
        XCTAssertFalse(playlist.render().contains("livestream-1.ts"))
    }

    func testWindowRemovesWhenRestExactlyCoversWindow() {
        var playlist = HLSPlaylist(window: 8, minimumTargetDuration: 0)
        playlist.append(entry(1, 4))
        XCTAssertEqual(playlist.append(entry(2, 4)), [])
        // without #1 exactly 8 s remain: still covers the window.
        XCTAssertEqual(playlist.append(entry(3, 4)), [entry(1, 4)])
        XCTAssertEqual(playlist.segments.map(\.sequence), [2, 3])
    }

    func testWindowRemovesSeveralAtOnceInOrder() {
        var playlist = HLSPlaylist(window: 10, minimumTargetDuration: 0)
        playlist.append(entry(1, 1))
        playlist.append(entry(2, 2))
        playlist.append(entry(3, 3))
        XCTAssertEqual(playlist.segments.count, 3)
        let removed = playlist.append(entry(4, 9))
        // 15 s; drop #1 (14), #2 (12), #3 would leave 9 < 10.
        XCTAssertEqual(removed, [entry(1, 1), entry(2, 2)])
        XCTAssertEqual(playlist.segments, [entry(3, 3), entry(4, 9)])
    }

    func testNewestKeptEvenWhenLongerThanWindow() {
        var playlist = HLSPlaylist(window: 5, minimumTargetDuration: 0)
        XCTAssertEqual(playlist.append(entry(1, 2)), [])
        XCTAssertEqual(playlist.append(entry(2, 2)), [])
        XCTAssertEqual(playlist.append(entry(3, 20)), [entry(1, 2), entry(2, 2)])
        XCTAssertEqual(playlist.segments, [entry(3, 20)])
        XCTAssertEqual(playlist.append(entry(4, 30)), [entry(3, 20)])
        XCTAssertEqual(playlist.segments, [entry(4, 30)])
        XCTAssertEqual(playlist.targetDuration, 30)

        var single = HLSPlaylist(window: 1, minimumTargetDuration: 0)
        XCTAssertEqual(single.append(entry(9, 100)), [])
        XCTAssertEqual(single.segments, [entry(9, 100)])
    }

    func testRemoveAllReturnsEverythingAndEmpties() {
        var playlist = HLSPlaylist(window: 60, minimumTargetDuration: 10)
        playlist.append(entry(1, 10))
        playlist.append(entry(2, 9, discontinuity: true))
        XCTAssertEqual(playlist.removeAll(), [entry(1, 10), entry(2, 9, discontinuity: true)])
        XCTAssertEqual(playlist.segments, [])
        XCTAssertEqual(playlist.removeAll(), [])
        XCTAssertEqual(
            playlist.render(),
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-ALLOW-CACHE:NO\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-TARGETDURATION:10\n")
        playlist.append(entry(3, 4))
        XCTAssertEqual(playlist.segments, [entry(3, 4)])
    }

    /// RFC 8216 4.3.3.1: every EXTINF, rounded to the nearest integer, <= EXT-X-TARGETDURATION.
    func testExtinfRoundedNeverExceedsTargetDurationRandomized() {
        var rng = SplitMix64(seed: 0x5EED_2024)
        for round in 0..<500 {
            let minimum = Double(rng.next() % 20_000) / 1000  // 0 ..< 20 s
            var playlist = HLSPlaylist(window: Double(rng.next() % 60) + 1, minimumTargetDuration: minimum)
            let count = Int(rng.next() % 8) + 1
            var durations: [Double] = []
            for sequence in 0..<count {
                // arbitrary (non-ms) doubles in 0 ..< 25 s
                let duration = Double(rng.next() >> 11) / Double(1 << 53) * 25
                durations.append(duration)
                playlist.append(entry(sequence, duration))
            }
            let held = playlist.segments.map(\.duration)
            XCTAssertEqual(
                playlist.targetDuration, Int(max(held.max()!, minimum).rounded(.up)), "round \(round)")

            let lines = playlist.render().split(separator: "\n")
            let targets = lines.filter { $0.hasPrefix("#EXT-X-TARGETDURATION:") }
            XCTAssertEqual(targets.count, 1)
            let target = Int(targets[0].dropFirst("#EXT-X-TARGETDURATION:".count))!
            XCTAssertEqual(target, playlist.targetDuration)
            let infs = lines.filter { $0.hasPrefix("#EXTINF:") }
            XCTAssertEqual(infs.count, playlist.segments.count)
            for inf in infs {
                XCTAssertTrue(inf.hasSuffix(", no desc"), String(inf))
                let value = inf.dropFirst("#EXTINF:".count).dropLast(", no desc".count)
                XCTAssertEqual(value.split(separator: ".").last?.count, 3, String(inf))
                let seconds = Double(value)!
                XCTAssertLessThanOrEqual(Int(seconds.rounded()), target, "round \(round): \(inf) vs \(target)")
            }
        }
    }
}

/// Deterministic PRNG (SplitMix64) for property-style tests.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D4_9BEB_133B_11EB
        return z ^ (z >> 31)
    }
}
