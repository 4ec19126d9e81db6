import Foundation
import XCTest

/// Players of streams nobody publishes: they wait (as in SRS) without leaving state behind,
/// and their number is bounded.
final class WaitingPlayerTests: XCTestCase {
    override func tearDown() {
        TestProcesses.shared.killAll()
        super.tearDown()
    }

    /// 1,000 players of random names nobody publishes, over RTMP and HTTP-FLV, on a vhost
    /// with HLS and HTTP-FLV, beside a published stream: after they leave, the API lists only
    /// the published stream and the server's memory is back within 5 MB of before.
    func testAThousandPlayersOfUnpublishedNamesLeaveNothingBehind() throws {
        let httpPort = ServerProcess.freePort()
        let apiPort = ServerProcess.freePort()
        let root = NSTemporaryDirectory() + "swiftsrs-ghosts-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
        let server = try ServerProcess(body: """
            vhost __defaultVhost__ { queue_length 2; hls { enabled on; hls_path \(root); } http_remux { enabled on; mount [vhost]/[app]/[stream].flv; } }
            """, head: """
            max_connections 3000; http_api { enabled on; listen \(apiPort); } http_server { enabled on; listen \(httpPort); dir \(root); }
            """)
        _ = try LiveStreamTools.publish(server.url("live/published"), log: server.directory + "/publisher.log")
        func streamNames() throws -> [String] {
            let result = try ExternalTool.run("curl", ["-s", "--max-time", "10", "http://127.0.0.1:\(apiPort)/api/v1/streams/"], timeout: 15)
            let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
            return ((object?["streams"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }.sorted()
        }
        let script = """
            import socket, sys, time, uuid
            sockets = []
            for i in range(int(sys.argv[2])):
                s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
                s.sendall(('GET /live/%s.flv HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n' % uuid.uuid4().hex).encode())
                sockets.append(s)
            for s in sockets:
                s.settimeout(10)
                assert s.recv(4096).startswith(b'HTTP/1.1 200'), 'a waiting HTTP-FLV player gets its headers'
            time.sleep(2)
            for s in sockets: s.close()
            """
        try script.write(toFile: server.directory + "/players.py", atomically: true, encoding: .utf8)
        func round(_ count: Int) throws {
            let http = try ExternalTool.start("python3", [server.directory + "/players.py", "\(httpPort)", "\(count)"],
                                              logFile: server.directory + "/players.log")
            var players: [TestRTMPClient] = []
            for _ in 0..<count {
                let player = try TestRTMPClient(port: server.port, path: "live/\(UUID().uuidString.prefix(12))")
                XCTAssertTrue(try player.start(timeout: 10), "a waiting RTMP player is started, as SRS does")
                players.append(player)
            }
            XCTAssertTrue(ExternalTool.wait(http, timeout: 60))
            XCTAssertEqual(http.terminationStatus, 0, (try? String(contentsOfFile: server.directory + "/players.log", encoding: .utf8)) ?? "")
            XCTAssertGreaterThan(try streamNames().count, count, "while they wait, their streams exist")
            players.removeAll()
            sleep(6)  // a statistics period (5 s) gives freed memory back to the system
            XCTAssertEqual(try streamNames(), ["published"], "only the published stream is left")
        }
        // Warm-up: the first burst of 1,000 clients runs code for the first time (3 MB of
        // libcrypto and server pages then count in RSS) and makes glibc give two threads
        // arenas of their own (4 MB, reused by every later burst); what is measured is what
        // a burst leaves behind once the server has seen one.
        try round(500)
        let before = try LiveStreamTools.residentKB(server.pid)
        try round(500)
        let after = try LiveStreamTools.residentKB(server.pid)
        print("RSS after a first burst \(before) kB, after 1,000 more players left \(after) kB")
        XCTAssertLessThan(after - before, 5 * 1024, "RSS \(before) kB before, \(after) kB after")
        XCTAssertTrue(server.log.contains("nobody has published this stream; the player waits until a publisher sends rtmp://"))
    }
}
