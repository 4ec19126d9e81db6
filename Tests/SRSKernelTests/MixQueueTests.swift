import XCTest
@testable import SRSKernel

final class MixQueueTests: XCTestCase {
    private func video(_ t: Int64) -> SharedMessage { SharedMessage(kind: .video, timestamp: t, payload: [0x27, 0x01, 0, 0, 0]) }
    private func audio(_ t: Int64) -> SharedMessage { SharedMessage(kind: .audio, timestamp: t, payload: [0xAF, 0x01, 0x00]) }
    private func order(_ out: [SharedMessage]) -> [String] { out.map { "\($0.kind == .video ? "v" : "a")\($0.timestamp)" } }

    /// Video runs ahead of audio: the output is in timestamp order, one out per message in
    /// once both kinds are queued (SRS's SrsMixQueue::pop).
    func testPutsAudioAndVideoBackInTimestampOrder() {
        var queue = MixQueue()
        var out: [SharedMessage] = []
        for message in [video(0), video(40), video(80), audio(0), audio(23), video(120), audio(46), audio(69), audio(92), video(160)] {
            out += queue.push(message)
        }
        out += queue.drain()
        XCTAssertEqual(order(out), ["v0", "a0", "a23", "v40", "a46", "a69", "v80", "a92", "v120", "v160"])
        XCTAssertEqual(queue.count, 0)
    }

    /// Without the other kind, messages wait until ten are queued; sequence headers and data
    /// pass at once.
    func testPureStreamsAndHeaders() {
        var queue = MixQueue()
        let header = SharedMessage(kind: .video, timestamp: 0, payload: [0x17, 0x00, 0, 0, 0, 1])
        XCTAssertEqual(queue.push(header).count, 1)
        for t in 0..<9 { XCTAssertTrue(queue.push(video(Int64(t) * 40)).isEmpty) }
        XCTAssertEqual(order(queue.push(video(360))), ["v0"])
        XCTAssertEqual(queue.count, 9)
    }
}
