import Foundation
import XCTest

/// HDS end to end: the f4m, the bootstrap and the fragments fetched over the HTTP server with
/// curl and read with a reader written here from Adobe's HDS and F4V specifications; the
/// fragments' media read by ffprobe. And ATC: two servers fed the same stream keep the
/// publisher's absolute times in players and in byte-identical HLS timestamps.
final class HDSTests: XCTestCase {
    override func tearDown() {
        TestProcesses.shared.killAll()
        super.tearDown()
    }

    // MARK: A reader of the boxes, from the specifications

    /// ISO boxes in `bytes[range]`: (type, body range).
    private func boxes(_ bytes: [UInt8], in range: Range<Int>) throws -> [(type: String, body: Range<Int>)] {
        var found: [(String, Range<Int>)] = []
        var offset = range.lowerBound
        while offset < range.upperBound {
            guard offset + 8 <= range.upperBound else { throw TestFailure("box header cut at \(offset)") }
            let size = be(bytes, offset, 4)
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            guard size >= 8, offset + size <= range.upperBound else { throw TestFailure("box \(type) of \(size) bytes at \(offset) overflows") }
            found.append((type, (offset + 8)..<(offset + size)))
            offset += size
        }
        return found
    }

    private func be(_ bytes: [UInt8], _ offset: Int, _ count: Int) -> Int {
        bytes[offset..<(offset + count)].reduce(0) { $0 << 8 | Int($1) }
    }

    /// The fragment run table of a bootstrap: (first fragment, timestamp, duration) entries,
    /// and whether the bootstrap says live.
    private func readBootstrap(_ bytes: [UInt8]) throws -> (live: Bool, fragments: [(index: Int, start: Int, duration: Int)]) {
        let top = try boxes(bytes, in: 0..<bytes.count)
        guard top.count == 1, top[0].type == "abst" else { throw TestFailure("not one abst box: \(top.map(\.type))") }
        var p = top[0].body.lowerBound + 4  // version, flags
        p += 4  // BootstrapinfoVersion
        let live = bytes[p] & 0x20 != 0
        p += 1 + 4 + 8 + 8  // profile/live/update, TimeScale, CurrentMediaTime, SmpteTimeCodeOffset
        func skipString() { while bytes[p] != 0 { p += 1 }; p += 1 }
        skipString()  // MovieIdentifier
        let servers = Int(bytes[p]); p += 1
        for _ in 0..<servers { skipString() }
        let qualities = Int(bytes[p]); p += 1
        for _ in 0..<qualities { skipString() }
        skipString()  // DrmData
        skipString()  // MetaData
        let segmentTables = Int(bytes[p]); p += 1
        for _ in 0..<segmentTables {
            let size = be(bytes, p, 4)
            XCTAssertEqual(String(decoding: bytes[(p + 4)..<(p + 8)], as: UTF8.self), "asrt")
            p += size
        }
        let fragmentTables = Int(bytes[p]); p += 1
        XCTAssertEqual(fragmentTables, 1)
        let afrt = try boxes(bytes, in: p..<top[0].body.upperBound)
        XCTAssertEqual(afrt.map(\.type), ["afrt"])
        var q = afrt[0].body.lowerBound + 4
        XCTAssertEqual(be(bytes, q, 4), 1000, "timescale")
        q += 4
        let afrtQualities = Int(bytes[q]); q += 1
        for _ in 0..<afrtQualities { while bytes[q] != 0 { q += 1 }; q += 1 }
        let count = be(bytes, q, 4); q += 4
        var fragments: [(Int, Int, Int)] = []
        for _ in 0..<count {
            let index = be(bytes, q, 4), start = be(bytes, q + 4, 8), duration = be(bytes, q + 12, 4)
            q += 16
            if duration == 0 { q += 1 }  // DiscontinuityIndicator
            fragments.append((index, start, duration))
        }
        return (live, fragments)
    }

    /// A fragment's FLV tags (from its mdat) and its afra's keyframe offsets.
    private func readFragment(_ bytes: [UInt8]) throws -> (mdat: [UInt8], keyframeOffsets: [Int]) {
        let top = try boxes(bytes, in: 0..<bytes.count)
        XCTAssertEqual(top.map(\.type), ["afra", "moof", "mdat"])
        let afra = top[0].body
        let flags = bytes[afra.lowerBound + 4]
        let longOffsets = flags & 0x40 != 0
        let longIds = flags & 0x80 != 0
        XCTAssertFalse(longIds)
        var p = afra.lowerBound + 5 + 4
        let entries = be(bytes, p, 4); p += 4
        var offsets: [Int] = []
        for _ in 0..<entries {
            p += 8
            offsets.append(be(bytes, p, longOffsets ? 8 : 4))
            p += longOffsets ? 8 : 4
        }
        let moof = try boxes(bytes, in: top[1].body)
        XCTAssertEqual(moof.first?.type, "mfhd")
        return (Array(bytes[top[2].body]), offsets)
    }

    private func fetch(_ url: String, to file: String) throws -> Int {
        let result = try ExternalTool.run("curl", ["-sS", "-o", file, "-w", "%{http_code}", url], timeout: 20)
        return Int(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    // MARK: HDS

    func testFragmentsBootstrapAndManifestOverHTTPPlayInFFprobe() throws {
        let httpPort = ServerProcess.freePort()
        let root = NSTemporaryDirectory() + "swiftsrs-hds-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let server = try ServerProcess(body: """
            vhost __defaultVhost__ { hds { enabled on; hds_fragment 2; hds_window 4; hds_path \(root); } }
            """, head: "http_server { enabled on; listen \(httpPort); dir \(root); }")
        // B-frames with MP3 on one stream, AAC without B-frames on the other.
        var publishers: [Process] = []
        for (kind, name) in [(MediaFixtures.Kind.bframesMP3, "b"), (.h264AAC, "a")] {
            publishers.append(try ExternalTool.start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-re", "-i", try MediaFixtures.path(kind),
                                                                "-c", "copy", "-f", "flv", server.url("live/\(name)")], logFile: server.directory + "/\(name).log"))
        }
        for publisher in publishers { XCTAssertTrue(ExternalTool.wait(publisher, timeout: 60)) }
        Thread.sleep(forTimeInterval: 1)
        for name in ["a", "b"] {
            let base = "http://127.0.0.1:\(httpPort)/live/\(name)"
            let f4m = server.directory + "/\(name).f4m"
            XCTAssertEqual(try fetch(base + ".f4m", to: f4m), 200)
            let manifest = try String(contentsOfFile: f4m, encoding: .utf8)
            XCTAssertTrue(manifest.contains("<manifest xmlns=\"http://ns.adobe.com/f4m/1.0\">"), manifest)
            XCTAssertTrue(manifest.contains("url=\"\(name).abst\""), manifest)
            XCTAssertTrue(manifest.contains("<media bitrate=\"0\" url=\"\(name)\""), manifest)
            let abstFile = server.directory + "/\(name).abst"
            XCTAssertEqual(try fetch(base + ".abst", to: abstFile), 200)
            let bootstrap = try readBootstrap(Array(try Data(contentsOf: URL(fileURLWithPath: abstFile))))
            XCTAssertTrue(bootstrap.live)
            // 8 s in 2 s fragments; the 4 s window keeps the newest that cover it, the others
            // are deleted.
            let indexes = bootstrap.fragments.map(\.index)
            XCTAssertEqual(indexes.last, 4, "\(bootstrap.fragments)")
            XCTAssertTrue((2...3).contains(indexes.count), "\(bootstrap.fragments)")
            let covered = bootstrap.fragments.reduce(0) { $0 + $1.duration }
            XCTAssertGreaterThanOrEqual(covered, 3900)
            XCTAssertLessThan(covered - bootstrap.fragments[0].duration, 4000, "the oldest is needed to cover the window")
            for gone in 1..<(indexes.first ?? 1) {
                XCTAssertFalse(FileManager.default.fileExists(atPath: "\(root)/live/\(name)Seg1-Frag\(gone)"), "fragment \(gone) left the window")
            }
            var flv: [UInt8] = [0x46, 0x4C, 0x56, 0x01, 0x05, 0, 0, 0, 9, 0, 0, 0, 0]
            var previousEnd: Int?
            for fragment in bootstrap.fragments {
                XCTAssertGreaterThanOrEqual(fragment.duration, 1900, "\(fragment)")
                if let previousEnd { XCTAssertEqual(fragment.start, previousEnd, "fragments follow each other") }
                previousEnd = fragment.start + fragment.duration
                let file = server.directory + "/\(name)-\(fragment.index)"
                XCTAssertEqual(try fetch(base + "Seg1-Frag\(fragment.index)", to: file), 200)
                let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
                let parsed = try readFragment(bytes)
                XCTAssertFalse(parsed.keyframeOffsets.isEmpty)
                for offset in parsed.keyframeOffsets {
                    XCTAssertEqual(bytes[offset], 9, "afra points at a video tag")
                    XCTAssertEqual(bytes[offset + 11] >> 4, 1, "a keyframe")
                }
                // The fragment starts at a keyframe after the sequence headers.
                var single = [0x46, 0x4C, 0x56, 0x01, 0x05, 0, 0, 0, 9, 0, 0, 0, 0] + parsed.mdat
                let single_path = file + ".flv"
                try Data(single).write(to: URL(fileURLWithPath: single_path))
                let frames = try MediaFixtures.countFrames(single_path)
                XCTAssertEqual(frames.errors, "", "ffprobe on fragment \(fragment.index) of \(name)")
                XCTAssertGreaterThanOrEqual(frames.video, 45, "\(name) fragment \(fragment.index): two seconds of 25 fps")
                XCTAssertGreaterThan(frames.audio, 40)
                single.removeAll()
                flv += parsed.mdat
            }
            let joined = server.directory + "/\(name)-joined.flv"
            try Data(flv).write(to: URL(fileURLWithPath: joined))
            let frames = try MediaFixtures.countFrames(joined)
            XCTAssertEqual(frames.errors, "")
            XCTAssertGreaterThanOrEqual(frames.video, 90, "two fragments of the window in a row")
        }
        XCTAssertEqual(server.stop(), 0)
    }

    // MARK: ATC

    /// The times (ms) of the first audio and video packets that ffprobe reads from a live
    /// RTMP stream (not the |RtmpSampleAccess and onMetaData data messages).
    private func firstPacketTimes(_ url: String) throws -> [Double] {
        let result = try ExternalTool.run("ffprobe", ["-v", "error", "-read_intervals", "%+#16", "-show_entries", "packet=codec_type,dts_time",
                                                      "-of", "csv=p=0", url], timeout: 20)
        return result.output.split(separator: "\n").compactMap { line -> Double? in
            let fields = line.split(separator: ",")
            guard fields.count == 2, fields[0] == "video" || fields[0] == "audio" else { return nil }
            return Double(fields[1]).map { $0 * 1000 }
        }
    }

    /// Every TS packet time (stream, pts, dts) in a segment, as ffprobe reads them.
    private func segmentTimes(_ path: String) throws -> [String] {
        let result = try ExternalTool.run("ffprobe", ["-v", "error", "-show_entries", "packet=stream_index,pts,dts", "-of", "csv=p=0", path], timeout: 20)
        return result.output.split(separator: "\n").map(String.init)
    }

    func testTwoATCOriginsWriteTheSameHLSTimesAndPlayersKeepTheAbsoluteTime() throws {
        var roots: [String] = []
        var servers: [ServerProcess] = []
        for (index, vhost) in ["atc on;", "atc off; atc_auto on;"].enumerated() {
            let root = NSTemporaryDirectory() + "swiftsrs-atc\(index)-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            roots.append(root)
            servers.append(try ServerProcess(body: """
                vhost __defaultVhost__ { \(vhost) hls { enabled on; hls_fragment 2; hls_window 60; hls_path \(root); } }
                vhost plain.example { }
                """))
        }
        // One encoder, two origins, timestamps that start at 1000 s, and bravo_atc (which the
        // second origin's atc_auto follows).
        let tee = servers.map { "[f=flv]\($0.url("live/s"))" }.joined(separator: "|")
        let publisher = try ExternalTool.start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-re", "-i", try MediaFixtures.path(.bframesAAC30s),
                                                          "-t", "9", "-c", "copy", "-map", "0", "-output_ts_offset", "1000", "-metadata", "bravo_atc=true",
                                                          "-f", "tee", tee], logFile: servers[0].directory + "/tee.log")
        // And the same absolute times, without ATC, to a vhost that corrects them.
        let plain = try ExternalTool.start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-re", "-i", try MediaFixtures.path(.h264AAC),
                                                      "-c", "copy", "-output_ts_offset", "1000", "-f", "flv", servers[0].url("live?vhost=plain.example/s")],
                                       logFile: servers[0].directory + "/plain.log")
        Thread.sleep(forTimeInterval: 2)
        for server in servers {
            let times = try firstPacketTimes(server.url("live/s"))
            XCTAssertGreaterThanOrEqual(times.count, 10, server.log)
            // The encoder's first DTS is 1000 s less one frame (B-frames start the DTS below
            // the PTS), so a player from the stream's first GOP sees 999.96 s.
            XCTAssertGreaterThanOrEqual(times.min() ?? 0, 999_000, "an ATC player gets the publisher's times: \(times)")
        }
        let corrected = try firstPacketTimes(servers[0].url("live?vhost=plain.example/s"))
        XCTAssertGreaterThanOrEqual(corrected.count, 10)
        XCTAssertLessThan(corrected.max() ?? .infinity, 10_000, "time_jitter full starts a player near 0: \(corrected)")
        XCTAssertTrue(ExternalTool.wait(publisher, timeout: 60))
        XCTAssertTrue(ExternalTool.wait(plain, timeout: 60))
        Thread.sleep(forTimeInterval: 1)
        let names = try FileManager.default.contentsOfDirectory(atPath: roots[0] + "/live").filter { $0.hasSuffix(".ts") }.sorted()
        XCTAssertGreaterThanOrEqual(names.count, 4, "9 s in 2 s segments")
        for name in names {
            let first = try segmentTimes(roots[0] + "/live/" + name)
            let second = try segmentTimes(roots[1] + "/live/" + name)
            XCTAssertGreaterThan(first.count, 50, name)
            XCTAssertEqual(first, second, "segment \(name): the same timestamps on both origins")
            let firstPTS = first.compactMap { Int($0.split(separator: ",").dropFirst().first ?? "") }.min() ?? 0
            XCTAssertGreaterThanOrEqual(firstPTS, 1000 * 90_000, "absolute times in the segments")
        }
        XCTAssertTrue(servers[1].log.contains("atc_auto: the metadata has bravo_atc"), servers[1].log)
        for server in servers { XCTAssertEqual(server.stop(), 0) }
    }
}
