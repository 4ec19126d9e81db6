import Foundation
import XCTest

@testable import SRSApp
import SRSIO
import SRSKernel
import SRSRTMP

/// Each stream feature against a recorded publish, and features added, replaced and removed by
/// a reload of a running stream.
final class StreamFeatureTests: XCTestCase {
    func testHLSFeatureSegmentsARecordedPublishAndCallsOnHLS() throws {
        let root = NSTemporaryDirectory() + "swiftsrs-app-hls-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let harness = try AppHarness("""
            vhost __defaultVhost__ {
                hls { enabled on; hls_fragment 1; hls_window 10; hls_path \(root); }
                http_hooks { enabled on; on_hls http://hooks:8085/hls; on_unpublish http://hooks:8085/unpublish; }
            }
            """)
        let hooks = FakeHookServer(connector: harness.connector, address: "hooks:8085")
        let publisher = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/h?token=1", mode: .publish)
        XCTAssertEqual(harness.features("__defaultVhost__/live/h"), ["hls", "callbacks"])
        publisher.publish(RecordedStream.messages)
        publisher.close()
        // The segments are written on the blocking pool; wait for them, then for on_hls.
        let m3u8 = root + "/live/h.m3u8"
        for _ in 0..<100 where (try? String(contentsOfFile: m3u8, encoding: .utf8))?.contains("h-4.ts") != true { usleep(20_000) }
        for _ in 0..<100 where hooks.actions.filter({ $0 == "on_hls" }).count < 5 {
            usleep(20_000)
            harness.settle()
        }
        let playlist = try String(contentsOfFile: m3u8, encoding: .utf8)
        // 5 s in 1 s GOPs: five segments, each cut at a keyframe, numbered from 0.
        XCTAssertEqual(playlist.split(separator: "\n").filter { $0.hasSuffix(".ts") }, ["h-0.ts", "h-1.ts", "h-2.ts", "h-3.ts", "h-4.ts"])
        let durations = playlist.split(separator: "\n").filter { $0.hasPrefix("#EXTINF:") }.compactMap { Double($0.dropFirst(8).prefix { $0 != "," }) }
        XCTAssertEqual(durations.count, 5)
        for duration in durations { XCTAssertEqual(duration, 1.0, accuracy: 0.1) }
        for index in 0..<5 {
            let segment = try XCTUnwrap(FileManager.default.contents(atPath: root + "/live/h-\(index).ts"))
            XCTAssertEqual(segment.count % 188, 0)
            XCTAssertEqual(segment.first, 0x47)
        }
        let onHLS = hooks.received.filter { $0["action"] as? String == "on_hls" }
        XCTAssertEqual(onHLS.map { $0["seq_no"] as? Int }, [0, 1, 2, 3, 4])
        XCTAssertEqual(onHLS.first?["param"] as? String, "?token=1")
        XCTAssertEqual(onHLS.first?["url"] as? String, "live/h-0.ts")
        XCTAssertTrue(hooks.actions.contains("on_unpublish"))
        XCTAssertNotNil(harness.source("__defaultVhost__/live/h"), "HLS keeps its stream for the next publish")
    }

    func testPlayersOfNamesNeverPublishedLeaveNoStreamBehindEvenWithHLS() throws {
        let root = NSTemporaryDirectory() + "swiftsrs-app-ghost-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let harness = try AppHarness("vhost __defaultVhost__ { hls { enabled on; hls_path \(root); } }")
        for index in 0..<20 {
            let player = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/ghost\(index)", mode: .play)
            XCTAssertTrue(player.started)
            player.close()
        }
        harness.settle()
        XCTAssertEqual(harness.server.streams.count, 0, "players of unknown names leave nothing behind")
        // A stream that was published is kept for its playlist, as before.
        let publisher = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/real", mode: .publish)
        publisher.publish(RecordedStream.first(500))
        publisher.close()
        XCTAssertNotNil(harness.source("__defaultVhost__/live/real"))
        XCTAssertEqual(harness.server.streams.count, 1)
    }

    /// Players of names nobody published are bounded per name and in all: the next one gets
    /// NetStream.Play.Failed; players of a published stream are not counted.
    func testWaitingPlayersAreBoundedPerNameAndInAll() throws {
        let harness = try AppHarness("max_waiting_players 5; max_waiting_players_per_stream 3; vhost __defaultVhost__ { }")
        var players: [RTMPPeer] = []
        for _ in 0..<3 { players.append(RTMPPeer(harness, url: "rtmp://127.0.0.1/live/soon", mode: .play)) }
        XCTAssertTrue(players.allSatisfy(\.started))
        let fourth = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/soon", mode: .play)
        XCTAssertFalse(fourth.started)
        XCTAssertEqual(fourth.statusCodes, ["NetStream.Play.Failed"])
        XCTAssertTrue(fourth.closed)
        for index in 0..<2 { players.append(RTMPPeer(harness, url: "rtmp://127.0.0.1/live/other\(index)", mode: .play)) }
        XCTAssertTrue(players.allSatisfy(\.started), "5 in all")
        let sixth = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/third", mode: .play)
        XCTAssertEqual(sixth.statusCodes, ["NetStream.Play.Failed"], "the total is reached")
        XCTAssertNil(harness.source("__defaultVhost__/live/third"), "the refused player left nothing behind")
        // Once published, the name's players no longer wait: more may join.
        let publisher = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/soon", mode: .publish)
        publisher.publish(RecordedStream.first(100))
        let more = (0..<4).map { _ in RTMPPeer(harness, url: "rtmp://127.0.0.1/live/soon", mode: .play) }
        XCTAssertTrue(more.allSatisfy(\.started))
        for player in players + more { player.close() }
        publisher.close()
        harness.settle()
        XCTAssertEqual(harness.server.streams.all.map(\.key), [], "no state is left for any name")
    }

    func testForwardFeatureRelaysARecordedPublishWithHeadersFirst() throws {
        let harness = try AppHarness("vhost __defaultVhost__ { forward 10.0.0.9:1935; }")
        let destination = FakeRTMPServer(connector: harness.connector, address: "10.0.0.9:1935")
        let publisher = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/f", mode: .publish)
        XCTAssertEqual(harness.features("__defaultVhost__/live/f"), ["forward"])
        let sent = RecordedStream.first(3000)
        publisher.publish(Array(sent.prefix(40)))
        harness.advance(500)
        publisher.publish(Array(sent.dropFirst(40)))
        harness.advance(500)
        XCTAssertEqual(destination.streams, ["live/f"])
        let relayed = destination.messages
        XCTAssertEqual(relayed.first?.typeId, 18, "metadata first")
        XCTAssertEqual(relayed.filter { $0.typeId != 18 }.count, sent.filter { $0.typeId != 18 }.count)
        XCTAssertTrue(relayed.filter { $0.typeId != 18 }.map(\.payload) == sent.filter { $0.typeId != 18 }.map(\.payload),
                      "every audio and video message, in order")
        // The publisher leaves: the relay stops.
        publisher.close()
        harness.advance(100)
        XCTAssertEqual(harness.connector.connections, ["10.0.0.9:1935"])
    }

    func testEdgePullIsNotForwardedOrAnnounced() throws {
        let harness = try AppHarness("""
            vhost __defaultVhost__ { mode remote; origin 10.0.0.1:1935; http_hooks { enabled on; on_unpublish http://hooks:8085/; } }
            """)
        let hooks = FakeHookServer(connector: harness.connector, address: "hooks:8085")
        let player = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/e", mode: .play)
        XCTAssertTrue(player.started)
        XCTAssertEqual(harness.features("__defaultVhost__/live/e"), ["edge-push", "callbacks"])
        harness.advance(100)
        // The pull went to the origin (refused: nobody listens); nothing was pushed back to it.
        XCTAssertEqual(harness.connector.connections.first, "10.0.0.1:1935")
        player.close()
        harness.advance(4000)
        XCTAssertFalse(hooks.actions.contains("on_unpublish"), "an edge's pull is not a client's publish")
        XCTAssertTrue(harness.connector.connections.allSatisfy { $0 == "10.0.0.1:1935" })
    }

    func testReloadAddsReplacesAndRemovesFeaturesOfARunningStream() throws {
        let root = NSTemporaryDirectory() + "swiftsrs-app-reload-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let harness = try AppHarness("vhost __defaultVhost__ { }")
        let destination = FakeRTMPServer(connector: harness.connector, address: "10.0.0.9:1935")
        let publisher = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/r", mode: .publish)
        publisher.publish(RecordedStream.first(1000))
        let key = "__defaultVhost__/live/r"
        XCTAssertEqual(harness.features(key), [])
        // Added: HLS and forward join the running publish, learning the codecs from the cache.
        try harness.reload("vhost __defaultVhost__ { hls { enabled on; hls_fragment 1; hls_path \(root); } forward 10.0.0.9:1935; }")
        XCTAssertEqual(harness.features(key), ["hls", "forward"])
        publisher.publish(RecordedStream.messages.filter { $0.timestamp > 1000 && $0.timestamp <= 3500 })
        harness.advance(500)
        XCTAssertEqual(destination.streams, ["live/r"])
        XCTAssertTrue(destination.messages.contains(where: RecordedStream.isSequenceHeader), "the relay starts with the cached headers")
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: root + "/live/r-0.ts") { usleep(20_000) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/live/r-0.ts"), "HLS writes segments of the running stream")
        // Replaced settings: HLS continues its numbering; removed: forward stops.
        try harness.reload("vhost __defaultVhost__ { hls { enabled on; hls_fragment 2; hls_path \(root); } }")
        XCTAssertEqual(harness.features(key), ["hls"])
        // Removed: HLS off; the stream (kept by HLS before) stays while published.
        try harness.reload("vhost __defaultVhost__ { }")
        XCTAssertEqual(harness.features(key), [])
        publisher.close()
        XCTAssertNil(harness.source(key), "nothing keeps the stream once its publisher left")
    }
}
