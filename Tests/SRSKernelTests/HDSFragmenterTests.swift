import SRSKernel
import XCTest

final class HDSFragmenterTests: XCTestCase {
    private let videoHeader = SharedMessage(kind: .video, timestamp: 0, payload: [0x17, 0x00, 0, 0, 0, 0x01])
    private let audioHeader = SharedMessage(kind: .audio, timestamp: 0, payload: [0xAF, 0x00, 0x12, 0x10])
    private func key(_ ms: Int64) -> SharedMessage { SharedMessage(kind: .video, timestamp: ms, payload: [0x17, 0x01, 0, 0, 0, 0xAA]) }
    private func inter(_ ms: Int64) -> SharedMessage { SharedMessage(kind: .video, timestamp: ms, payload: [0x27, 0x01, 0, 0, 0]) }
    private func audio(_ ms: Int64) -> SharedMessage { SharedMessage(kind: .audio, timestamp: ms, payload: [0xAF, 0x01, 0x21]) }

    func testAFragmentIsAfraMoofMdatOfFLVTagsStartingWithTheHeaders() throws {
        var hds = HDSFragmenter(fragmentSeconds: 1, windowSeconds: 10)
        XCTAssertNil(hds.add(videoHeader, timestamp: 0))
        XCTAssertNil(hds.add(audioHeader, timestamp: 0))
        XCTAssertNil(hds.add(key(1000), timestamp: 1000))
        XCTAssertNil(hds.add(audio(1010), timestamp: 1010))
        XCTAssertNil(hds.add(inter(1500), timestamp: 1500), "no keyframe: no cut before twice the fragment")
        let done = try XCTUnwrap(hds.add(key(2000), timestamp: 2000))
        XCTAssertEqual(done.closed.index, 1)
        XCTAssertEqual(done.closed.startMs, 1000)
        XCTAssertEqual(done.closed.durationMs, 1000, "until the next fragment's start")
        XCTAssertEqual(done.removed, [])
        let bytes = done.closed.bytes
        // afra: size 37, version/flags 0, 0x40 (long offsets), timescale 1000, 1 entry: time 1000, offset.
        let afra: [UInt8] = [0, 0, 0, 37] + Array("afra".utf8) + [0, 0, 0, 0, 0x40, 0, 0, 0x03, 0xE8, 0, 0, 0, 1,
                             0, 0, 0, 0, 0, 0, 0x03, 0xE8]
        XCTAssertEqual(Array(bytes[0..<29]), afra)
        let moof: [UInt8] = [0, 0, 0, 24] + Array("moof".utf8) + [0, 0, 0, 16] + Array("mfhd".utf8) + [0, 0, 0, 0, 0, 0, 0, 1]
        XCTAssertEqual(Array(bytes[37..<61]), moof)
        XCTAssertEqual(Array(bytes[65..<69]), Array("mdat".utf8))
        let mdatSize = Int(bytes[61]) << 24 | Int(bytes[62]) << 16 | Int(bytes[63]) << 8 | Int(bytes[64])
        XCTAssertEqual(61 + mdatSize, bytes.count)
        // The tags: both sequence headers at the fragment's start, then the media.
        var reader = ByteReader(Array(bytes[69...]))
        let tags = try FLV.readTags(&reader, context: "mdat")
        XCTAssertEqual(tags.map(\.type), [9, 8, 9, 8, 9])
        XCTAssertEqual(tags.map(\.timestamp), [1000, 1000, 1000, 1010, 1500])
        // The afra offset points at the keyframe's tag header.
        let offset = Int(bytes[33]) << 24 | Int(bytes[34]) << 16 | Int(bytes[35]) << 8 | Int(bytes[36])
        XCTAssertEqual(Array(bytes[offset..<offset + 1]), [9])
        XCTAssertEqual(Array(bytes[(offset + 11)..<(offset + 17)]), [0x17, 0x01, 0, 0, 0, 0xAA])
    }

    func testTheBootstrapListsTheWindowInExactBytes() throws {
        var hds = HDSFragmenter(fragmentSeconds: 1, windowSeconds: 2)
        _ = hds.add(key(0), timestamp: 0)
        var removed: [Int] = []
        for second in 1...4 { removed += try XCTUnwrap(hds.add(key(Int64(second) * 1000), timestamp: Int64(second) * 1000)).removed }
        XCTAssertEqual(removed, [1, 2], "fragments leave once the newer ones cover the window")
        XCTAssertEqual(hds.window.map(\.index), [3, 4])
        let expected: [UInt8] = [0, 0, 0, 0x7A] + Array("abst".utf8) + [0, 0, 0, 0,
            0, 0, 0, 4,  // BootstrapinfoVersion: the latest fragment
            0x20,  // named profile, live
            0, 0, 0x03, 0xE8,  // timescale
            0, 0, 0, 0, 0, 0, 0x0B, 0xB8,  // CurrentMediaTime 3000: the latest fragment's start
            0, 0, 0, 0, 0, 0, 0, 0,  // SMPTE offset
            0, 0, 0, 0, 0,  // movie id, servers, qualities, DRM, metadata
            1,  // one segment run table
            0, 0, 0, 0x19] + Array("asrt".utf8) + [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 4,
            1,  // one fragment run table
            0, 0, 0, 0x35] + Array("afrt".utf8) + [0, 0, 0, 0, 0, 0, 0x03, 0xE8, 0, 0, 0, 0, 2,
            0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0x07, 0xD0, 0, 0, 0x03, 0xE8,
            0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0x0B, 0xB8, 0, 0, 0x03, 0xE8]
        XCTAssertEqual(hds.bootstrap(), expected)
    }

    func testAudioOnlyCutsOnTimeAndFragmentsNeverLastZero() throws {
        var hds = HDSFragmenter(fragmentSeconds: 0.1, windowSeconds: 60)
        XCTAssertNil(hds.add(audio(0), timestamp: 0))
        XCTAssertNil(hds.add(audio(50), timestamp: 50))
        XCTAssertEqual(hds.add(audio(100), timestamp: 100)?.closed.durationMs, 100)
        let last = try XCTUnwrap(hds.flush())
        XCTAssertEqual(last.closed.durationMs, 1, "a one-message fragment lasts 1 ms, not 0 (a discontinuity in the afrt)")
        XCTAssertNil(hds.flush())
        XCTAssertEqual(hds.endMs, 101)
    }

    func testAStreamWithoutKeyframesIsCutAtTwiceTheFragmentOrTheByteBound() throws {
        var hds = HDSFragmenter(fragmentSeconds: 1, windowSeconds: 60, maxFragmentBytes: 100)
        _ = hds.add(key(0), timestamp: 0)
        var cut: Int64?
        for ms in stride(from: Int64(40), through: 3000, by: 40) where cut == nil {
            cut = hds.add(inter(ms), timestamp: ms)?.closed.durationMs
        }
        XCTAssertNotNil(cut)
        XCTAssertLessThan(try XCTUnwrap(cut), 1000, "100 bytes are reached first")
    }

    func testANewSequenceHeaderGoesIntoTheOpenFragment() throws {
        var hds = HDSFragmenter(fragmentSeconds: 1, windowSeconds: 10)
        _ = hds.add(videoHeader, timestamp: 0)
        _ = hds.add(key(0), timestamp: 0)
        let changed = SharedMessage(kind: .video, timestamp: 500, payload: [0x17, 0x00, 0, 0, 0, 0x02])
        _ = hds.add(changed, timestamp: 500)
        _ = hds.add(key(500), timestamp: 500)
        let done = try XCTUnwrap(hds.flush())
        var reader = ByteReader(Array(done.closed.bytes[(21 + 32 + 24 + 8)...]))
        let tags = try FLV.readTags(&reader, context: "mdat")
        XCTAssertEqual(tags.map { $0.body.last }, [0x01, 0xAA, 0x02, 0xAA], "old header, frame, new header, frame")
    }

    func testTimestampsThatDoNotAdvanceCannotGrowTheWindow() {
        var hds = HDSFragmenter(fragmentSeconds: 1, windowSeconds: 60, maxFragmentBytes: 50)
        var removed: [Int] = []
        for _ in 0..<1000 { removed += hds.add(key(7), timestamp: 7)?.removed ?? [] }
        XCTAssertEqual(hds.window.count, hds.maxWindowFragments)
        XCTAssertGreaterThan(removed.count, 150, "old fragments leave by count")
    }

    func testTheManifestNamesTheBootstrapAndMediaEscaped() {
        let manifest = HDSFragmenter.manifest(stream: "a&b")
        XCTAssertTrue(manifest.contains("<bootstrapInfo profile=\"named\" url=\"a&amp;b.abst\" id=\"bootstrap0\" />"))
        XCTAssertTrue(manifest.contains("<media bitrate=\"0\" url=\"a&amp;b\" bootstrapInfoId=\"bootstrap0\"></media>"))
        XCTAssertTrue(manifest.contains("<streamType>live</streamType>"))
    }
}
