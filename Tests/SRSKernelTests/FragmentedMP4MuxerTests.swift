import XCTest
@testable import SRSKernel

/// Fragmented MP4 from FLV messages, checked byte for byte against ISO/IEC 14496-12 (boxes,
/// `trun` fields) and ISO/IEC 14496-1 (descriptors). ffprobe checks whole recordings in the
/// DVR end-to-end tests.
final class FragmentedMP4MuxerTests: XCTestCase {
    /// The boxes at the top level of `bytes`: type and body.
    private func boxes(_ bytes: some Collection<UInt8>) -> [(type: String, body: [UInt8])] {
        let bytes = Array(bytes)
        var result: [(String, [UInt8])] = []
        var offset = 0
        while offset + 8 <= bytes.count {
            let size = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            guard size >= 8, offset + size <= bytes.count else { break }
            result.append((String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self), Array(bytes[offset + 8..<offset + size])))
            offset += size
        }
        return result
    }

    /// The body of the box found by following `path` from `bytes`.
    private func find(_ path: [String], in bytes: [UInt8]) -> [UInt8]? {
        var current = bytes
        for type in path {
            guard let box = boxes(current).first(where: { $0.type == type }) else { return nil }
            current = box.body
        }
        return current
    }

    private func append(_ muxer: inout FragmentedMP4Muxer, _ kind: MediaKind, _ timestamp: Int64, _ payload: [UInt8]) -> [UInt8] {
        payload.withUnsafeBytes { muxer.append(kind: kind, timestamp: timestamp, payload: $0) }
    }

    private let aacSequenceHeader: [UInt8] = [0xAF, 0x00, 0x12, 0x10]  // AAC LC, 44.1 kHz, stereo

    private func videoFrame(keyframe: Bool, cts: UInt8, data: [UInt8]) -> [UInt8] {
        [keyframe ? 0x17 : 0x27, 0x01, 0x00, 0x00, cts] + data
    }

    func testBoxSizesAndDescriptorLengths() {
        var writer = MP4BoxWriter()
        writer.box("moov") { moov in
            moov.fullBox("mehd", version: 1, flags: 0x000102) { $0.uint32(7) }
        }
        XCTAssertEqual(writer.bytes, [0, 0, 0, 0x18] + ascii("moov") + [0, 0, 0, 0x10] + ascii("mehd") + [1, 0, 1, 2, 0, 0, 0, 7])
        var small = MP4BoxWriter()
        small.descriptor(0x05) { $0.raw([0x12, 0x10]) }
        XCTAssertEqual(small.bytes, [0x05, 0x02, 0x12, 0x10])
        var large = MP4BoxWriter()
        large.descriptor(0x04) { $0.zeros(200) }
        XCTAssertEqual(Array(large.bytes.prefix(3)), [0x04, 0x81, 0x48], "200 = 1 x 128 + 72, 7 bits per byte")
        XCTAssertEqual(large.bytes.count, 203)
    }

    func testMP3SampleEntry() {
        var writer = MP4BoxWriter()
        MP4TrackFormat.mp3(sampleRate: 44100, channels: 2).writeSampleEntry(&writer, trackId: 2)
        let esds: [UInt8] = [0, 0, 0, 0x23] + ascii("esds") + [0, 0, 0, 0]
            + [0x03, 0x15, 0x00, 0x02, 0x00]  // ES_Descriptor (21 bytes), ES_ID 2
            + [0x04, 0x0D, 0x6B, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]  // MPEG-1 audio, audio stream
            + [0x06, 0x01, 0x02]  // SLConfigDescriptor
        let expected: [UInt8] = [0, 0, 0, 0x47] + ascii("mp4a") + [0, 0, 0, 0, 0, 0, 0, 1] + [UInt8](repeating: 0, count: 8)
            + [0, 2, 0, 16, 0, 0, 0, 0, 0xAC, 0x44, 0, 0] + esds
        XCTAssertEqual(hex(writer.bytes), hex(expected))
    }

    /// The `moov` is written once both announced tracks have their sequence headers; a
    /// keyframe begins each fragment; durations are the distances to the next sample, the
    /// last one repeating the one before.
    func testFragmentsBeginAtKeyframesWithExactSampleTables() throws {
        var muxer = FragmentedMP4Muxer(expectsVideo: true, expectsAudio: true)
        XCTAssertEqual(append(&muxer, .video, 0, AVCDecoderConfigurationTests.baselineTag), [], "waits for the audio track")
        let initialization = append(&muxer, .audio, 0, aacSequenceHeader)
        XCTAssertTrue(muxer.isInitialized)
        let top = boxes(initialization)
        XCTAssertEqual(top.map(\.type), ["ftyp", "moov"])
        XCTAssertEqual(top[0].body, ascii("iso5") + [0, 0, 2, 0] + ascii("iso5") + ascii("iso6") + ascii("mp41"))
        let moov = top[1].body
        XCTAssertEqual(boxes(moov).map(\.type), ["mvhd", "trak", "trak", "mvex"])
        let avcC = try XCTUnwrap(find(["trak", "mdia", "minf", "stbl", "stsd"], in: moov))
        XCTAssertEqual(Array(avcC.suffix(AVCDecoderConfigurationTests.baselineRecord.count)), AVCDecoderConfigurationTests.baselineRecord)
        let tkhd = try XCTUnwrap(find(["trak", "tkhd"], in: moov))
        XCTAssertEqual(Array(tkhd.suffix(8)), [0x01, 0x40, 0, 0, 0x00, 0xF0, 0, 0], "320x240 from the SPS, 16.16")
        XCTAssertEqual(muxer.durationOffsets.count, 2)

        // Audio every 23 ms, video every 40 ms with a keyframe at 0 and 80.
        var output: [UInt8] = []
        output += append(&muxer, .video, 0, videoFrame(keyframe: true, cts: 40, data: [0, 0, 0, 2, 0x65, 0xAA]))
        output += append(&muxer, .audio, 0, [0xAF, 0x01, 0xA0])
        output += append(&muxer, .audio, 23, [0xAF, 0x01, 0xA1])
        output += append(&muxer, .video, 40, videoFrame(keyframe: false, cts: 0, data: [0, 0, 0, 1, 0x41]))
        output += append(&muxer, .audio, 46, [0xAF, 0x01, 0xA2])
        output += append(&muxer, .audio, 69, [0xAF, 0x01, 0xA3])
        XCTAssertEqual(output, [], "no keyframe yet")
        let first = append(&muxer, .video, 80, videoFrame(keyframe: true, cts: 40, data: [0, 0, 0, 1, 0x65]))
        let fragment = boxes(first)
        XCTAssertEqual(fragment.map(\.type), ["moof", "mdat"])
        let moof = fragment[0].body
        XCTAssertEqual(find(["mfhd"], in: moof), [0, 0, 0, 0, 0, 0, 0, 1])
        let trafs = boxes(moof).filter { $0.type == "traf" }.map(\.body)
        XCTAssertEqual(trafs.count, 2)
        XCTAssertEqual(find(["tfhd"], in: trafs[0]), [0, 2, 0, 0, 0, 0, 0, 1], "default-base-is-moof, track 1")
        XCTAssertEqual(find(["tfdt"], in: trafs[0]), [1, 0, 0, 0] + [UInt8](repeating: 0, count: 8))
        let moofSize = 8 + moof.count
        let videoTrun: [UInt8] = [1, 0, 0x0F, 0x01, 0, 0, 0, 2] + bytes32(moofSize + 8)
            + bytes32(40) + bytes32(6) + [0x02, 0, 0, 0] + bytes32(40)
            + bytes32(40) + bytes32(5) + [0x01, 0x01, 0, 0] + bytes32(0)
        XCTAssertEqual(find(["trun"], in: trafs[0]), videoTrun)
        // The audio samples at 0, 23, 46 are ready (69 waits for its successor).
        let audioTrun: [UInt8] = [1, 0, 0x03, 0x01, 0, 0, 0, 3] + bytes32(moofSize + 8 + 11)
            + bytes32(23) + bytes32(1) + bytes32(23) + bytes32(1) + bytes32(23) + bytes32(1)
        XCTAssertEqual(find(["trun"], in: trafs[1]), audioTrun)
        XCTAssertEqual(fragment[1].body, [0, 0, 0, 2, 0x65, 0xAA, 0, 0, 0, 1, 0x41, 0xA0, 0xA1, 0xA2])

        let last = boxes(muxer.finish())
        XCTAssertEqual(last.map(\.type), ["moof", "mdat"])
        XCTAssertEqual(find(["mfhd"], in: last[0].body), [0, 0, 0, 0, 0, 0, 0, 2])
        let lastTrafs = boxes(last[0].body).filter { $0.type == "traf" }.map(\.body)
        XCTAssertEqual(find(["tfdt"], in: lastTrafs[0]), [1, 0, 0, 0] + [0, 0, 0, 0, 0, 0, 0, 80])
        XCTAssertEqual(find(["tfdt"], in: lastTrafs[1]), [1, 0, 0, 0] + [0, 0, 0, 0, 0, 0, 0, 69])
        XCTAssertEqual(last[1].body, [0, 0, 0, 1, 0x65, 0xA3])
        XCTAssertEqual(muxer.durationMs, 120, "the keyframe at 80 lasts 40 ms like the frame before it")
    }

    /// MP3 has no sequence header: its first frame gives the format. Video that came first
    /// waits in the muxer; a track that never comes is left out after the wait.
    func testMP3AfterVideoAndAMissingTrack() throws {
        var muxer = FragmentedMP4Muxer(expectsVideo: true, expectsAudio: true, waitForTracksMs: 1000)
        _ = append(&muxer, .video, 0, AVCDecoderConfigurationTests.baselineTag)
        XCTAssertEqual(append(&muxer, .video, 0, videoFrame(keyframe: true, cts: 0, data: [0, 0, 0, 1, 0x65])), [])
        let mp3Frame: [UInt8] = [0x2F, 0xFF, 0xFB, 0x90, 0x64, 0x00]  // MPEG-1 layer III, 128 kbps, 44.1 kHz, stereo
        let output = append(&muxer, .audio, 26, mp3Frame)
        XCTAssertEqual(boxes(output).map(\.type), ["ftyp", "moov"])
        let tracks = boxes(try XCTUnwrap(find(["moov"], in: output))).filter { $0.type == "trak" }.map(\.body)
        XCTAssertEqual(tracks.count, 2)
        let stsd = try XCTUnwrap(find(["mdia", "minf", "stbl", "stsd"], in: tracks[1]))
        XCTAssertEqual(Array(stsd[12..<16]), ascii("mp4a"))
        XCTAssertEqual(Array(stsd[40..<44]), [0xAC, 0x44, 0, 0], "44.1 kHz from the MP3 frame")

        var videoOnly = FragmentedMP4Muxer(expectsVideo: true, expectsAudio: true, waitForTracksMs: 1000)
        _ = append(&videoOnly, .video, 0, AVCDecoderConfigurationTests.baselineTag)
        XCTAssertEqual(append(&videoOnly, .video, 0, videoFrame(keyframe: true, cts: 0, data: [0, 0, 0, 1, 0x65])), [])
        XCTAssertEqual(append(&videoOnly, .video, 40, videoFrame(keyframe: false, cts: 0, data: [0, 0, 0, 1, 0x41])), [])
        let started = append(&videoOnly, .video, 1000, videoFrame(keyframe: false, cts: 0, data: [0, 0, 0, 1, 0x41]))
        let moov = try XCTUnwrap(find(["moov"], in: started))
        XCTAssertEqual(boxes(moov).filter { $0.type == "trak" }.count, 1, "the audio that never came is left out after 1 s")
    }

    /// Frames before the first keyframe cannot be decoded; samples of other codecs do not fit
    /// the track; garbage is ignored.
    func testUndecodableInputIsDropped() {
        var muxer = FragmentedMP4Muxer(expectsVideo: true, expectsAudio: false)
        _ = append(&muxer, .video, 0, AVCDecoderConfigurationTests.baselineTag)
        XCTAssertTrue(muxer.isInitialized)
        _ = append(&muxer, .video, 0, videoFrame(keyframe: false, cts: 0, data: [0, 0, 0, 1, 0x41]))
        _ = append(&muxer, .audio, 0, [0xAF, 0x01, 0xA0])
        _ = append(&muxer, .video, 10, [0x17])
        _ = append(&muxer, .video, 20, [0x22, 0x01, 0x02])  // Sorenson H.263
        XCTAssertEqual(muxer.finish(), [], "nothing to write")
        XCTAssertEqual(muxer.durationMs, 0)
    }

    private func bytes32(_ value: Int) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }
}
