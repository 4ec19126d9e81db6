import Foundation
import SRSKernel
import XCTest

/// SRS's RTMP bandwidth test, end to end with a client written here after SRS's
/// srs_lib_bandwidth.cpp: the whole exchange, the rates under `limit_kbps`, the key and the
/// interval.
final class BandcheckTests: XCTestCase {
    override func tearDown() {
        TestProcesses.shared.killAll()
        super.tearDown()
    }

    private struct Outcome {
        var summary: AMF0Value
        var clientPlayKbps: Double
        var startLimit: Double
    }

    /// Waits for a command named `name` (other commands are dropped), or fails.
    private func expect(_ name: String, from client: TestRTMPClient, timeout: TimeInterval = 15) throws -> AMF0Value {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let call = client.takeCalls().first(where: { $0.name == name }) { return call.arguments.first ?? .null }
            guard try client.pump(timeout: 0.2, until: { client.calls.contains { $0.name == name } }) else {
                throw TestFailure("the server closed while \(name) was awaited; statuses \(client.statuses)")
            }
        }
        throw TestFailure("no \(name) within \(timeout) s")
    }

    private func packet(_ name: String, _ data: [AMF0Property] = []) -> [AMF0Value] {
        [.string(name), 0, .null, .object(data)]
    }

    /// One test, as SRS's client runs it, except that it publishes as fast as the server reads.
    private func runTest(port: Int, path: String, leaveAtOnce: Bool = false) throws -> Outcome {
        let client = try TestRTMPClient(port: port, path: path, mode: .connect)
        XCTAssertTrue(try client.start(timeout: 10), "connect: \(client.statuses)")
        let start = try expect("onSrsBandCheckStartPlayBytes", from: client)
        let limit = start["limit_kbps"]?.numberValue ?? 0
        client.call(packet("onSrsBandCheckStartingPlayBytes"))
        let playStart = Date()
        let bytesAtStart = client.session.bytesReceived
        _ = try expect("onSrsBandCheckStopPlayBytes", from: client)
        let playSeconds = Date().timeIntervalSince(playStart)
        let clientPlayKbps = Double(client.session.bytesReceived - bytesAtStart) * 8 / 1000 / playSeconds
        client.call(packet("onSrsBandCheckStoppedPlayBytes"))
        let publish = try expect("onSrsBandCheckStartPublishBytes", from: client)
        let duration = (publish["duration_ms"]?.numberValue ?? 0) / 1000
        XCTAssertEqual(duration, 3)
        client.call(packet("onSrsBandCheckStartingPublishBytes"))
        // Publishing packets of 50 entries (~3 KB) as fast as the socket takes them.
        let entries = (0..<50).map { AMF0Property(String($0), "SRS band check data from client's publishing......") }
        let publishUntil = Date().addingTimeInterval(duration)
        while Date() < publishUntil { client.call(packet("onSrsBandCheckPublishing", entries)) }
        client.call(packet("onSrsBandCheckStopPublishBytes"))
        _ = try expect("onSrsBandCheckStopPublishBytes", from: client)
        client.call(packet("onSrsBandCheckStoppedPublishBytes"))
        let summary = try expect("onSrsBandCheckFinished", from: client)
        client.call(packet("finalClientPacket"))
        if leaveAtOnce {
            // SRS's own client closes right after finalClientPacket, before the server's close.
            return Outcome(summary: summary, clientPlayKbps: clientPlayKbps, startLimit: limit)
        }
        XCTAssertTrue(client.waitForClose(timeout: 5), "the server closes after the test")
        return Outcome(summary: summary, clientPlayKbps: clientPlayKbps, startLimit: limit)
    }

    func testTheExchangeCompletesUnderTheLimitAndTheKeyAndIntervalAreEnforced() throws {
        let server = try ServerProcess(body: """
            vhost __defaultVhost__ { }
            vhost bandcheck.test { bandcheck { enabled on; key "35c9b402c12a"; interval 30; limit_kbps 1000; } }
            vhost fast.test { bandcheck { enabled on; key "k2"; interval 0; limit_kbps 20000; } }
            """)
        let outcome = try runTest(port: server.port, path: "app?vhost=bandcheck.test&key=35c9b402c12a/s")
        print("bandcheck at limit_kbps 1000: server \(outcome.summary), client-measured play \(Int(outcome.clientPlayKbps)) kbps")
        XCTAssertEqual(outcome.startLimit, 1000)
        let play = try XCTUnwrap(outcome.summary["play_kbps"]?.numberValue)
        let publish = try XCTUnwrap(outcome.summary["publish_kbps"]?.numberValue)
        XCTAssertGreaterThan(play, 500, "\(outcome.summary)")
        XCTAssertGreaterThan(publish, 500, "\(outcome.summary)")
        XCTAssertLessThan(play, 1100, "played under 1.1 Mbps")
        XCTAssertLessThan(publish, 1100, "read under 1.1 Mbps from a client that sends as fast as it can")
        XCTAssertLessThan(outcome.clientPlayKbps, 1100, "the client measured it too")
        XCTAssertGreaterThan(try XCTUnwrap(outcome.summary["play_bytes"]?.numberValue), 200_000)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(outcome.summary["publish_time"]?.numberValue), 2900)
        XCTAssertGreaterThan(try XCTUnwrap(outcome.summary["end_time"]?.numberValue), try XCTUnwrap(outcome.summary["start_time"]?.numberValue))

        // Within the interval: refused.
        let again = try TestRTMPClient(port: server.port, path: "app?vhost=bandcheck.test&key=35c9b402c12a/s", mode: .connect)
        XCTAssertFalse(try again.start(timeout: 5))
        XCTAssertTrue(again.statuses.contains("NetConnection.Connect.Rejected"), "\(again.statuses)")
        // A wrong key: refused.
        let wrong = try TestRTMPClient(port: server.port, path: "app?vhost=fast.test&key=nope/s", mode: .connect)
        XCTAssertFalse(try wrong.start(timeout: 5))
        XCTAssertTrue(wrong.statuses.contains("NetConnection.Connect.Rejected"), "\(wrong.statuses)")
        // A higher limit is a higher rate; other vhosts keep their own interval.
        let fast = try runTest(port: server.port, path: "app?vhost=fast.test&key=k2/s")
        print("bandcheck at limit_kbps 20000: server \(fast.summary), client-measured play \(Int(fast.clientPlayKbps)) kbps")
        XCTAssertGreaterThan(try XCTUnwrap(fast.summary["play_kbps"]?.numberValue), 2 * play)
        XCTAssertLessThan(try XCTUnwrap(fast.summary["play_kbps"]?.numberValue), 22_000)
        XCTAssertTrue(server.log.contains("bandcheck: done"), server.log)
        // A client that leaves at once after the exchange: the server's delayed close finds
        // the connection gone (it once crashed there).
        _ = try runTest(port: server.port, path: "app?vhost=fast.test&key=k2/s", leaveAtOnce: true)
        Thread.sleep(forTimeInterval: 1.5)
        XCTAssertTrue(server.isRunning, server.log)
        XCTAssertEqual(server.stop(), 0)
    }
}
