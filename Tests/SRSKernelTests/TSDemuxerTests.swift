import XCTest
@testable import SRSKernel

/// MPEG-TS back to FLV messages: what the TS muxer wrote comes back (H.264 with composition
/// times and its SPS/PPS as a sequence header, AAC frames with their config), in any slicing;
/// garbage, lost packets and oversized PES are survived.
final class TSDemuxerTests: XCTestCase {
    private let aacHeader: [UInt8] = [0xAF, 0x00, 0x12, 0x10]  // AAC LC 44.1 kHz stereo

    private func video(_ t: Int64, keyframe: Bool, cts: UInt8, _ nal: [UInt8]) -> SharedMessage {
        let length = UInt32(nal.count)
        let avcc = [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)] + nal
        return SharedMessage(kind: .video, timestamp: t, payload: [keyframe ? 0x17 : 0x27, 0x01, 0, 0, cts] + avcc)
    }

    /// A stream through the TS muxer: sequence headers, 3 video frames, 3 AAC frames.
    private func muxed() -> (ts: [UInt8], frames: [SharedMessage]) {
        let converter = FLVToTSConverter()
        converter.configure(hasVideo: true, audio: .aac)
        let headers = [SharedMessage(kind: .video, timestamp: 0, payload: AVCDecoderConfigurationTests.baselineTag),
                       SharedMessage(kind: .audio, timestamp: 0, payload: aacHeader)]
        let frames = [video(0, keyframe: true, cts: 80, [0x65, 0x88, 0x84, 0x00, 0x33]), SharedMessage(kind: .audio, timestamp: 0, payload: [0xAF, 0x01, 0x21, 0x10, 0x05]),
                      video(40, keyframe: false, cts: 0, [0x41, 0x9A, 0x02]), SharedMessage(kind: .audio, timestamp: 23, payload: [0xAF, 0x01, 0x21, 0x10, 0x06]),
                      video(80, keyframe: false, cts: 40, [0x41, 0x9A, 0x03]), SharedMessage(kind: .audio, timestamp: 46, payload: [0xAF, 0x01, 0x21, 0x10, 0x07])]
        var ts = converter.tables()
        for message in headers + frames { ts += converter.convert(message, timestamp: message.timestamp) }
        ts += converter.flushAudio()
        return (ts, frames)
    }

    func testWhatTheMuxerWroteComesBack() throws {
        let (ts, _) = muxed()
        var demuxer = TSDemuxer()
        var out = demuxer.feed(ts)
        out += demuxer.flush()
        let videoOut = out.filter { $0.kind == .video }
        let audioOut = out.filter { $0.kind == .audio }
        // The sequence header carries the publisher's SPS and PPS.
        let header = try XCTUnwrap(videoOut.first)
        XCTAssertTrue(header.isSequenceHeader)
        let record = try AVCDecoderConfiguration.fromFLVVideoTag(header.body)
        let original = try AVCDecoderConfiguration.fromFLVVideoTag(AVCDecoderConfigurationTests.baselineTag)
        XCTAssertEqual(record.sps, original.sps)
        XCTAssertEqual(record.pps, original.pps)
        let frames = videoOut.filter { !$0.isSequenceHeader }
        XCTAssertEqual(frames.map(\.timestamp), [0, 40, 80])
        XCTAssertEqual(frames.map { $0.body[0] }, [0x17, 0x27, 0x27], "the IDR is the keyframe")
        XCTAssertEqual(frames.map { $0.body[4] }, [80, 0, 40], "composition times from PTS - DTS")
        XCTAssertEqual(Array(frames[0].body.suffix(5)), [0x65, 0x88, 0x84, 0x00, 0x33], "the IDR's bytes (the muxer's AUD and SPS/PPS dropped)")
        XCTAssertEqual(Array(frames[1].body[5...]), [0, 0, 0, 3, 0x41, 0x9A, 0x02])
        XCTAssertEqual(audioOut.first?.body, aacHeader, "the AudioSpecificConfig from the ADTS header")
        XCTAssertEqual(audioOut.filter { !$0.isSequenceHeader }.map(\.body),
                       [[0xAF, 0x01, 0x21, 0x10, 0x05], [0xAF, 0x01, 0x21, 0x10, 0x06], [0xAF, 0x01, 0x21, 0x10, 0x07]])
        XCTAssertEqual(audioOut.filter { !$0.isSequenceHeader }.map(\.timestamp), [0, 23, 46], "1024 samples at 44.1 kHz apart")
    }

    func testAnySlicingAndGarbageBetweenPackets() {
        let (ts, _) = muxed()
        var whole = TSDemuxer()
        let expected = whole.feed(ts) + whole.flush()
        var sliced = TSDemuxer()
        var out: [TSDemuxer.Message] = []
        var offset = 0
        var step = 1
        while offset < ts.count {
            let end = min(ts.count, offset + step)
            out += sliced.feed(ts[offset..<end])
            if offset == 188 * 2 { out += sliced.feed([0x00, 0x47, 0x13, 0x99]) }  // garbage before a packet boundary
            offset = end
            step = step % 400 + 97
        }
        out += sliced.flush()
        XCTAssertEqual(out, expected)
    }

    /// UDP: each datagram holds whole packets; a stray one (any length, or 188 bytes without
    /// sync) is dropped whole and does not shift the next ones.
    func testDatagramsAreWholePacketsAndStrayOnesAreDropped() {
        let (ts, _) = muxed()
        var whole = TSDemuxer()
        let expected = whole.feed(ts) + whole.flush()
        var demuxer = TSDemuxer()
        var out: [TSDemuxer.Message] = []
        for (index, offset) in stride(from: 0, to: ts.count, by: 188 * 7).enumerated() {
            out += demuxer.feed(datagram: ts[offset..<min(ts.count, offset + 188 * 7)])
            if index == 0 {
                out += demuxer.feed(datagram: [0x47, 0x00, 0x11])
                out += demuxer.feed(datagram: [UInt8](repeating: 0x46, count: 188))
            }
        }
        out += demuxer.flush()
        XCTAssertEqual(out, expected)
        XCTAssertEqual(demuxer.droppedDatagrams, 2)
    }

    func testALostPacketDropsOnlyItsFrame() {
        let converter = FLVToTSConverter()
        converter.configure(hasVideo: true, audio: nil)
        var ts = converter.tables()
        ts += converter.convert(SharedMessage(kind: .video, timestamp: 0, payload: AVCDecoderConfigurationTests.baselineTag), timestamp: 0)
        let big = [UInt8](repeating: 0x11, count: 1000)
        let frames = [video(0, keyframe: true, cts: 0, [0x65] + big), video(40, keyframe: false, cts: 0, [0x41] + big), video(80, keyframe: false, cts: 0, [0x41, 1])]
        var packets: [[UInt8]] = []
        for frame in frames { packets.append(converter.convert(frame, timestamp: frame.timestamp)) }
        // Lose the second packet of the second frame.
        let second = packets[1]
        ts += packets[0] + Array(second[0..<188]) + Array(second[376...]) + packets[2]
        var demuxer = TSDemuxer()
        let out = (demuxer.feed(ts) + demuxer.flush()).filter { !$0.isSequenceHeader }
        XCTAssertEqual(out.map(\.timestamp), [0, 80], "the damaged frame is dropped, the others pass")
        XCTAssertEqual(demuxer.droppedFrames, 1)
    }

    func testTimestampsFollowThe33BitWrap() {
        var demuxer = TSDemuxer()
        // Two PES just before and after the 33-bit wrap, through the muxer's PTS fields.
        let converter = FLVToTSConverter()
        converter.configure(hasVideo: true, audio: nil)
        var ts = converter.tables() + converter.convert(SharedMessage(kind: .video, timestamp: 0, payload: AVCDecoderConfigurationTests.baselineTag), timestamp: 0)
        let wrapMs = Int64(1 << 33) / 90
        ts += converter.convert(video(wrapMs - 40, keyframe: true, cts: 0, [0x65, 1]), timestamp: wrapMs - 40)
        ts += converter.convert(video(wrapMs + 40, keyframe: false, cts: 0, [0x41, 1]), timestamp: wrapMs + 40)
        ts += converter.convert(video(wrapMs + 80, keyframe: false, cts: 0, [0x41, 2]), timestamp: wrapMs + 80)
        let out = (demuxer.feed(ts) + demuxer.flush()).filter { !$0.isSequenceHeader }
        XCTAssertEqual(out.map(\.timestamp), [0, 80, 120], "monotonic across the wrap")
    }

    func testAnnexBSplitting() {
        let units = AVCNALUnits.annexBUnits([0, 0, 0, 1, 0x09, 0xF0, 0, 0, 1, 0x67, 0x42, 0, 0, 0, 1, 0x65, 0x88][...])
        XCTAssertEqual(units.map { Array($0) }, [[0x09, 0xF0], [0x67, 0x42], [0x65, 0x88]])
    }
}
