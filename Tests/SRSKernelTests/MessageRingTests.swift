import XCTest
@testable import SRSKernel

final class MessageRingTests: XCTestCase {
    private func limits(span: Int64 = 1_000_000, gop: Bool = true, messages: Int = 100_000, bytes: Int = 100_000_000)
        -> MessageRing.Limits
    {
        MessageRing.Limits(maxSpanMs: span, keepLastGOP: gop, maxMessages: messages, maxBytes: bytes)
    }

    private func keyframe(_ ts: Int64, size: Int = 5) -> SharedMessage {
        SharedMessage(kind: .video, timestamp: ts, payload: [0x17, 0x01] + [UInt8](repeating: 0, count: size - 2))
    }
    private func interframe(_ ts: Int64, size: Int = 5) -> SharedMessage {
        SharedMessage(kind: .video, timestamp: ts, payload: [0x27, 0x01] + [UInt8](repeating: 0, count: size - 2))
    }
    private func audio(_ ts: Int64, size: Int = 4) -> SharedMessage {
        SharedMessage(kind: .audio, timestamp: ts, payload: [0xAF, 0x01] + [UInt8](repeating: 0, count: size - 2))
    }
    private let videoHeader = SharedMessage(kind: .video, timestamp: 0, payload: [0x17, 0x00, 0x00, 0x00, 0x00, 0x01])
    private let audioHeader = SharedMessage(kind: .audio, timestamp: 0, payload: [0xAF, 0x00, 0x12, 0x10])
    private let metadata = SharedMessage(kind: .data, timestamp: 0, payload: [0x02, 0x00, 0x0A] + Array("onMetaData".utf8))

    private func readAll(_ ring: MessageRing, from cursor: Int, max: Int = 1000) -> (MessageRing.ReadResult, [SharedMessage]) {
        var batch: [SharedMessage] = []
        let result = ring.read(from: cursor, maxCount: max, into: &batch)
        return (result, batch)
    }

    func testReadStopsAtTheByteBound() {
        let ring = MessageRing(limits: limits())
        for i in 0..<6 { ring.append(audio(Int64(i * 20), size: 100)) }
        var batch: [SharedMessage] = []
        var result = ring.read(from: 0, maxCount: 10, maxBytes: 250, into: &batch)
        XCTAssertEqual(batch.count, 3, "stops after the message that reaches 250 bytes")
        XCTAssertEqual(result.nextCursor, 3)
        batch.removeAll()
        result = ring.read(from: 3, maxCount: 10, maxBytes: 1, into: &batch)
        XCTAssertEqual(batch.count, 1, "at least one message")
        XCTAssertEqual(result.nextCursor, 4)
    }

    func testAppendReturnsSequenceNumbersAndReadsInBatches() {
        let ring = MessageRing(limits: limits())
        for i in 0..<5 { XCTAssertEqual(ring.append(audio(Int64(i * 20))), i) }
        XCTAssertEqual(ring.head, 5)
        XCTAssertEqual(ring.tail, 0)
        XCTAssertEqual(ring.count, 5)
        XCTAssertEqual(ring.byteCount, 20)

        var batch: [SharedMessage] = []
        var result = ring.read(from: 0, maxCount: 2, into: &batch)
        XCTAssertEqual(batch.map(\.timestamp), [0, 20])
        XCTAssertEqual(result.nextCursor, 2)
        XCTAssertFalse(result.skipped)
        XCTAssertNil(result.headers)
        XCTAssertEqual(result.droppedMessages, 0)

        result = ring.read(from: result.nextCursor, maxCount: 2, into: &batch)
        XCTAssertEqual(batch.map(\.timestamp), [0, 20, 40, 60], "read appends to the batch")
        result = ring.read(from: result.nextCursor, maxCount: 2, into: &batch)
        XCTAssertEqual(batch.map(\.timestamp), [0, 20, 40, 60, 80])
        XCTAssertEqual(result.nextCursor, 5)

        let (atHead, none) = readAll(ring, from: 5)
        XCTAssertTrue(none.isEmpty)
        XCTAssertEqual(atHead.nextCursor, 5)
        XCTAssertFalse(atHead.skipped)
    }

    func testBatchAppendMatchesSingleAppends() {
        let messages = [metadata, videoHeader, audioHeader, keyframe(0), audio(10), interframe(40), keyframe(80), audio(90)]
        let batched = MessageRing(limits: limits(span: 50))
        batched.append(contentsOf: messages)
        let single = MessageRing(limits: limits(span: 50))
        for message in messages { single.append(message) }
        XCTAssertEqual(batched.head, single.head)
        XCTAssertEqual(batched.tail, single.tail)
        XCTAssertEqual(batched.byteCount, single.byteCount)
        XCTAssertEqual(batched.startCursor().cursor, 6, "the last keyframe")
        XCTAssertEqual(batched.startCursor().cursor, single.startCursor().cursor)
        XCTAssertTrue(batched.headers.audioSequenceHeader === audioHeader)
        XCTAssertTrue(batched.headers.metadata === metadata)
        let (_, read) = readAll(batched, from: batched.tail)
        XCTAssertEqual(read.map(\.timestamp), readAll(single, from: single.tail).1.map(\.timestamp))
    }

    func testReadReturnsTheSameSharedInstances() {
        let ring = MessageRing(limits: limits())
        let message = keyframe(0)
        ring.append(message)
        let (_, batch) = readAll(ring, from: 0)
        XCTAssertTrue(batch.first === message)
    }

    func testGrowingPastInitialCapacityKeepsOrder() {
        let ring = MessageRing(limits: limits(), initialCapacity: 16)
        for i in 0..<100 { ring.append(audio(Int64(i))) }
        let (result, batch) = readAll(ring, from: 0)
        XCTAssertEqual(batch.map(\.timestamp), (0..<100).map(Int64.init))
        XCTAssertEqual(result.nextCursor, 100)
    }

    func testWrapAroundAfterTrimKeepsOrder() {
        let ring = MessageRing(limits: limits(messages: 10), initialCapacity: 16)
        for i in 0..<37 { ring.append(audio(Int64(i))) }
        XCTAssertEqual(ring.tail, 27)
        let (_, batch) = readAll(ring, from: 27)
        XCTAssertEqual(batch.map(\.timestamp), (27..<37).map(Int64.init))
    }

    func testStartCursorIsLastKeyframeWhenKeepingGOP() {
        let ring = MessageRing(limits: limits(gop: true))
        ring.append(videoHeader)
        ring.append(keyframe(0))
        ring.append(interframe(40))
        let second = ring.append(keyframe(80))
        ring.append(interframe(120))
        ring.append(audio(130))
        let start = ring.startCursor()
        XCTAssertEqual(start.cursor, second)
        XCTAssertTrue(start.headers.videoSequenceHeader === videoHeader)
        let (_, batch) = readAll(ring, from: start.cursor)
        XCTAssertEqual(batch.map(\.timestamp), [80, 120, 130])
        XCTAssertTrue(batch.first?.isKeyframe ?? false)
    }

    func testStartCursorIsHeadWhenNotKeepingGOP() {
        let ring = MessageRing(limits: limits(gop: false))
        ring.append(keyframe(0))
        ring.append(interframe(40))
        XCTAssertEqual(ring.startCursor().cursor, 2)
        XCTAssertEqual(ring.startCursor().cursor, ring.head)
    }

    func testSequenceHeaderIsNotAGOPStart() {
        let ring = MessageRing(limits: limits(gop: true))
        ring.append(videoHeader)
        ring.append(interframe(40))
        // Video without a keyframe: new players wait for the next one.
        XCTAssertEqual(ring.startCursor().cursor, 2)
    }

    func testLimitsCanBeChanged() {
        let ring = MessageRing(limits: limits(gop: true))
        ring.append(keyframe(0))
        ring.append(interframe(40))
        XCTAssertEqual(ring.startCursor().cursor, 0)
        ring.limits = limits(gop: false)
        XCTAssertEqual(ring.limits.keepLastGOP, false)
        XCTAssertEqual(ring.startCursor().cursor, 2)
    }

    func testTrimByMaxSpanWithoutGOP() {
        let ring = MessageRing(limits: limits(span: 100, gop: false))
        for ts in stride(from: Int64(0), through: 200, by: 50) { ring.append(interframe(ts)) }
        // 200 - 100 = 100 is within the span; 50 and 0 are not.
        XCTAssertEqual(ring.tail, 2)
        XCTAssertEqual(ring.count, 3)
        XCTAssertEqual(ring.byteCount, 15)
        XCTAssertEqual(ring.pendingSpan(from: 0)?.messages, 3)
        XCTAssertEqual(ring.pendingSpan(from: 0)?.spanMs, 100)
    }

    func testKeyframesAreTrimmedBySpanWhenNotKeepingGOP() {
        let ring = MessageRing(limits: limits(span: 100, gop: false))
        ring.append(keyframe(0))
        for ts in stride(from: Int64(40), through: 1000, by: 40) { ring.append(interframe(ts)) }
        XCTAssertGreaterThan(ring.tail, 0)
        let (_, batch) = readAll(ring, from: ring.tail)
        XCTAssertLessThanOrEqual(1000 - (batch.first?.timestamp ?? 0), 100)
    }

    func testSpanTrimNeverCutsIntoTheLastGOP() {
        let ring = MessageRing(limits: limits(span: 100, gop: true))
        let key = ring.append(keyframe(0))
        for ts in stride(from: Int64(40), through: 1000, by: 40) { ring.append(interframe(ts)) }
        // The GOP spans 1000 ms > 100 ms, but it is the last GOP: all of it is kept.
        XCTAssertEqual(ring.tail, key)
        XCTAssertEqual(ring.count, 26)
        XCTAssertEqual(ring.startCursor().cursor, key)
    }

    func testSpanTrimDropsOlderGOPsUpToTheSpan() {
        let ring = MessageRing(limits: limits(span: 100, gop: true))
        ring.append(keyframe(0))
        for ts in stride(from: Int64(40), through: 1000, by: 40) { ring.append(interframe(ts)) }
        let newKey = ring.append(keyframe(1040))
        // Everything older than 1040 - 100 = 940 goes; 960 and 1000 stay (within the span).
        let (_, batch) = readAll(ring, from: ring.tail)
        XCTAssertEqual(batch.map(\.timestamp), [960, 1000, 1040])
        XCTAssertEqual(ring.startCursor().cursor, newKey)
        // Without new keyframes, the tail stops at the keyframe however long the GOP gets.
        for ts in stride(from: Int64(1080), through: 5000, by: 40) { ring.append(interframe(ts)) }
        XCTAssertEqual(ring.tail, newKey)
    }

    func testHardCapOnMessageCountAppliesEvenInsideTheGOP() {
        let ring = MessageRing(limits: limits(gop: true, messages: 4))
        ring.append(keyframe(0))
        for i in 1..<10 { ring.append(interframe(Int64(i * 40))) }
        XCTAssertEqual(ring.count, 4)
        XCTAssertEqual(ring.tail, 6)
        // The keyframe is gone: a new player waits at the head for the next one.
        XCTAssertEqual(ring.startCursor().cursor, ring.head)
    }

    func testHardCapOnBytes() {
        let ring = MessageRing(limits: limits(gop: true, bytes: 35))
        ring.append(keyframe(0, size: 10))
        for i in 1..<6 { ring.append(interframe(Int64(i), size: 10)) }
        XCTAssertEqual(ring.byteCount, 30)
        XCTAssertEqual(ring.count, 3)
        XCTAssertEqual(ring.tail, 3)
    }

    func testConsumerBehindTailSkipsToNewestKeyframeWithHeaders() {
        let ring = MessageRing(limits: limits(gop: true, messages: 8))
        ring.append(metadata)            // 0
        ring.append(videoHeader)         // 1
        ring.append(audioHeader)         // 2
        ring.append(keyframe(0))         // 3
        for i in 1...5 { ring.append(interframe(Int64(i * 40))) }  // 4...8
        let newest = ring.append(keyframe(240))                   // 9
        ring.append(interframe(280))                              // 10
        ring.append(audio(290))                                   // 11
        XCTAssertEqual(ring.tail, 4)

        var batch: [SharedMessage] = []
        let result = ring.read(from: 1, maxCount: 100, into: &batch)
        XCTAssertTrue(result.skipped)
        XCTAssertEqual(result.droppedMessages, newest - 1)
        XCTAssertEqual(result.nextCursor, 12)
        XCTAssertEqual(batch.map(\.timestamp), [240, 280, 290])
        guard let headers = result.headers else { return XCTFail("no headers on skip") }
        XCTAssertTrue(headers.metadata === metadata)
        XCTAssertTrue(headers.videoSequenceHeader === videoHeader)
        XCTAssertTrue(headers.audioSequenceHeader === audioHeader)
        XCTAssertEqual(headers.all.count, 3)
        XCTAssertTrue(headers.all[0] === metadata)
    }

    func testConsumerBehindTailWithoutKeyframeJumpsToHead() {
        let ring = MessageRing(limits: limits(gop: true, messages: 3))
        for i in 0..<10 { ring.append(audio(Int64(i))) }
        let (result, batch) = readAll(ring, from: 2)
        XCTAssertTrue(result.skipped)
        XCTAssertEqual(result.droppedMessages, 8)
        XCTAssertTrue(batch.isEmpty)
        XCTAssertEqual(result.nextCursor, 10)
    }

    func testCursorAheadOfHeadIsSkipped() {
        let ring = MessageRing(limits: limits())
        ring.append(keyframe(0))
        let (result, _) = readAll(ring, from: 50)
        XCTAssertTrue(result.skipped)
        XCTAssertEqual(result.droppedMessages, 0)
        XCTAssertEqual(result.nextCursor, 1)
    }

    func testSequenceHeadersAndMetadataAreCached() {
        let ring = MessageRing(limits: limits())
        XCTAssertTrue(ring.headers.all.isEmpty)
        ring.append(metadata)
        ring.append(videoHeader)
        ring.append(audioHeader)
        ring.append(audio(10))            // a raw AAC frame does not replace the header
        ring.append(keyframe(20))         // nor does a keyframe
        let headers = ring.headers
        XCTAssertTrue(headers.metadata === metadata)
        XCTAssertTrue(headers.videoSequenceHeader === videoHeader)
        XCTAssertTrue(headers.audioSequenceHeader === audioHeader)

        let newVideoHeader = SharedMessage(kind: .video, timestamp: 30, payload: [0x17, 0x00, 0x01])
        ring.append(newVideoHeader)
        XCTAssertTrue(ring.headers.videoSequenceHeader === newVideoHeader)
        XCTAssertTrue(ring.startCursor().headers.videoSequenceHeader === newVideoHeader)
    }

    func testResetClearsMessagesAndHeaders() {
        let ring = MessageRing(limits: limits())
        ring.append(metadata)
        ring.append(videoHeader)
        ring.append(audioHeader)
        ring.append(keyframe(0))
        ring.reset()
        XCTAssertTrue(ring.headers.all.isEmpty)
        XCTAssertEqual(ring.count, 0)
        XCTAssertEqual(ring.byteCount, 0)
        XCTAssertEqual(ring.head, 4, "sequence numbers are never reused")
        XCTAssertEqual(ring.tail, 4)
        XCTAssertEqual(ring.startCursor().cursor, 4)
        XCTAssertNil(ring.pendingSpan(from: 0))
        XCTAssertEqual(ring.append(audio(0)), 4)
    }

    func testReaderBeforeResetIsSkippedToHead() {
        let ring = MessageRing(limits: limits())
        ring.append(keyframe(0))
        ring.append(interframe(40))
        ring.reset()
        let (result, batch) = readAll(ring, from: 0)
        XCTAssertTrue(result.skipped)
        XCTAssertTrue(batch.isEmpty)
        XCTAssertEqual(result.nextCursor, 2)
        XCTAssertTrue(result.headers?.all.isEmpty ?? false)
    }

    func testAudioOnlyStartGivesTheLastMessagesWhenKeepingGOP() {
        XCTAssertEqual(MessageRing.audioOnlyStartMessages, 115)
        let ring = MessageRing(limits: limits(gop: true))
        for i in 0..<200 { ring.append(audio(Int64(i * 23))) }
        XCTAssertEqual(ring.startCursor().cursor, 200 - 115)
    }

    func testAudioOnlyStartWithFewMessagesIsTheTail() {
        let ring = MessageRing(limits: limits(gop: true))
        for i in 0..<50 { ring.append(audio(Int64(i * 23))) }
        XCTAssertEqual(ring.startCursor().cursor, 0)
    }

    func testAudioOnlyStartIsHeadWhenNotKeepingGOP() {
        let ring = MessageRing(limits: limits(gop: false))
        for i in 0..<200 { ring.append(audio(Int64(i * 23))) }
        XCTAssertEqual(ring.startCursor().cursor, 200)
    }

    func testPendingSpan() {
        let ring = MessageRing(limits: limits())
        XCTAssertNil(ring.pendingSpan(from: 0))
        ring.append(audio(100))
        ring.append(audio(150))
        ring.append(audio(400))
        XCTAssertEqual(ring.pendingSpan(from: 0)?.messages, 3)
        XCTAssertEqual(ring.pendingSpan(from: 0)?.spanMs, 300)
        XCTAssertEqual(ring.pendingSpan(from: 1)?.spanMs, 250)
        XCTAssertNil(ring.pendingSpan(from: 3))
    }

    func testManyGOPsKeepStartCursorCorrect() {
        // Exercise the keyframe index compaction (more than 64 trimmed keyframes).
        let ring = MessageRing(limits: limits(span: 50, gop: true))
        var lastKey = 0
        for gop in 0..<300 {
            lastKey = ring.append(keyframe(Int64(gop * 100)))
            ring.append(interframe(Int64(gop * 100 + 40)))
        }
        XCTAssertEqual(ring.startCursor().cursor, lastKey)
        XCTAssertEqual(ring.tail, lastKey)
        let (result, batch) = readAll(ring, from: 0)
        XCTAssertTrue(result.skipped)
        XCTAssertEqual(batch.map(\.timestamp), [29900, 29940])
    }
}
