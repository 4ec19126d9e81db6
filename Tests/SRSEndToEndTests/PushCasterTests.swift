import Foundation
import XCTest

/// The casters encoders push to over TCP: RTSP (ffmpeg over TCP-interleaved and over UDP, a
/// hand-made pusher that loses packets, a truncated request) and FLV over HTTP POST (ffmpeg,
/// curl); and the HLS ingest, which pulls another server's live playlist. Each stream plays
/// as RTMP; bad clients hurt nothing.
final class PushCasterTests: XCTestCase {
    override func tearDown() {
        TestProcesses.shared.killAll()
        super.tearDown()
    }

    /// Seconds of media each encoder sends.
    private let seconds = 8
    /// Seconds each player copies.
    private var played: Int { seconds - 1 }

    /// ffmpeg copies `limit` seconds of the RTMP stream to a file. (A player stays attached to
    /// an unpublished stream, as in SRS, and ffmpeg then cannot be stopped cleanly: the players
    /// copy less than the encoders send.)
    private func startPlayer(_ server: ServerProcess, _ path: String, limit: Int) throws -> (Process, String) {
        let copy = server.directory + "/" + path.replacingOccurrences(of: "/", with: "-") + ".flv"
        let player = try ExternalTool.start("ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", server.url(path), "-c", "copy",
                                                       "-t", "\(limit)", copy], logFile: copy + ".log")
        return (player, copy)
    }

    /// The player's copy holds `played` seconds, within one GOP, and decodes without an error.
    private func assertWithinOneGOP(_ copy: String, audio expectAudio: Bool = true, file: StaticString = #filePath, line: UInt = #line) throws {
        let frames = try MediaFixtures.countFrames(copy)
        XCTAssertEqual(frames.errors, "", "ffprobe is silent on \(copy)", file: file, line: line)
        XCTAssertEqual(frames.video, played * MediaFixtures.frameRate, accuracy: MediaFixtures.gopFrames, "video within one GOP: \(copy)", file: file, line: line)
        if expectAudio {
            let audio = played * 44100 / 1024
            XCTAssertEqual(frames.audio, audio, accuracy: MediaFixtures.gopFrames * 44100 / 1024 / MediaFixtures.frameRate, "audio: \(copy)", file: file, line: line)
        }
    }

    func testRTSPPushOverTCPAndUDPPlaysAsRTMPWhileBadClientsHurtNothing() throws {
        let rtspPort = ServerProcess.freePort()
        let rtpBase = 20000 + Int.random(in: 0..<2000) * 2
        let server = try ServerProcess(body: """
            stream_caster { enabled on; caster rtsp; output rtmp://127.0.0.1/[app]/[stream]; listen \(rtspPort);
                            rtp_port_min \(rtpBase); rtp_port_max \(rtpBase + 40); }
            vhost __defaultVhost__ { }
            """)
        // Players wait before the encoders start.
        let (tcpPlayer, tcpCopy) = try startPlayer(server, "live/tcp", limit: played)
        let (udpPlayer, udpCopy) = try startPlayer(server, "live/udp", limit: played)
        let (lossyPlayer, lossyCopy) = try startPlayer(server, "live/lossy", limit: played)
        sleep(1)
        // x264 veryfast with B-frames and stereo AAC over TCP; ultrafast and mono AAC over UDP.
        let tcp = try ExternalTool.start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-re", "-t", "\(seconds)", "-i", try MediaFixtures.path(.bframesAAC30s),
                                                    "-c", "copy", "-f", "rtsp", "-rtsp_transport", "tcp", "rtsp://127.0.0.1:\(rtspPort)/live/tcp"],
                                         logFile: server.directory + "/tcp-encoder.log")
        let udp = try ExternalTool.start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-re", "-t", "\(seconds)", "-i", try MediaFixtures.path(.h264AAC),
                                                    "-c", "copy", "-f", "rtsp", "-rtsp_transport", "udp", "rtsp://127.0.0.1:\(rtspPort)/live/udp"],
                                         logFile: server.directory + "/udp-encoder.log")
        // A pusher that loses one RTP packet in 40, and clients that send garbage or stop mid-request.
        let annexB = server.directory + "/video.h264"
        let extract = try ExternalTool.run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-i", try MediaFixtures.path(.h264AAC), "-an", "-c:v", "copy",
                                                      "-bsf:v", "h264_mp4toannexb", "-f", "h264", annexB], timeout: 30)
        XCTAssertEqual(extract.status, 0, extract.output)
        try Self.lossyPusher.write(toFile: server.directory + "/lossy.py", atomically: true, encoding: .utf8)
        let lossy = try ExternalTool.start("python3", [server.directory + "/lossy.py", "\(rtspPort)", annexB], logFile: server.directory + "/lossy.log")
        try Self.badClients.write(toFile: server.directory + "/bad.py", atomically: true, encoding: .utf8)
        let bad = try ExternalTool.run("python3", [server.directory + "/bad.py", "\(rtspPort)"], timeout: 30)
        XCTAssertEqual(bad.status, 0, bad.output)
        XCTAssertTrue(bad.output.contains("RTSP/1.0 400"), "garbage is answered 400: \(bad.output)")
        XCTAssertTrue(bad.output.contains("RTSP/1.0 405"), "PLAY is not for a push server: \(bad.output)")

        for process in [tcp, udp, lossy] { XCTAssertTrue(ExternalTool.wait(process, timeout: 30)) }
        XCTAssertEqual(tcp.terminationStatus, 0, (try? String(contentsOfFile: server.directory + "/tcp-encoder.log", encoding: .utf8)) ?? "")
        XCTAssertEqual(udp.terminationStatus, 0, (try? String(contentsOfFile: server.directory + "/udp-encoder.log", encoding: .utf8)) ?? "")
        XCTAssertEqual(lossy.terminationStatus, 0, (try? String(contentsOfFile: server.directory + "/lossy.log", encoding: .utf8)) ?? "")
        for player in [tcpPlayer, udpPlayer, lossyPlayer] { XCTAssertTrue(ExternalTool.wait(player, timeout: 10)) }
        try assertWithinOneGOP(tcpCopy)
        try assertWithinOneGOP(udpCopy)
        let lossyPackets = try ExternalTool.run("ffprobe", ["-v", "error", "-count_packets", "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", lossyCopy],
                                                timeout: 20)
        let received = Int(lossyPackets.output.split(separator: "\n").first ?? "") ?? 0
        XCTAssertGreaterThan(received, seconds * MediaFixtures.frameRate / 2, "the lossy stream still plays: \(lossyPackets.output)")
        XCTAssertTrue(server.isRunning)
        XCTAssertTrue(server.log.contains("RTSP publish __defaultVhost__/live/tcp"), "over TCP")
        XCTAssertTrue(server.log.contains("udp \(rtpBase)"), "UDP ports of the range")
        XCTAssertTrue(server.log.contains("RTSP unpublish"))
    }

    func testFLVOverHTTPPOSTPlaysAsRTMP() throws {
        let flvPort = ServerProcess.freePort()
        let server = try ServerProcess(body: """
            stream_caster { enabled on; caster flv; output rtmp://127.0.0.1/[app]/[stream]; listen \(flvPort); }
            vhost __defaultVhost__ { }
            """)
        let (player, copy) = try startPlayer(server, "live/post", limit: played)
        sleep(1)
        let encoder = try ExternalTool.start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-re", "-t", "\(seconds)", "-i", try MediaFixtures.path(.bframesAAC30s),
                                                        "-c", "copy", "-f", "flv", "-method", "POST", "http://127.0.0.1:\(flvPort)/live/post.flv"],
                                             logFile: server.directory + "/encoder.log")
        XCTAssertTrue(ExternalTool.wait(encoder, timeout: 30))
        XCTAssertEqual(encoder.terminationStatus, 0, (try? String(contentsOfFile: server.directory + "/encoder.log", encoding: .utf8)) ?? "")
        XCTAssertTrue(ExternalTool.wait(player, timeout: 10))
        try assertWithinOneGOP(copy)

        // curl POSTs a whole file with a Content-Length; a player that waited gets it all.
        let (curlPlayer, curlCopy) = try startPlayer(server, "live/curl", limit: 4)
        sleep(1)
        let fixture = try MediaFixtures.path(.h264AAC)
        let posted = try ExternalTool.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--data-binary", "@" + fixture, "-H", "Content-Type: video/x-flv",
                                                   "http://127.0.0.1:\(flvPort)/live/curl.flv"], timeout: 20)
        XCTAssertEqual(posted.output, "200")
        XCTAssertTrue(ExternalTool.wait(curlPlayer, timeout: 10))
        let frames = try MediaFixtures.countFrames(curlCopy)
        XCTAssertGreaterThan(frames.video, MediaFixtures.gopFrames, "the posted file plays")
        // Wrong method, wrong path, not FLV.
        let get = try ExternalTool.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(flvPort)/live/x.flv"], timeout: 10)
        XCTAssertEqual(get.output, "405")
        let path = try ExternalTool.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--data-binary", "x", "http://127.0.0.1:\(flvPort)/x.flv"], timeout: 10)
        XCTAssertEqual(path.output, "404")
        let notFLV = try ExternalTool.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--data-binary", "not an flv stream",
                                                   "http://127.0.0.1:\(flvPort)/live/bad.flv"], timeout: 10)
        XCTAssertEqual(notFLV.output, "400")
        XCTAssertTrue(server.isRunning)
    }

    func testHLSIngestOfAnotherServersLivePlaylistPlaysAsRTMP() throws {
        // The source: a server that writes HLS of what ffmpeg publishes and serves it over HTTP.
        let root = NSTemporaryDirectory() + "swiftsrs-hls-source-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let sourceHTTP = ServerProcess.freePort()
        let source = try ServerProcess(body: "vhost __defaultVhost__ { hls { enabled on; hls_fragment 2; hls_window 60; hls_path \(root); } }",
                                       head: "http_server { enabled on; listen \(sourceHTTP); dir \(root); }")
        // The ingesting server; a second ingest points at a playlist that does not exist.
        let ingesting = try ServerProcess(body: """
            vhost __defaultVhost__ {
                ingest hls { enabled on; input { type hls; url http://127.0.0.1:\(sourceHTTP)/live/src.m3u8; }
                             engine { enabled off; output rtmp://127.0.0.1:[port]/live?vhost=[vhost]/ingested; } }
                ingest missing { enabled on; input { type hls; url http://127.0.0.1:\(sourceHTTP)/live/none.m3u8; }
                                 engine { enabled off; output rtmp://127.0.0.1:[port]/live/none; } }
            }
            """)
        let (player, copy) = try startPlayer(ingesting, "live/ingested", limit: played)
        let encoder = try ExternalTool.start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-re", "-t", "\(seconds)", "-i", try MediaFixtures.path(.bframesAAC30s),
                                                        "-c", "copy", "-f", "flv", source.url("live/src")], logFile: source.directory + "/encoder.log")
        XCTAssertTrue(ExternalTool.wait(encoder, timeout: 30))
        // The ingest is about a segment behind the source, paced at real time.
        XCTAssertTrue(ExternalTool.wait(player, timeout: 20), "the player got \(played) s of the ingested stream")
        // Within one segment (2 s) of what the source published.
        try assertWithinOneGOP(copy)
        XCTAssertTrue(ingesting.log.contains("publish __defaultVhost__/live/ingested from http://127.0.0.1:\(sourceHTTP)/live/src.m3u8"), "in-process publish")
        XCTAssertTrue(ingesting.log.contains("none.m3u8: HTTP 404"), "a missing playlist is logged and asked again")
        XCTAssertTrue(ingesting.isRunning && source.isRunning)
    }

    /// RTSP over TCP by hand: ANNOUNCE an H.264 track, SETUP interleaved, RECORD, then the
    /// Annex B file as RTP (single NAL units and FU-A) at 25 fps, one packet in 40 never sent.
    static let lossyPusher = #"""
        import base64, socket, struct, sys, time
        port, path = int(sys.argv[1]), sys.argv[2]
        data = open(path, 'rb').read()
        nals, i = [], data.find(b'\x00\x00\x01')
        while i >= 0:
            j = data.find(b'\x00\x00\x01', i + 3)
            nal = data[i + 3:j if j >= 0 else len(data)].rstrip(b'\x00')
            if nal: nals.append(nal)
            i = j
        sps = next(n for n in nals if n[0] & 0x1F == 7)
        pps = next(n for n in nals if n[0] & 0x1F == 8)
        s = socket.create_connection(('127.0.0.1', port))
        cseq = 0
        def request(method, uri, headers='', body=b''):
            global cseq
            cseq += 1
            head = f'{method} {uri} RTSP/1.0\r\nCSeq: {cseq}\r\n{headers}'
            if body: head += f'Content-Length: {len(body)}\r\n'
            s.sendall(head.encode() + b'\r\n' + body)
            reply = b''
            while b'\r\n\r\n' not in reply: reply += s.recv(4096)
            assert reply.startswith(b'RTSP/1.0 200'), reply
            return reply
        url = f'rtsp://127.0.0.1:{port}/live/lossy'
        sets = base64.b64encode(sps).decode() + ',' + base64.b64encode(pps).decode()
        sdp = f'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=lossy\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1; sprop-parameter-sets={sets}\r\na=control:track1\r\n'
        request('ANNOUNCE', url, 'Content-Type: application/sdp\r\n', sdp.encode())
        reply = request('SETUP', url + '/track1', 'Transport: RTP/AVP/TCP;unicast;interleaved=0-1;mode=record\r\n')
        session = [l for l in reply.decode().split('\r\n') if l.startswith('Session:')][0].split(':', 1)[1].split(';')[0].strip()
        request('RECORD', url, f'Session: {session}\r\nRange: npt=0.000-\r\n')
        seq, ts, sent = 0, 0, 0
        def send(payload, marker):
            global seq, sent
            seq += 1
            if seq % 40 == 0: return
            rtp = struct.pack('>BBHII', 0x80, (0x80 if marker else 0) | 96, seq & 0xFFFF, ts & 0xFFFFFFFF, 0x1234) + payload
            s.sendall(b'$\x00' + struct.pack('>H', len(rtp)) + rtp)
            sent += 1
        start = time.time()
        frames = 0
        for nal in nals:
            kind = nal[0] & 0x1F
            vcl = kind in (1, 5)
            if len(nal) <= 1400:
                send(nal, vcl)
            else:
                body = nal[1:]
                for k in range(0, len(body), 1400):
                    piece = body[k:k + 1400]
                    header = (0x80 if k == 0 else 0) | (0x40 if k + 1400 >= len(body) else 0) | kind
                    send(bytes([nal[0] & 0xE0 | 28, header]) + piece, vcl and k + 1400 >= len(body))
            if vcl:
                frames += 1
                ts += 3600
                delay = start + frames / 25 - time.time()
                if delay > 0: time.sleep(delay)
        request('TEARDOWN', url, f'Session: {session}\r\n')
        print('sent', sent, 'packets of', seq)
        """#

    /// Clients that must not hurt anyone: garbage, a request cut in the middle, PLAY.
    static let badClients = #"""
        import socket, sys, time
        port = int(sys.argv[1])
        def exchange(data, close_early=False):
            s = socket.create_connection(('127.0.0.1', port))
            s.sendall(data)
            if close_early:
                time.sleep(0.2)
                s.close()
                return b''
            s.settimeout(5)
            reply = b''
            try:
                while True:
                    chunk = s.recv(4096)
                    if not chunk: break
                    reply += chunk
                    if b'\r\n\r\n' in reply: break
            except socket.timeout:
                pass
            s.close()
            return reply
        print(exchange(b'\x16\x03\x01 not rtsp at all\r\n\r\n').decode(errors='replace'))
        print(exchange(b'ANNOUNCE rtsp://127.0.0.1/live/cut RTSP/1.0\r\nCSeq: 1\r\nContent-Length: 500\r\n\r\nv=0\r\n', close_early=True))
        print(exchange(b'OPTIONS rtsp://127.0.0.1/live/x RTSP/1.0\r\nCSeq: 1\r\nUser-Ag', close_early=True))
        print(exchange(b'PLAY rtsp://127.0.0.1/live/tcp RTSP/1.0\r\nCSeq: 1\r\n\r\n').decode(errors='replace'))
        """#
}
