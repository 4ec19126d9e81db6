import Foundation
import Glibc
import XCTest

@testable import SRSApp
import SRSIO
import SRSKernel
import SRSRTMP

/// DVR against a recorded publish: each plan's files, their headers, metadata fix-ups and
/// frame counts, on_dvr, reload, and an unwritable path.
final class DVRFeatureTests: XCTestCase {
    private var root = ""

    override func setUp() {
        root = NSTemporaryDirectory() + "swiftsrs-app-dvr-\(UUID().uuidString.prefix(8))"
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// The finished .flv files under `folder`, waiting for the lane to write them.
    private func files(_ folder: String, count: Int, harness: AppHarness) -> [String] {
        var found: [String] = []
        for _ in 0..<200 {
            harness.settle()
            found = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".flv") }.sorted()
            if found.count >= count { break }
            usleep(10_000)
        }
        return found.map { folder + "/" + $0 }
    }

    private struct Recording {
        var tags: [FLV.Tag]
        var duration: Double
        var filesize: Double
        var flags: UInt8
        var size: Int
        var video: Int { tags.filter { $0.type == 9 && $0.body.count > 1 && $0.body[1] == 1 }.count }
        var audio: Int { tags.filter { $0.type == 8 && $0.body.count > 1 && $0.body[1] == 1 }.count }
    }

    private func read(_ path: String) throws -> Recording {
        let bytes = [UInt8](try XCTUnwrap(FileManager.default.contents(atPath: path)))
        let tags = try FLV.parseFile(bytes)
        let metadata = try AMF0Decoder.decodeAll(tags[0].body)
        return Recording(tags: tags, duration: metadata[1]["duration"]?.numberValue ?? -1, filesize: metadata[1]["filesize"]?.numberValue ?? -1,
                         flags: bytes[4], size: bytes.count)
    }

    private let published = RecordedStream.messages
    private var publishedVideo: Int { published.filter { $0.typeId == 9 && $0.payload[1] == 1 }.count }
    private var publishedAudio: Int { published.filter { $0.typeId == 8 && $0.payload[1] == 1 }.count }

    func testSessionPlanRecordsOneFileWithHeadersFirstAndFixedUpMetadata() throws {
        let harness = try AppHarness("""
            vhost __defaultVhost__ {
                dvr { enabled on; dvr_plan session; dvr_path \(root)/[app]/[stream].[timestamp].flv; }
                http_hooks { enabled on; on_dvr http://hooks:8085/dvr; }
            }
            """)
        let hooks = FakeHookServer(connector: harness.connector, address: "hooks:8085")
        let publisher = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/s?key=1", mode: .publish)
        XCTAssertEqual(harness.features("__defaultVhost__/live/s"), ["dvr", "callbacks"].filter { $0 == "dvr" })
        publisher.publish(published)
        publisher.close()
        let recorded = files(root + "/live", count: 1, harness: harness)
        XCTAssertEqual(recorded.count, 1, "one file per session")
        let file = try read(try XCTUnwrap(recorded.first))
        XCTAssertEqual(file.tags[0].type, 18, "metadata first")
        XCTAssertTrue(RecordedStream.isSequenceHeader(RTMPMessage(typeId: file.tags[1].type, payload: file.tags[1].body)))
        XCTAssertTrue(RecordedStream.isSequenceHeader(RTMPMessage(typeId: file.tags[2].type, payload: file.tags[2].body)))
        XCTAssertEqual(file.video, publishedVideo, "every video frame")
        XCTAssertEqual(file.audio, publishedAudio, "every audio frame")
        XCTAssertEqual(file.flags, 0x05, "audio and video flags")
        XCTAssertEqual(file.duration, 5.0, accuracy: 0.2, "duration fixed up at close")
        XCTAssertEqual(Int(file.filesize), file.size, "filesize fixed up at close")
        for _ in 0..<100 where hooks.received.isEmpty {
            usleep(10_000)
            harness.settle()
        }
        let body = try XCTUnwrap(hooks.received.first)
        XCTAssertEqual(body["action"] as? String, "on_dvr")
        XCTAssertEqual(body["file"] as? String, recorded.first)
        XCTAssertEqual(body["param"] as? String, "?key=1")
        XCTAssertNotNil(body["cwd"] as? String)
        XCTAssertFalse(FileManager.default.fileExists(atPath: recorded[0] + ".tmp"), "renamed from its temporary name")
    }

    func testSegmentPlanCutsAtKeyframesAfterTheDuration() throws {
        let harness = try AppHarness("vhost __defaultVhost__ { dvr { enabled on; dvr_plan segment; dvr_duration 2; dvr_path \(root); } }")
        let publisher = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/g", mode: .publish)
        publisher.publish(published)
        publisher.close()
        // 5 s in 1 s GOPs cut after 2 s: files of 2 s, 2 s and 1 s, under the SRS 2.0 folder layout.
        let recorded = files(root + "/live", count: 3, harness: harness)
        XCTAssertEqual(recorded.count, 3, "\(recorded)")
        var video = 0
        var audio = 0
        var durations: [Double] = []
        for path in recorded {
            let file = try read(path)
            video += file.video
            audio += file.audio
            let firstFrame = try XCTUnwrap(file.tags.first { $0.type == 9 && $0.body[1] == 1 })
            XCTAssertEqual(firstFrame.body[0] >> 4, 1, "\(path) begins at a keyframe")
            XCTAssertEqual(file.tags.filter { $0.type == 9 && $0.body[1] == 0 }.count, 1, "\(path) has the video sequence header")
            durations.append(file.duration)
        }
        // Files begun within one millisecond are named NAME.flv, NAME-1.flv, NAME-2.flv.
        XCTAssertEqual(durations.sorted().map { ($0 * 2).rounded() / 2 }, [1.0, 2.0, 2.0], "\(durations)")
        XCTAssertEqual(video, publishedVideo, "no frame lost at the cuts")
        XCTAssertEqual(audio, publishedAudio)
    }

    func testAppendPlanContinuesOneFileAcrossRepublishes() throws {
        let harness = try AppHarness("vhost __defaultVhost__ { dvr { enabled on; dvr_plan append; dvr_path \(root)/[app]/[stream].flv; } }")
        for _ in 0..<3 {
            let publisher = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/a", mode: .publish)
            XCTAssertTrue(publisher.started)
            publisher.publish(RecordedStream.first(2000))
            publisher.close()
            _ = files(root + "/live", count: 1, harness: harness)
            harness.loop.sync {}
            for _ in 0..<50 { usleep(2000); harness.settle() }
        }
        let recorded = files(root + "/live", count: 1, harness: harness)
        XCTAssertEqual(recorded, [root + "/live/a.flv"])
        let file = try read(recorded[0])
        let once = RecordedStream.first(2000).filter { $0.typeId == 9 && $0.payload[1] == 1 }.count
        XCTAssertEqual(file.video, 3 * once, "three publishes in one file")
        let times = file.tags.filter { $0.type == 9 || $0.type == 8 }.map(\.timestamp)
        XCTAssertEqual(times, times.sorted(), "timestamps never go back")
        XCTAssertEqual(file.duration, 6.0, accuracy: 0.5)
        XCTAssertEqual(Int(file.filesize), file.size)
    }

    func testReloadTurnsDVROnAndOffForALiveStreamAndAnUnwritablePathHurtsNoPlayer() throws {
        let harness = try AppHarness("vhost __defaultVhost__ { mw_latency 100; }")
        let publisher = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/r", mode: .publish)
        let player = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/r", mode: .play)
        publisher.publish(RecordedStream.first(1000))
        try harness.reload("vhost __defaultVhost__ { mw_latency 100; dvr { enabled on; dvr_path \(root)/[stream].flv; } }")
        XCTAssertEqual(harness.features("__defaultVhost__/live/r"), ["dvr"])
        publisher.publish(RecordedStream.messages.filter { $0.timestamp > 1000 && $0.timestamp <= 3000 })
        try harness.reload("vhost __defaultVhost__ { mw_latency 100; }")
        XCTAssertEqual(harness.features("__defaultVhost__/live/r"), [])
        let recorded = files(root, count: 1, harness: harness)
        XCTAssertEqual(recorded.count, 1, "the file a reload began is closed by the reload that ends DVR")
        XCTAssertGreaterThan(try read(recorded[0]).video, 20)
        // A path under a regular file cannot be created: one clear line, the player plays on.
        _ = FileManager.default.createFile(atPath: root + "/plain", contents: Data("x".utf8))
        harness.advance(200)
        player.pump()
        try harness.reload("vhost __defaultVhost__ { mw_latency 100; dvr { enabled on; dvr_path \(root)/plain/[stream].flv; } }")
        let before = player.media.count
        publisher.publish(RecordedStream.messages.filter { $0.timestamp > 3000 })
        harness.advance(200)
        player.pump()
        XCTAssertEqual(player.media.count - before, RecordedStream.messages.filter { $0.timestamp > 3000 }.count, "the player got everything")
        XCTAssertFalse(publisher.closed)
    }

    /// A disk that takes nothing (the temporary file is a FIFO nobody reads yet): at most
    /// `AppTuning.dvrMaxPendingBytes` wait for it, then the recording stops with one line and
    /// the stream goes on; what waited is written once the "disk" reads again.
    func testWhatWaitsForABlockedDiskIsBounded() throws {
        try FileManager.default.createDirectory(atPath: root + "/live", withIntermediateDirectories: true)
        let fifo = root + "/live/big.flv.tmp"
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        let harness = try AppHarness("vhost __defaultVhost__ { mw_latency 100; dvr { enabled on; dvr_path \(root)/[app]/[stream].flv; } }")
        let publisher = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/big", mode: .publish)
        let player = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/big", mode: .play)
        let headers = RecordedStream.messages.filter(RecordedStream.isSequenceHeader)
        publisher.publish(headers)
        // 48 frames of 1 MB: more than the 32 MB bound.
        let frame = [UInt8](repeating: 0xAB, count: 1 << 20)
        for index in 0..<48 {
            publisher.publish([RTMPMessage(typeId: 9, timestamp: Int64(index * 40), payload: [index % 25 == 0 ? 0x17 : 0x27, 0x01, 0, 0, 0] + frame)])
            harness.advance(50)
            player.pump()
        }
        let source = try XCTUnwrap(harness.source("__defaultVhost__/live/big"))
        XCTAssertEqual(source.statistics.frames, 48, "the stream took every frame")
        XCTAssertEqual(player.media.filter { $0.payload.count > 1000 }.count, 48, "the player got every frame")
        XCTAssertFalse(publisher.closed)
        // The "disk" reads again: what waited (at most the bound) is written, then nothing more.
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        XCTAssertGreaterThanOrEqual(reader, 0)
        var drained = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var idleMs = 0
        while idleMs < 500 {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(reader, $0.baseAddress, $0.count) }
            if n > 0 {
                drained += n
                idleMs = 0
            } else {
                usleep(1000)
                idleMs += 1
            }
        }
        close(reader)
        harness.settle()
        XCTAssertLessThanOrEqual(drained, AppTuning.dvrMaxPendingBytes + (2 << 20), "no more than the bound waited")
        XCTAssertGreaterThan(drained, 16 << 20, "what waited was written once the disk read again")
    }
}
