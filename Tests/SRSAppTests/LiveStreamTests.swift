import XCTest

@testable import SRSApp
import SRSIO
import SRSRTMP
import SRSConfig
import SRSKernel

/// Publish and play through the whole server on memory transports, with a clock the test
/// drives: GOP cache, players joining late, kick, and the timeouts.
final class LiveStreamTests: XCTestCase {
    private let vhost = "vhost __defaultVhost__ { mw_latency 100; }"

    func testPlayerGetsTheStreamAsPublished() throws {
        let harness = try AppHarness(vhost)
        let publisher = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/s", mode: .publish)
        XCTAssertTrue(publisher.started, "publish accepted: \(publisher.statusCodes)")
        let player = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/s", mode: .play)
        XCTAssertTrue(player.started, "play accepted: \(player.statusCodes)")
        let sent = RecordedStream.first(2000)
        publisher.publish(sent)
        harness.advance(200)
        player.pump()
        let received = player.media
        // Every message arrives, in order, with the payloads as sent (the metadata is the
        // server's normalized onMetaData).
        let media = sent.filter { $0.typeId != 18 }
        XCTAssertEqual(received.filter { $0.typeId != 18 }.count, media.count)
        XCTAssertTrue(received.filter { $0.typeId != 18 }.map(\.payload) == media.map(\.payload), "payloads as sent")
        XCTAssertEqual(received.filter { $0.typeId != 18 }.map(\.timestamp), media.map(\.timestamp))
        let stream = try XCTUnwrap(harness.source("__defaultVhost__/live/s"))
        XCTAssertEqual(stream.publisherId, harness.server.clients.all.first { $0.isPublisher }?.id)
        XCTAssertEqual(stream.playerCount, 1)
    }

    /// A publisher whose audio comes 150 ms late: with `mix_correct on` (SRS 2.0) players get
    /// audio and video in timestamp order and every frame; without it, as sent.
    func testMixCorrectPutsLateAudioBackInOrder() throws {
        let late = RecordedStream.first(3000).enumerated().sorted { a, b in
            func key(_ item: (offset: Int, element: RTMPMessage)) -> (Int64, Int) {
                (item.element.timestamp + (item.element.typeId == 8 && item.offset > 3 ? 150 : 0), item.offset)
            }
            return key(a) < key(b)
        }.map(\.element)
        func regressions(_ messages: [RTMPMessage]) -> Int {
            let media = messages.filter { $0.typeId == 8 || $0.typeId == 9 }
            return zip(media, media.dropFirst()).filter { $1.timestamp < $0.timestamp }.count
        }
        XCTAssertGreaterThan(regressions(late), 20, "the publisher's interleaving is off")
        for mix in [true, false] {
            let harness = try AppHarness("vhost __defaultVhost__ { mw_latency 100; time_jitter off; mix_correct \(mix ? "on" : "off"); }")
            let publisher = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/s", mode: .publish)
            let player = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/s", mode: .play)
            publisher.publish(late)
            publisher.close()
            harness.advance(200)
            player.pump()
            let received = player.media.filter { $0.typeId == 8 || $0.typeId == 9 }
            XCTAssertEqual(received.count, late.filter { $0.typeId == 8 || $0.typeId == 9 }.count, "every frame, mix_correct \(mix)")
            if mix {
                XCTAssertEqual(regressions(received), 0, "in timestamp order")
            } else {
                XCTAssertEqual(regressions(received), regressions(late), "as sent")
            }
        }
    }

    func testLatePlayerStartsAtTheLastKeyframeWithHeaders() throws {
        let harness = try AppHarness(vhost)
        let publisher = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/g", mode: .publish)
        XCTAssertTrue(publisher.started)
        let sent = RecordedStream.first(2600)
        publisher.publish(sent)
        let player = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/g", mode: .play)
        XCTAssertTrue(player.started)
        let received = player.media
        let lastKeyframe = try XCTUnwrap(sent.last(where: RecordedStream.isKeyframe))
        // The metadata (and the play's data messages), then both sequence headers, then the
        // cached GOP from its keyframe on, rebased to start at 0 (time_jitter full).
        XCTAssertTrue(received.contains { $0.typeId == 18 && $0.payload.count > 100 }, "the publisher's onMetaData")
        let media = received.filter { $0.typeId != 18 }
        XCTAssertEqual(media.prefix(2).filter(RecordedStream.isSequenceHeader).count, 2, "both sequence headers before media")
        let frames = Array(media.dropFirst(2))
        XCTAssertTrue(frames.first?.payload == lastKeyframe.payload, "the first frame is the last keyframe")
        XCTAssertLessThanOrEqual(frames.first?.timestamp ?? .max, 40, "rebased near 0 (SRS's full jitter)")
        let gop = sent.filter { $0.typeId != 18 && !RecordedStream.isSequenceHeader($0) && $0.timestamp >= lastKeyframe.timestamp }
        XCTAssertEqual(frames.count, gop.count, "the whole GOP and nothing older")
    }

    /// Nobody plays: a stream with video keeps its last GOP only (what a new player starts
    /// from, as SRS's GOP cache), an audio-only stream its last three seconds (a new player's
    /// 115 frames). Memory per publisher: docs/performance.md.
    func testAnUnwatchedStreamKeepsWhatANewPlayerStartsFrom() throws {
        let harness = try AppHarness(vhost)
        let publisher = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/v", mode: .publish)
        let sent = RecordedStream.first(6000)  // with the end-of-sequence tag at the end, no place to start
        publisher.publish(sent)
        let video = try XCTUnwrap(harness.source("__defaultVhost__/live/v"))
        let lastKeyframe = try XCTUnwrap(sent.last(where: RecordedStream.isKeyframe))
        var kept: [SharedMessage] = []
        _ = video.ring.read(from: video.ring.tail, maxCount: 10_000, into: &kept)
        XCTAssertTrue(kept.first?.payload.elementsEqual(lastKeyframe.payload) == true, "the ring starts at the last keyframe \(lastKeyframe.timestamp): \(kept.map { "\($0.kind) \($0.timestamp) \($0.isKeyframe)" })")
        XCTAssertEqual(kept.count, sent.filter { $0.typeId != 18 && !RecordedStream.isSequenceHeader($0) && $0.timestamp >= lastKeyframe.timestamp }.count)

        let audioPublisher = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/a", mode: .publish)
        audioPublisher.publish(sent.filter { $0.typeId == 8 })
        let audio = try XCTUnwrap(harness.source("__defaultVhost__/live/a"))
        kept.removeAll()
        _ = audio.ring.read(from: audio.ring.tail, maxCount: 10_000, into: &kept)
        let span = (kept.last?.timestamp ?? 0) - (kept.first?.timestamp ?? 0)
        XCTAssertGreaterThanOrEqual(kept.count, 115, "a new audio player's start")
        XCTAssertTrue((2900...3000).contains(span), "three seconds of audio: \(span) ms")
    }

    func testWithoutGOPCacheALatePlayerStartsAtTheHead() throws {
        let harness = try AppHarness("vhost __defaultVhost__ { gop_cache off; mw_latency 100; }")
        let publisher = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/n", mode: .publish)
        publisher.publish(RecordedStream.first(1500))
        let player = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/n", mode: .play)
        XCTAssertTrue(player.media.allSatisfy { $0.typeId == 18 || RecordedStream.isSequenceHeader($0) },
                      "only the headers, no cached media: \(player.media.count)")
        let before = player.media.count
        let later = RecordedStream.messages.filter { $0.timestamp > 1500 && $0.timestamp <= 2500 }
        publisher.publish(later)
        harness.advance(200)
        player.pump()
        XCTAssertEqual(player.media.count - before, later.count, "exactly what was published after the player joined")
    }

    func testKickClosesTheClientAndReleasesTheStream() throws {
        let harness = try AppHarness(vhost)
        let publisher = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/k", mode: .publish)
        publisher.publish(RecordedStream.first(500))
        let id = try XCTUnwrap(harness.server.clients.all.first { $0.isPublisher }?.id)
        XCTAssertTrue(harness.server.clients.kick(id))
        harness.settle()
        XCTAssertTrue(publisher.closed)
        XCTAssertNil(harness.source("__defaultVhost__/live/k"), "a stream nobody uses is retired")
        XCTAssertFalse(harness.server.clients.kick(id), "an unknown id")
        XCTAssertEqual(harness.server.activeConnections, 0)
    }

    func testIdleClientsAndSilentPublishersTimeOutOnTheLoopClock() throws {
        let harness = try AppHarness("vhost __defaultVhost__ { publish { firstpkt_timeout 5000; normal_timeout 3000; } }")
        // A client that completes the handshake and then says nothing.
        let idle = MemoryTransport(loop: harness.loop)
        harness.server.accept(idle, as: .rtmp)
        harness.settle()
        harness.advance(9000)
        XCTAssertFalse(harness.loop.sync { idle.isClosed }, "the handshake deadline is 10 s")
        harness.advance(1500)
        XCTAssertTrue(harness.loop.sync { idle.isClosed }, "no handshake within 10 s")
        // A publisher that stops sending media.
        let publisher = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/t", mode: .publish)
        XCTAssertTrue(publisher.started)
        publisher.publish(RecordedStream.first(200))
        harness.advance(2500)
        XCTAssertFalse(publisher.closed)
        harness.advance(1200)
        XCTAssertTrue(publisher.closed, "no media for publish_normal_timeout")
        // A publisher that never sends its first packet.
        let silent = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/u", mode: .publish)
        XCTAssertTrue(silent.started)
        harness.advance(4000)
        XCTAssertFalse(silent.closed)
        harness.advance(2000)
        XCTAssertTrue(silent.closed, "no first packet within publish_1stpkt_timeout")
    }

    func testTheStreamMovesToItsPublishersLoopAndItsPlayersStay() throws {
        let harness = try AppHarness(vhost, loops: 2)
        // A player on loop 0 makes the stream there; the publisher lives on loop 1.
        let player = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/m", mode: .play, onLoop: 0)
        let stream = try XCTUnwrap(harness.source("__defaultVhost__/live/m"))
        XCTAssertTrue(stream.loop === harness.group.loops[0])
        let publisher = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/m", mode: .publish, onLoop: 1)
        XCTAssertTrue(publisher.started, "\(publisher.statusCodes)")
        XCTAssertTrue(stream.loop === harness.group.loops[1], "the stream moved to its publisher's loop")
        let sent = RecordedStream.first(1500)
        publisher.publish(sent)
        harness.advance(200)
        player.pump()
        XCTAssertEqual(player.media.filter { $0.typeId != 18 }.count, sent.filter { $0.typeId != 18 }.count,
                       "the player on the other loop gets every message")
        // A second publish from loop 0 moves it back; the player keeps playing.
        publisher.close()
        let again = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/m", mode: .publish, onLoop: 0)
        XCTAssertTrue(again.started)
        XCTAssertTrue(stream.loop === harness.group.loops[0])
        let before = player.media.count
        again.publish(RecordedStream.first(500))
        harness.advance(200)
        player.pump()
        XCTAssertGreaterThan(player.media.count, before)
    }

    func testSecondPublisherIsRefusedAndTheFirstKeepsTheStream() throws {
        let harness = try AppHarness(vhost)
        let first = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/b", mode: .publish)
        XCTAssertTrue(first.started)
        let second = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/b", mode: .publish)
        XCTAssertFalse(second.started)
        XCTAssertTrue(second.closed)
        XCTAssertFalse(first.closed)
        let player = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/b", mode: .play)
        first.publish(RecordedStream.first(400))
        harness.advance(200)
        player.pump()
        XCTAssertFalse(player.media.isEmpty, "the first publisher still feeds its players")
    }
}

/// Pithy lines: one per kind of client per interval, whichever loop has the clients.
final class PithyPrintTests: XCTestCase {
    private final class Client: ServerClient {
        let id: Int
        let pithyLine: String?
        init(_ id: Int, _ line: String) {
            self.id = id
            pithyLine = line
        }
        func checkTimeouts(now: Int64) {}
        func close(_ reason: String) {}
        func reloaded(_ config: ServerConfig) {}
    }

    /// Loop A (players only) ticks before loop B (the publisher) every second: the
    /// publisher's line still comes every interval (before, A used up its turn: a publisher
    /// got two lines in 15 minutes), and players take turns.
    func testEveryKindGetsItsLineEveryIntervalWhicheverLoopTicksFirst() {
        let pithy = PithyPrint(intervalMs: 1000)
        let loopA: [any ServerClient] = [Client(3, "-> PLA a"), Client(5, "-> PLA b")]
        let loopB: [any ServerClient] = [Client(4, "<- CPB s")]
        var lines: [String] = []
        for second in 1...10 {
            lines += pithy.report(connections: loopA, now: Int64(second) * 1000)
            lines += pithy.report(connections: loopB, now: Int64(second) * 1000 + 3)
        }
        XCTAssertEqual(lines.filter { $0.hasPrefix("<- CPB") }.count, 10)
        XCTAssertEqual(lines.filter { $0.hasPrefix("-> PLA") }, Array(repeating: ["-> PLA a", "-> PLA b"], count: 5).flatMap { $0 })
    }
}

/// The ffmpeg command lines, argument for argument as SRS 2.0's SrsFFMPEG::start builds them.
final class FFmpegCommandTests: XCTestCase {
    private func engine(_ body: String) throws -> FFmpegEngineConfig {
        let config = try ServerConfig.parse(text: "vhost v { transcode { enabled on; engine e { enabled on; \(body) } } }", file: "x.conf")
        return try XCTUnwrap(config.vhost(named: "v")?.transcodes.first?.engines.first)
    }

    func testSRSLogoEngine() throws {
        let engine = try engine("""
            vfilter { i ./doc/ffmpeg-logo.png; filter_complex 'overlay=10:10'; }
            vcodec libx264; vbitrate 300; vfps 20; vwidth 768; vheight 320; vthreads 2; vprofile baseline; vpreset superfast;
            vparams { t 100; coder 1; b_strategy 2; bf 3; refs 10; }
            acodec libfdk_aac; abitrate 45; asample_rate 44100; achannels 2; aparams { profile:a aac_low; }
            output rtmp://127.0.0.1:[port]/[app]?vhost=[vhost]/[stream]_[engine];
            """)
        let output = FFmpegCommand.render(engine.output, vhost: "__defaultVhost__", port: 1935, app: "live", stream: "livestream", engine: "e")
        XCTAssertEqual(output, "rtmp://127.0.0.1:1935/live?vhost=__defaultVhost__/livestream_e")
        let input = "rtmp://127.0.0.1:1935/live?vhost=__defaultVhost__/livestream"
        XCTAssertEqual(FFmpegCommand.transcode(ffmpeg: "./objs/ffmpeg/bin/ffmpeg", engine: engine, input: input, output: output).argv, [
            "./objs/ffmpeg/bin/ffmpeg", "-f", "flv", "-i", input,
            "-i", "./doc/ffmpeg-logo.png", "-filter_complex", "overlay=10:10",
            "-vcodec", "libx264", "-b:v", "300000", "-r", "20.00", "-s", "768x320", "-aspect", "768:320", "-threads", "2",
            "-profile:v", "baseline", "-preset", "superfast", "-t", "100", "-coder", "1", "-b_strategy", "2", "-bf", "3", "-refs", "10",
            "-acodec", "libfdk_aac", "-b:a", "45000", "-ar", "44100", "-ac", "2", "-profile:a", "aac_low",
            "-f", "flv", "-y", output,
        ])
        XCTAssertEqual(FFmpegCommand.streamPath(ofRTMPURL: output), "live/livestream_e")
    }

    func testCopyDropAndAudioOnlyEngines() throws {
        let copy = try engine("vcodec copy; acodec copy; aparams { bsf:a aac_adtstoasc; ar 8000; } output rtmp://h/a/s;")
        XCTAssertEqual(FFmpegCommand.transcode(ffmpeg: "ffmpeg", engine: copy, input: "rtmp://i/a/s", output: "rtmp://h/a/s").argv,
                       ["ffmpeg", "-f", "flv", "-i", "rtmp://i/a/s", "-vcodec", "copy", "-acodec", "copy", "-bsf:a", "aac_adtstoasc", "-f", "flv", "-y", "rtmp://h/a/s"])
        let audio = try engine("vcodec vn; acodec aac; abitrate 64; oformat off; output rtmp://h/a/s;")
        XCTAssertEqual(FFmpegCommand.transcode(ffmpeg: "ffmpeg", engine: audio, input: "udp://x", output: "o").argv,
                       ["ffmpeg", "-i", "udp://x", "-vn", "-acodec", "aac", "-b:a", "64000", "-y", "o"], "no -f for a non-RTMP input, oformat off")
    }

    func testIngestFileCopiesAtRealTimePace() throws {
        var disabled = FFmpegEngineConfig()
        disabled.output = "rtmp://127.0.0.1:1935/live/s"
        XCTAssertEqual(FFmpegCommand.ingest(ffmpeg: "ffmpeg", type: .file, engine: disabled, input: "a.flv", output: disabled.output).argv,
                       ["ffmpeg", "-re", "-i", "a.flv", "-vcodec", "copy", "-acodec", "copy", "-f", "flv", "-y", "rtmp://127.0.0.1:1935/live/s"])
        XCTAssertEqual(FFmpegCommand.ingest(ffmpeg: "ffmpeg", type: .stream, engine: disabled, input: "http://x/a.flv", output: "o").argv,
                       ["ffmpeg", "-i", "http://x/a.flv", "-vcodec", "copy", "-acodec", "copy", "-f", "flv", "-y", "o"])
        XCTAssertEqual(FFmpegCommand.binary("./objs/ffmpeg/bin/ffmpeg"), "ffmpeg", "SRS's own build is not there: PATH's")
        XCTAssertEqual(FFmpegCommand.binary("/bin/sh"), "/bin/sh")
    }
}
