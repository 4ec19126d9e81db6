import SRSKernel
import SRSRTMP
import XCTest

final class BandwidthCheckTests: XCTestCase {
    private func names(_ messages: [RTMPMessage]) -> [String] {
        messages.compactMap { try? AMF0Decoder.decodeAll($0.payload).first?.stringValue }
    }

    private func data(_ message: RTMPMessage) throws -> AMF0Value {
        try XCTUnwrap(AMF0Decoder.decodeAll(message.payload).dropFirst(3).first)
    }

    func testTheWholeExchangeInSRSOrderWithThePlayRateUnderTheLimit() throws {
        var check = BandwidthCheck(limitKbps: 1000, durationMs: 3000, isFlash: false)
        let start = check.start(now: 0, wallMs: 1_000_000)
        XCTAssertEqual(names(start), [BandwidthCheck.Command.startPlay])
        XCTAssertEqual(try data(start[0])["limit_kbps"]?.numberValue, 1000)
        XCTAssertEqual(try data(start[0])["duration_ms"]?.numberValue, 3000)
        XCTAssertEqual(check.tick(now: 5, wallMs: 0, sent: 100, received: 100, canSend: true), [], "nothing is played before the client is ready")
        XCTAssertEqual(check.received(BandwidthCheck.Command.startingPlay, now: 10, wallMs: 0, sent: 1000, received: 500), [])
        // Play: every 10 ms, packets while the bytes sent stay under 1000 kbps = 125 bytes/ms.
        var sent: UInt64 = 1000
        var now: Int64 = 10
        while check.phase == .playing {
            now += 10
            while true {
                let packets = check.tick(now: now, wallMs: 0, sent: sent, received: 500, canSend: true)
                if packets.isEmpty { break }
                sent += UInt64(packets.reduce(0) { $0 + $1.payload.count })
                if check.phase != .playing {
                    XCTAssertEqual(names(packets), [BandwidthCheck.Command.stopPlay])
                    break
                }
                XCTAssertEqual(names(packets), [BandwidthCheck.Command.playing])
            }
        }
        XCTAssertEqual(now, 3010)
        XCTAssertGreaterThan(check.result.playKbps, 800)
        XCTAssertLessThanOrEqual(check.result.playKbps, 1050, "paced to the limit (one packet over at most)")
        let startPublish = check.received(BandwidthCheck.Command.stoppedPlay, now: 3020, wallMs: 0, sent: sent, received: 600)
        XCTAssertEqual(names(startPublish), [BandwidthCheck.Command.startPublish])
        XCTAssertEqual(check.received(BandwidthCheck.Command.startingPublish, now: 3030, wallMs: 0, sent: sent, received: 700), [])
        XCTAssertEqual(check.readPauseMs(now: 3130, received: 700 + 12_000, headroomBytes: 0), 0, "12,000 bytes in 100 ms is 960 kbps")
        XCTAssertEqual(check.readPauseMs(now: 3130, received: 700 + 13_000, headroomBytes: 0), 4, "13,000 bytes are due at 104 ms")
        XCTAssertEqual(check.readPauseMs(now: 3130, received: 700 + 12_000, headroomBytes: 12_500), 96, "and with a read of headroom at 196 ms")
        XCTAssertEqual(check.received(BandwidthCheck.Command.publishing, now: 4000, wallMs: 0, sent: sent, received: 90_000), [])
        let stop = check.received(BandwidthCheck.Command.stopPublish, now: 6030, wallMs: 0, sent: sent, received: 300_700)
        XCTAssertEqual(names(stop), [BandwidthCheck.Command.stopPublish])
        XCTAssertEqual(check.result.publishBytes, 300_000)
        XCTAssertEqual(check.result.publishKbps, 800)
        let finished = check.received(BandwidthCheck.Command.stoppedPublish, now: 6040, wallMs: 1_006_040, sent: sent, received: 300_800)
        XCTAssertEqual(names(finished), [BandwidthCheck.Command.finished])
        let summary = try data(finished[0])
        XCTAssertEqual(summary["publish_kbps"]?.numberValue, 800)
        XCTAssertEqual(summary["play_kbps"]?.numberValue, Double(check.result.playKbps))
        XCTAssertEqual(summary["start_time"]?.numberValue, 1_000_000)
        XCTAssertEqual(summary["end_time"]?.numberValue, 1_006_040)
        XCTAssertEqual(check.phase, .awaitingFinal)
        XCTAssertEqual(check.received(BandwidthCheck.Command.final, now: 6050, wallMs: 0, sent: sent, received: 300_900), [])
        XCTAssertEqual(check.phase, .done)
    }

    func testPublishEndsOnTimeAndAFlashClientIsNotWaitedFor() {
        var check = BandwidthCheck(limitKbps: 500, durationMs: 100, isFlash: true)
        _ = check.start(now: 0, wallMs: 0)
        _ = check.received(BandwidthCheck.Command.startingPlay, now: 0, wallMs: 0, sent: 0, received: 0)
        _ = check.tick(now: 100, wallMs: 0, sent: 0, received: 0, canSend: true)
        _ = check.received(BandwidthCheck.Command.stoppedPlay, now: 100, wallMs: 0, sent: 0, received: 0)
        _ = check.received(BandwidthCheck.Command.startingPublish, now: 100, wallMs: 0, sent: 0, received: 0)
        XCTAssertEqual(check.tick(now: 150, wallMs: 0, sent: 0, received: 10, canSend: true), [])
        let end = check.tick(now: 200, wallMs: 0, sent: 0, received: 5000, canSend: true)
        XCTAssertEqual(names(end), [BandwidthCheck.Command.stopPublish, BandwidthCheck.Command.finished])
        XCTAssertEqual(check.result.publishKbps, 400)
        XCTAssertEqual(check.phase, .done)
    }

    func testOutOfOrderCommandsChangeNothing() {
        var check = BandwidthCheck(limitKbps: 1000, isFlash: false)
        _ = check.start(now: 0, wallMs: 0)
        XCTAssertEqual(check.received(BandwidthCheck.Command.stoppedPublish, now: 1, wallMs: 0, sent: 0, received: 0), [])
        XCTAssertEqual(check.received(BandwidthCheck.Command.final, now: 1, wallMs: 0, sent: 0, received: 0), [])
        XCTAssertEqual(check.phase, .awaitingPlayStart)
    }
}
