import Foundation
import XCTest

/// Stream casters with real encoders: ffmpeg sends MPEG-TS over UDP; the stream plays as RTMP
/// and HTTP-FLV; garbage datagrams hurt nothing.
final class CasterTests: XCTestCase {
    override func tearDown() {
        TestProcesses.shared.killAll()
        super.tearDown()
    }

    func testMPEGTSOverUDPPlaysAsRTMPAndHTTPFLVAndGarbageHurtsNothing() throws {
        let udpPort = ServerProcess.freePort()
        let httpPort = ServerProcess.freePort()
        let server = try ServerProcess(body: """
            stream_caster { enabled on; caster mpegts_over_udp; output rtmp://127.0.0.1/live/udp; listen \(udpPort); }
            vhost __defaultVhost__ { http_remux { enabled on; mount [vhost]/[app]/[stream].flv; } }
            """, head: "http_server { enabled on; listen \(httpPort); dir \(NSTemporaryDirectory()); }")
        let fixture = try MediaFixtures.path(.h264AAC)
        let published = try MediaFixtures.countFrames(fixture)
        // Players wait for the stream before it is sent.
        let rtmpCopy = server.directory + "/rtmp.flv"
        let flvCopy = server.directory + "/http.flv"
        let rtmpPlayer = try ExternalTool.start("ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", server.url("live/udp"), "-c", "copy",
                                                           "-t", "12", rtmpCopy], logFile: server.directory + "/rtmp-player.log")
        let flvPlayer = try ExternalTool.start("ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", "http://127.0.0.1:\(httpPort)/live/udp.flv",
                                                          "-c", "copy", "-t", "12", flvCopy], logFile: server.directory + "/flv-player.log")
        sleep(1)
        // Garbage on the port before, and while, the encoder sends.
        let garbage = """
            import os, socket, sys, time
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            for i in range(300):
                s.sendto(os.urandom(1 + i * 7 % 1400) if i % 3 else b'\\x47' + os.urandom(187), ('127.0.0.1', int(sys.argv[1])))
                time.sleep(0.02)
            """
        try garbage.write(toFile: server.directory + "/garbage.py", atomically: true, encoding: .utf8)
        let noise = try ExternalTool.start("python3", [server.directory + "/garbage.py", "\(udpPort)"], logFile: server.directory + "/garbage.log")
        let encoder = try ExternalTool.start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-re", "-i", fixture, "-c", "copy", "-f", "mpegts",
                                                        "udp://127.0.0.1:\(udpPort)?pkt_size=1316"], logFile: server.directory + "/encoder.log")
        XCTAssertTrue(ExternalTool.wait(encoder, timeout: 30))
        XCTAssertTrue(ExternalTool.wait(noise, timeout: 30))
        XCTAssertTrue(ExternalTool.wait(rtmpPlayer, timeout: 20))
        XCTAssertTrue(ExternalTool.wait(flvPlayer, timeout: 20))
        for copy in [rtmpCopy, flvCopy] {
            let frames = try MediaFixtures.countFrames(copy)
            XCTAssertEqual(frames.errors, "", "ffprobe is silent on \(copy)")
            XCTAssertEqual(frames.video, published.video, accuracy: MediaFixtures.gopFrames, "video within one GOP: \(copy)")
            XCTAssertEqual(frames.audio, published.audio, accuracy: MediaFixtures.gopFrames * 44100 / 1024 / MediaFixtures.frameRate, "audio: \(copy)")
        }
        XCTAssertTrue(server.isRunning)
        XCTAssertTrue(server.log.contains("stream_caster publish __defaultVhost__/live/udp"))
        // The encoder stopped: the publish ends after the idle time, and a new one starts.
        sleep(6)
        XCTAssertTrue(server.log.contains("stream_caster unpublish __defaultVhost__/live/udp"))
        let again = try ExternalTool.start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-re", "-t", "4", "-i", fixture, "-c", "copy", "-f", "mpegts",
                                                      "udp://127.0.0.1:\(udpPort)?pkt_size=1316"], logFile: server.directory + "/encoder2.log")
        let replay = try LiveStreamTools.play(server.url("live/udp"), seconds: 2, directory: server.directory)
        XCTAssertGreaterThan(replay.video, 20, "a new publish after the idle end")
        _ = ExternalTool.wait(again, timeout: 10)
    }
}
