import XCTest
@testable import SRSKernel

final class TSTrackPlannerTests: XCTestCase {
    private let mp3Frame = SharedMessage(kind: .audio, timestamp: 55, payload: [0x2F, 0xFF, 0xFB, 0x90, 0x64])
    private func video(_ timestamp: Int64) -> SharedMessage { SharedMessage(kind: .video, timestamp: timestamp, payload: [0x17, 0x01, 0, 0, 0]) }
    private let announcesBoth = StreamMetadata(payload: AMF0Encoder.encode([.string("onMetaData"),
        .ecmaArray([AMF0Property("videocodecid", .number(7)), AMF0Property("audiocodecid", .number(2))])]))

    func testMetadataNamesTheTracks() throws {
        let metadata = try XCTUnwrap(announcesBoth)
        XCTAssertTrue(metadata.hasAudio)
        XCTAssertTrue(metadata.hasVideo)
        let videoOnly = StreamMetadata(payload: AMF0Encoder.encode([.string("@setDataFrame"), .string("onMetaData"),
                                                                    .object([AMF0Property("videocodecid", .number(7))])]))
        XCTAssertEqual(videoOnly, StreamMetadata(payload: AMF0Encoder.encode([.string("onMetaData"), .ecmaArray([AMF0Property("videocodecid", .number(7))])])))
        XCTAssertEqual(videoOnly?.hasAudio, false)
        XCTAssertNil(StreamMetadata(payload: [0x02, 0x00]))
    }

    /// Video first, MP3 announced: hold the video until the first MP3 frame names the codec.
    func testWaitsForAnnouncedMP3AfterVideo() {
        var planner = TSTrackPlanner(waitLimitMs: 3000)
        XCTAssertNil(planner.plan(for: video(0), hasVideoHeader: true, hasAudioHeader: false, metadata: announcesBoth))
        XCTAssertNil(planner.plan(for: video(40), hasVideoHeader: true, hasAudioHeader: false, metadata: announcesBoth))
        XCTAssertEqual(planner.plan(for: mp3Frame, hasVideoHeader: true, hasAudioHeader: false, metadata: announcesBoth),
                       TSTrackPlanner.Plan(hasVideo: true, audio: .mp3))
    }

    /// The audio never comes: after the wait, video alone.
    func testGivesUpOnATrackAfterTheWait() {
        var planner = TSTrackPlanner(waitLimitMs: 3000)
        XCTAssertNil(planner.plan(for: video(1000), hasVideoHeader: true, hasAudioHeader: false, metadata: announcesBoth))
        XCTAssertNil(planner.plan(for: video(3960), hasVideoHeader: true, hasAudioHeader: false, metadata: announcesBoth))
        XCTAssertEqual(planner.plan(for: video(4000), hasVideoHeader: true, hasAudioHeader: false, metadata: announcesBoth),
                       TSTrackPlanner.Plan(hasVideo: true, audio: nil))
    }

    /// Sequence headers alone decide at once; no metadata and no header is audio-only AAC.
    func testHeadersDecideAtOnce() {
        var planner = TSTrackPlanner(waitLimitMs: 3000)
        XCTAssertEqual(planner.plan(for: video(0), hasVideoHeader: true, hasAudioHeader: true, metadata: nil), TSTrackPlanner.Plan(hasVideo: true, audio: .aac))
        var bare = TSTrackPlanner(waitLimitMs: 3000)
        XCTAssertEqual(bare.plan(for: video(0), hasVideoHeader: true, hasAudioHeader: false, metadata: nil), TSTrackPlanner.Plan(hasVideo: true, audio: nil))
        var none = TSTrackPlanner(waitLimitMs: 3000)
        XCTAssertEqual(none.plan(for: mp3Frame, hasVideoHeader: false, hasAudioHeader: false, metadata: nil), TSTrackPlanner.Plan(hasVideo: false, audio: .mp3))
    }
}
