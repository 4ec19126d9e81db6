import XCTest
import SRSKernel
@testable import SRSRTMP

/// A minimal in-memory RTMP client that drives an RTMPServerSession.
private final class TestClient {
    let session: RTMPServerSession
    var encoder = ChunkEncoder(chunkSize: 128)
    var decoder = ChunkDecoder()
    var clientDigest: [UInt8] = []
    var s1: [UInt8] = []
    var s2: [UInt8] = []

    init(configuration: RTMPServerSession.Configuration = .init()) {
        session = RTMPServerSession(configuration: configuration)
    }

    /// Complex handshake: C0C1 from Handshake.clientHello, then C2 from clientResponse(s1:).
    @discardableResult
    func handshake() throws -> [RTMPServerEvent] {
        let hello = Handshake.clientHello()
        clientDigest = hello.digest
        var events = try session.feed(hello.bytes)
        let output = session.takeOutput()
        guard output.count == 1 + 2 * Handshake.packetSize else {
            XCTFail("S0S1S2 of \(output.count) bytes")
            return events
        }
        s1 = Array(output[1..<1537])
        s2 = Array(output[1537...])
        events += try session.feed(Handshake.clientResponse(s1: s1))
        return events
    }

    func send(_ message: RTMPMessage) throws -> [RTMPServerEvent] {
        try session.feed(encoder.encode(message))
    }

    func command(_ values: [AMF0Value], streamId: UInt32 = 0) throws -> [RTMPServerEvent] {
        try send(.command(values, streamId: streamId))
    }

    /// Decodes what the server sent since the last call (applying its Set Chunk Size).
    func received() throws -> [RTMPMessage] {
        try decoder.feed(session.takeOutput())
    }

    static let ffmpegConnect: [AMF0Value] = [
        "connect", 1,
        .object([
            AMF0Property("app", "live"),
            AMF0Property("type", "nonprivate"),
            AMF0Property("flashVer", "FMLE/3.0 (compatible; FMSc/1.0)"),
            AMF0Property("tcUrl", "rtmp://127.0.0.1:1935/live"),
        ]),
    ]

    /// Handshake, connect, acceptConnect; drains the replies.
    func connected(_ connect: [AMF0Value] = TestClient.ffmpegConnect) throws -> TestClient {
        try handshake()
        _ = try command(connect)
        session.acceptConnect()
        _ = try received()
        return self
    }
}

private func amf(_ message: RTMPMessage?, file: StaticString = #filePath, line: UInt = #line) -> [AMF0Value] {
    guard let message else {
        XCTFail("no message", file: file, line: line)
        return []
    }
    do { return try AMF0Decoder.decodeAll(message.amf0Body()) } catch {
        XCTFail("bad AMF0 in reply: \(error)", file: file, line: line)
        return []
    }
}

private func onlyEvent(_ events: [RTMPServerEvent], file: StaticString = #filePath, line: UInt = #line) -> RTMPServerEvent? {
    XCTAssertEqual(events.count, 1, "events: \(events)", file: file, line: line)
    return events.first
}

final class RTMPServerSessionTests: XCTestCase {
    // MARK: Handshake

    func testComplexHandshake() throws {
        let client = TestClient()
        let hello = Handshake.clientHello()
        let events = try client.session.feed(hello.bytes)
        guard case .handshakeDone(let complex)? = onlyEvent(events) else { return XCTFail("no handshakeDone: \(events)") }
        XCTAssertTrue(complex)
        let output = client.session.takeOutput()
        XCTAssertEqual(output.count, 3073)
        XCTAssertEqual(output.first, 3)
        XCTAssertNotNil(Handshake.verifyServerDigest(Array(output[1..<1537])))
        XCTAssertTrue(Handshake.verifySignedResponse(Array(output[1537...]), ourDigest: hello.digest, key: HandshakeCrypto.serverKey))
        XCTAssertFalse(client.session.hasOutput)

        let afterC2 = try client.session.feed(Handshake.clientResponse(s1: Array(output[1..<1537])))
        XCTAssertTrue(afterC2.isEmpty)
        XCTAssertFalse(client.session.hasOutput)
        XCTAssertFalse(client.session.isConnected)
        XCTAssertEqual(client.session.bytesReceived, 1537 + 1536)
    }

    func testSimpleHandshakeEchoesC1() throws {
        let session = RTMPServerSession()
        let c1 = (0..<1536).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let events = try session.feed([3] + c1)
        guard case .handshakeDone(let complex)? = onlyEvent(events) else { return XCTFail("no handshakeDone") }
        XCTAssertFalse(complex)
        XCTAssertEqual(Array(session.takeOutput()[1537...]), c1)
    }

    func testHandshakeFedOneByteAtATime() throws {
        let session = RTMPServerSession()
        let hello = Handshake.clientHello()
        var doneAt: [Int] = []
        for (index, byte) in hello.bytes.enumerated() {
            let events = try session.feed([byte])
            if case .handshakeDone(complex: true)? = events.first { doneAt.append(index) }
            if index < 1536 { XCTAssertFalse(session.hasOutput) }
        }
        XCTAssertEqual(doneAt, [1536])
        XCTAssertEqual(session.takeOutput().count, 3073)
    }

    func testC0C1C2AndConnectInOneRead() throws {
        let session = RTMPServerSession()
        var bytes: [UInt8] = [3] + [UInt8](repeating: 0, count: 1536) + [UInt8](repeating: 0, count: 1536)
        bytes += ChunkEncoder().encode(.command(TestClient.ffmpegConnect))
        let events = try session.feed(bytes)
        XCTAssertEqual(events.count, 2)
        guard case .handshakeDone(complex: false)? = events.first else { return XCTFail("events: \(events)") }
        guard case .connect(let request)? = events.last else { return XCTFail("events: \(events)") }
        XCTAssertEqual(request.app, "live")
    }

    func testC0WithOtherVersionThrows() {
        let session = RTMPServerSession()
        assertThrowsRTMPError(try session.feed([6] + [UInt8](repeating: 0, count: 1536)))
    }

    // MARK: connect

    func testConnectEventParsesRequest() throws {
        let client = TestClient()
        try client.handshake()
        let events = try client.command(TestClient.ffmpegConnect)
        guard case .connect(let request)? = onlyEvent(events) else { return XCTFail("no connect: \(events)") }
        XCTAssertEqual(request.app, "live")
        XCTAssertEqual(request.vhost, "127.0.0.1")
        XCTAssertEqual(request.host, "127.0.0.1")
        XCTAssertEqual(request.port, 1935)
        XCTAssertEqual(request.tcUrl, "rtmp://127.0.0.1:1935/live")
        XCTAssertEqual(request.schema, "rtmp")
        XCTAssertEqual(client.session.request, request)
        XCTAssertTrue(client.session.isConnected)
        XCTAssertFalse(client.session.hasOutput, "nothing is sent before the application decides")
    }

    func testConnectWithVhostQueryAndOptionalFields() throws {
        let client = TestClient()
        try client.handshake()
        let events = try client.command(["connect", 1, .object([
            AMF0Property("app", "live?vhost=v1"),
            AMF0Property("tcUrl", "rtmp://10.0.0.1:1936/live?vhost=v1"),
            AMF0Property("pageUrl", "http://page"),
            AMF0Property("swfUrl", "http://swf"),
            AMF0Property("objectEncoding", 3),
        ])])
        guard case .connect(let request)? = onlyEvent(events) else { return XCTFail("no connect") }
        XCTAssertEqual(request.vhost, "v1")
        XCTAssertEqual(request.app, "live")
        XCTAssertEqual(request.port, 1936)
        XCTAssertEqual(request.param, "?vhost=v1")
        XCTAssertEqual(request.pageUrl, "http://page")
        XCTAssertEqual(request.swfUrl, "http://swf")
        XCTAssertEqual(request.objectEncoding, 3)
    }

    func testAcceptConnectReplies() throws {
        let client = TestClient()
        try client.handshake()
        _ = try client.command(TestClient.ffmpegConnect)
        client.session.acceptConnect()
        let replies = try client.received()
        XCTAssertEqual(replies.map(\.typeId), [5, 6, 1, 20, 20])
        guard replies.count == 5 else { return }
        XCTAssertEqual(replies[0].payload, [0x00, 0x26, 0x25, 0xA0], "Window Ack Size 2500000")
        XCTAssertEqual(replies[1].payload, [0x00, 0x26, 0x25, 0xA0, 0x02], "Set Peer Bandwidth 2500000, dynamic")
        XCTAssertEqual(replies[2].payload, [0x00, 0x00, 0xEA, 0x60], "Set Chunk Size 60000")
        XCTAssertEqual(client.decoder.chunkSize, 60000)
        XCTAssertEqual(client.session.outChunkSize, 60000)
        XCTAssertGreaterThan(replies[3].payload.count, 128, "the _result needs the new chunk size")

        let result = amf(replies[3])
        XCTAssertEqual(result.count, 4)
        XCTAssertEqual(result.first, "_result")
        XCTAssertEqual(result.dropFirst().first, .number(1))
        XCTAssertEqual(result.dropFirst(2).first?["fmsVer"], "FMS/3,5,3,888")
        XCTAssertEqual(result.dropFirst(2).first?["capabilities"], 127)
        let information = result.last
        XCTAssertEqual(information?["code"], "NetConnection.Connect.Success")
        XCTAssertEqual(information?["level"], "status")
        XCTAssertEqual(information?["objectEncoding"], 0)
        XCTAssertEqual(information?["data"]?["srs_server"], "SwiftSRS/2.0.0")
        XCTAssertEqual(amf(replies[4]), ["onBWDone", 0, .null])
        XCTAssertEqual(replies[3].streamId, 0)
    }

    func testConnectResultEchoesTransactionId() throws {
        let client = TestClient()
        try client.handshake()
        var connect = TestClient.ffmpegConnect
        connect[1] = 7
        _ = try client.command(connect)
        client.session.acceptConnect()
        let result = try client.received().filter { $0.typeId == 20 }.first
        XCTAssertEqual(amf(result).dropFirst().first, .number(7))
    }

    func testConfigurationChangesAnnouncedValues() throws {
        var configuration = RTMPServerSession.Configuration()
        configuration.outChunkSize = 4096
        configuration.windowAckSize = 100_000
        configuration.peerBandwidth = 200_000
        let client = TestClient(configuration: configuration)
        try client.handshake()
        _ = try client.command(TestClient.ffmpegConnect)
        client.session.acceptConnect()
        let replies = try client.received()
        XCTAssertEqual(replies.prefix(3).map(\.payload), [[0, 0x01, 0x86, 0xA0], [0, 0x03, 0x0D, 0x40, 0x02], [0, 0, 0x10, 0x00]])
        XCTAssertEqual(client.session.outChunkSize, 4096)
    }

    func testRejectConnect() throws {
        let client = TestClient()
        try client.handshake()
        _ = try client.command(TestClient.ffmpegConnect)
        client.session.rejectConnect("go away")
        let replies = try client.received()
        XCTAssertEqual(replies.count, 1)
        let values = amf(replies.first)
        XCTAssertEqual(values.first, "_error")
        XCTAssertEqual(values.last?["code"], "NetConnection.Connect.Rejected")
        XCTAssertEqual(values.last?["description"], "go away")
    }

    func testMalformedAMFInConnectThrows() throws {
        let client = TestClient()
        try client.handshake()
        let truncated = RTMPMessage(typeId: 20, payload: [0x02, 0x00, 0x07, 0x63, 0x6F, 0x6E])
        assertThrowsRTMPError(try client.send(truncated))
    }

    func testConnectWithoutCommandObjectOrTcUrlThrows() throws {
        let noObject = TestClient()
        try noObject.handshake()
        assertThrowsRTMPError(try noObject.command(["connect", 1, .null]))
        let noTcUrl = TestClient()
        try noTcUrl.handshake()
        assertThrowsRTMPError(try noTcUrl.command(["connect", 1, .object([AMF0Property("app", "live")])]))
    }

    func testConnectTwiceThrows() throws {
        let client = try TestClient().connected()
        assertThrowsRTMPError(try client.command(TestClient.ffmpegConnect))
    }

    func testCommandWhoseFirstValueIsNotANameThrows() throws {
        let client = try TestClient().connected()
        assertThrowsRTMPError(try client.command([1, 2, .null]))
    }

    func testPublishBeforeConnectThrows() throws {
        let client = TestClient()
        try client.handshake()
        assertThrowsRTMPError(try client.command(["publish", 0, .null, "livestream", "live"], streamId: 1))
    }

    func testCreateStreamBeforeConnectThrows() throws {
        let client = TestClient()
        try client.handshake()
        assertThrowsRTMPError(try client.command(["createStream", 2, .null]))
    }

    // MARK: createStream / publish

    func testCreateStreamReturnsStreamIdOneThenTwo() throws {
        let client = try TestClient().connected()
        XCTAssertTrue(try client.command(["createStream", 2, .null]).isEmpty)
        XCTAssertTrue(try client.command(["createStream", 3, .null]).isEmpty)
        let replies = try client.received()
        XCTAssertEqual(replies.map { amf($0) }, [["_result", 2, .null, 1], ["_result", 3, .null, 2]])
        XCTAssertEqual(replies.map(\.streamId), [0, 0])
    }

    func testFMLEPublishSequence() throws {
        let client = try TestClient().connected()
        _ = try client.command(["releaseStream", 2, .null, "livestream"])
        _ = try client.command(["FCPublish", 3, .null, "livestream"])
        _ = try client.command(["createStream", 4, .null])
        XCTAssertEqual(try client.received().map { amf($0) },
                       [["_result", 2, .null, .undefined], ["_result", 3, .null, .undefined], ["_result", 4, .null, 1]])

        let events = try client.command(["publish", 5, .null, "livestream", "live"], streamId: 1)
        guard case .publish(let streamId, let request, let type)? = onlyEvent(events) else { return XCTFail("no publish: \(events)") }
        XCTAssertEqual(streamId, 1)
        XCTAssertEqual(request.stream, "livestream")
        XCTAssertEqual(request.app, "live")
        XCTAssertEqual(request.vhost, "127.0.0.1")
        XCTAssertEqual(request.streamKey, "127.0.0.1/live/livestream")
        XCTAssertEqual(type, "live")
        XCTAssertFalse(client.session.hasOutput)

        client.session.acceptPublish(streamId: 1, streamName: "livestream")
        let replies = try client.received()
        XCTAssertEqual(replies.map(\.streamId), [1, 1])
        let values = replies.map { amf($0) }
        XCTAssertEqual(values.map(\.first), ["onFCPublish", "onStatus"])
        XCTAssertEqual(values.map { $0.last?["code"] }, ["NetStream.Publish.Start", "NetStream.Publish.Start"])
        XCTAssertEqual(values.last?.last?["details"], "livestream")
    }

    func testPublishWithoutFCPublishSendsOnlyOnStatus() throws {
        let client = try TestClient().connected()
        _ = try client.command(["createStream", 2, .null])
        _ = try client.received()
        _ = try client.command(["publish", 0, .null, "s1"], streamId: 1)
        client.session.acceptPublish(streamId: 1, streamName: "s1")
        let values = try client.received().map { amf($0) }
        XCTAssertEqual(values.count, 1)
        XCTAssertEqual(values.first?.first, "onStatus")
        XCTAssertEqual(values.first?.last?["code"], "NetStream.Publish.Start")
    }

    func testPublishTypeDefaultsToLiveAndNameParams() throws {
        let client = try TestClient().connected()
        let events = try client.command(["publish", 0, .null, "livestream?vhost=v2&token=abc"], streamId: 1)
        guard case .publish(_, let request, let type)? = onlyEvent(events) else { return XCTFail("no publish") }
        XCTAssertEqual(type, "live")
        XCTAssertEqual(request.stream, "livestream")
        XCTAssertEqual(request.vhost, "v2")
        XCTAssertEqual(request.param, "?vhost=v2&token=abc")
    }

    func testPublishWithoutNameThrows() throws {
        let client = try TestClient().connected()
        assertThrowsRTMPError(try client.command(["publish", 0, .null], streamId: 1))
        let empty = try TestClient().connected()
        assertThrowsRTMPError(try empty.command(["publish", 0, .null, ""], streamId: 1))
    }

    func testRejectPublishSendsErrorStatus() throws {
        let client = try TestClient().connected()
        client.session.rejectPublish(streamId: 1, description: "already publishing")
        let values = try client.received().map { amf($0) }
        XCTAssertEqual(values.first?.last?["code"], "NetStream.Publish.BadName")
        XCTAssertEqual(values.first?.last?["level"], "error")
    }

    func testFCUnpublish() throws {
        let client = try TestClient().connected()
        let events = try client.command(["FCUnpublish", 6, .null, "livestream"])
        guard case .unpublish(let name)? = onlyEvent(events) else { return XCTFail("no unpublish: \(events)") }
        XCTAssertEqual(name, "livestream")
        let values = try client.received().map { amf($0) }
        XCTAssertEqual(values.count, 2)
        XCTAssertEqual(values.first?.first, "onFCUnpublish")
        XCTAssertEqual(values.first?.last?["code"], "NetStream.Unpublish.Success")
        XCTAssertEqual(values.last, ["_result", 6, .null, .undefined])
    }

    func testConfirmUnpublish() throws {
        let client = try TestClient().connected()
        client.session.confirmUnpublish(streamId: 1, streamName: "s")
        let replies = try client.received()
        XCTAssertEqual(replies.first?.streamId, 1)
        XCTAssertEqual(amf(replies.first).last?["code"], "NetStream.Unpublish.Success")
    }

    // MARK: play

    func testPlayAndAcceptPlay() throws {
        let client = try TestClient().connected()
        _ = try client.command(["createStream", 2, .null])
        _ = try client.received()
        let events = try client.command(["play", 0, .null, "livestream"], streamId: 1)
        guard case .play(let streamId, let request, let start, let duration, let reset)? = onlyEvent(events) else {
            return XCTFail("no play: \(events)")
        }
        XCTAssertEqual(streamId, 1)
        XCTAssertEqual(request.stream, "livestream")
        XCTAssertEqual(start, -2)
        XCTAssertEqual(duration, -1)
        XCTAssertTrue(reset)

        client.session.acceptPlay(streamId: 1, streamName: "livestream")
        let replies = try client.received()
        XCTAssertEqual(replies.map(\.typeId), [4, 20, 20, 18, 18])
        guard replies.count == 5 else { return }
        XCTAssertEqual(replies[0].payload, [0x00, 0x00, 0x00, 0x00, 0x00, 0x01], "Stream Begin 1")
        XCTAssertEqual(amf(replies[1]).last?["code"], "NetStream.Play.Reset")
        XCTAssertEqual(amf(replies[2]).last?["code"], "NetStream.Play.Start")
        XCTAssertEqual(amf(replies[2]).first, "onStatus")
        XCTAssertEqual(amf(replies[3]), ["|RtmpSampleAccess", true, true])
        XCTAssertEqual(amf(replies[4]), ["onStatus", .object([AMF0Property("code", "NetStream.Data.Start")])])
        XCTAssertEqual(replies.dropFirst().map(\.streamId), [1, 1, 1, 1])
    }

    func testPlayArguments() throws {
        let client = try TestClient().connected()
        let events = try client.command(["play", 0, .null, "s", 0, 30, false], streamId: 1)
        guard case .play(_, _, let start, let duration, let reset)? = onlyEvent(events) else { return XCTFail("no play") }
        XCTAssertEqual(start, 0)
        XCTAssertEqual(duration, 30)
        XCTAssertFalse(reset)
    }

    func testRejectPlayAndNotifications() throws {
        let client = try TestClient().connected()
        client.session.rejectPlay(streamId: 1, description: "no such stream")
        client.session.notifyUnpublished(streamId: 1)
        client.session.notifyPublished(streamId: 1)
        let replies = try client.received()
        XCTAssertEqual(replies.map(\.typeId), [20, 20, 4, 4, 20])
        guard replies.count == 5 else { return }
        XCTAssertEqual(amf(replies[0]).last?["code"], "NetStream.Play.StreamNotFound")
        XCTAssertEqual(amf(replies[1]).last?["code"], "NetStream.Play.UnpublishNotify")
        XCTAssertEqual(replies[2].payload, [0, 1, 0, 0, 0, 1], "Stream EOF 1")
        XCTAssertEqual(replies[3].payload, [0, 0, 0, 0, 0, 1], "Stream Begin 1")
        XCTAssertEqual(amf(replies[4]).last?["code"], "NetStream.Play.PublishNotify")
    }

    func testPauseAndUnpause() throws {
        let client = try TestClient().connected()
        let paused = try client.command(["pause", 0, .null, true, 1234], streamId: 1)
        guard case .pause(let streamId, let isPaused, let time)? = onlyEvent(paused) else { return XCTFail("no pause") }
        XCTAssertEqual(streamId, 1)
        XCTAssertTrue(isPaused)
        XCTAssertEqual(time, 1234)
        var replies = try client.received()
        XCTAssertEqual(amf(replies.first).last?["code"], "NetStream.Pause.Notify")
        XCTAssertEqual(replies.last?.payload, [0, 1, 0, 0, 0, 1])

        let resumed = try client.command(["pause", 0, .null, false, 1234], streamId: 1)
        guard case .pause(_, false, _)? = onlyEvent(resumed) else { return XCTFail("no unpause") }
        replies = try client.received()
        XCTAssertEqual(amf(replies.first).last?["code"], "NetStream.Unpause.Notify")
        XCTAssertEqual(replies.last?.payload, [0, 0, 0, 0, 0, 1])
    }

    func testCloseStreamAndDeleteStream() throws {
        let client = try TestClient().connected()
        guard case .closeStream(let closed)? = onlyEvent(try client.command(["closeStream", 0, .null], streamId: 1)) else {
            return XCTFail("no closeStream")
        }
        XCTAssertEqual(closed, 1)
        guard case .closeStream(let deleted)? = onlyEvent(try client.command(["deleteStream", 7, .null, 3])) else {
            return XCTFail("no deleteStream")
        }
        XCTAssertEqual(deleted, 3)
    }

    /// Found by fuzzing (Fuzz/Regressions/rtmp-server): a stream id out of UInt32's range
    /// trapped the conversion and crashed the server.
    func testDeleteStreamWithAnAbsurdStreamIdDoesNotTrap() throws {
        let client = try TestClient().connected()
        for absurd: Double in [1e300, -1, .nan, .infinity, 4_294_967_296] {
            guard case .closeStream(let streamId)? = onlyEvent(try client.command(["deleteStream", 7, .null, .number(absurd)], streamId: 1)) else {
                return XCTFail("no closeStream for \(absurd)")
            }
            XCTAssertEqual(streamId, 1, "falls back to the message's stream id for \(absurd)")
        }
    }

    func testUnknownCallIsAnsweredOnlyWithTransactionAndReported() throws {
        let client = try TestClient().connected()
        guard case .call(_, "_checkbw", [])? = onlyEvent(try client.command(["_checkbw", 9, .null])) else { return XCTFail("no call event") }
        guard case .call(_, "someNotification", let arguments)? = onlyEvent(try client.command(["someNotification", 0, .null, .object([AMF0Property("a", 1)])])) else {
            return XCTFail("no call event")
        }
        XCTAssertEqual(arguments, [.object([AMF0Property("a", 1)])], "the values after the command object")
        XCTAssertEqual(try client.received().map { amf($0) }, [["_result", 9, .null, .null]])
    }

    func testGetStreamLengthAnswersZeroForLive() throws {
        let client = try TestClient().connected()
        XCTAssertTrue(try client.command(["getStreamLength", 4, .null, "s"]).isEmpty)
        XCTAssertEqual(try client.received().map { amf($0) }, [["_result", 4, .null, 0]])
    }

    func testAMF3CommandIsDecoded() throws {
        let client = try TestClient().connected()
        let body = [0x00] + AMF0Encoder.encode(["createStream", 2, .null])
        _ = try client.send(RTMPMessage(typeId: 17, payload: body))
        XCTAssertEqual(try client.received().map { amf($0) }, [["_result", 2, .null, 1]])
    }

    // MARK: Media and data

    func testSetDataFrameBecomesMetadataEvent() throws {
        let client = try TestClient().connected()
        let metadata: AMF0Value = .ecmaArray([AMF0Property("width", 1280), AMF0Property("height", 720)])
        var message = RTMPMessage.data(["@setDataFrame", "onMetaData", metadata], streamId: 1)
        message.timestamp = 0
        let events = try client.send(message)
        guard case .metadata(let normalized)? = onlyEvent(events) else { return XCTFail("no metadata: \(events)") }
        XCTAssertEqual(normalized.typeId, 18)
        XCTAssertEqual(normalized.streamId, 1)
        XCTAssertEqual(try AMF0Decoder.decodeAll(normalized.payload), ["onMetaData", metadata])
    }

    func testPlainOnMetaDataIsAlsoMetadata() throws {
        let client = try TestClient().connected()
        let events = try client.send(.data(["onMetaData", .object([AMF0Property("duration", 0)]), "extra"], streamId: 1))
        guard case .metadata(let normalized)? = onlyEvent(events) else { return XCTFail("no metadata") }
        XCTAssertEqual(try AMF0Decoder.decodeAll(normalized.payload), ["onMetaData", .object([AMF0Property("duration", 0)])])
    }

    func testOtherDataMessagesAreIgnored() throws {
        let client = try TestClient().connected()
        XCTAssertTrue(try client.send(.data(["onCuePoint", .object([])], streamId: 1)).isEmpty)
        XCTAssertTrue(try client.send(.data(["@setDataFrame"], streamId: 1)).isEmpty)
    }

    func testMalformedDataMessageThrows() throws {
        let client = try TestClient().connected()
        assertThrowsRTMPError(try client.send(RTMPMessage(typeId: 18, streamId: 1, payload: [0x02, 0x00, 0x09, 0x40])))
    }

    func testAudioAndVideoBecomeMediaEvents() throws {
        let client = try TestClient().connected()
        let audio = RTMPMessage(typeId: 8, streamId: 1, timestamp: 23, payload: [0xAF, 0x01, 0x21, 0x10])
        let video = RTMPMessage(typeId: 9, streamId: 1, timestamp: 40, payload: [0x17, 0x01] + pattern(500))
        let events = try client.send(audio) + client.send(video)
        XCTAssertEqual(events.count, 2)
        guard events.count == 2, case .media(let first) = events[0], case .media(let second) = events[1] else {
            return XCTFail("events: \(events)")
        }
        XCTAssertEqual(RTMPMessage(first, streamId: 1), audio)
        XCTAssertEqual(RTMPMessage(second, streamId: 1), video)
    }

    func testAnEventIsAFewWordsSoThatAReadOfMediaMakesASmallArray() {
        // A publisher's read makes one event per media message: the large cases are boxed.
        XCTAssertLessThanOrEqual(MemoryLayout<RTMPServerEvent>.stride, 32)
    }

    func testAggregateMessageSplitsIntoMediaWithRelativeTimestamps() throws {
        let client = try TestClient().connected()
        var payload: [UInt8] = []
        payload += [0x08, 0x00, 0x00, 0x03, 0x00, 0x01, 0xF4, 0x00, 0x00, 0x00, 0x00] + [0xAF, 0x01, 0x55]  // audio at 500
        payload += [0x00, 0x00, 0x00, 0x0E]
        payload += [0x09, 0x00, 0x00, 0x02, 0x00, 0x02, 0x1C, 0x00, 0x00, 0x00, 0x00] + [0x27, 0x01]        // video at 540
        payload += [0x00, 0x00, 0x00, 0x0D]
        let events = try client.send(RTMPMessage(typeId: 22, streamId: 1, timestamp: 1000, payload: payload))
        XCTAssertEqual(events.count, 2)
        guard events.count == 2, case .media(let audio) = events[0], case .media(let video) = events[1] else {
            return XCTFail("events: \(events)")
        }
        XCTAssertEqual(RTMPMessage(audio, streamId: 1), RTMPMessage(typeId: 8, streamId: 1, timestamp: 1000, payload: [0xAF, 0x01, 0x55]))
        XCTAssertEqual(RTMPMessage(video, streamId: 1), RTMPMessage(typeId: 9, streamId: 1, timestamp: 1040, payload: [0x27, 0x01]))
    }

    func testAggregateWithMetadataTag() throws {
        let client = try TestClient().connected()
        let script = AMF0Encoder.encode(["onMetaData", .ecmaArray([])])
        var payload = FLV.tagHeader(type: 18, dataSize: script.count, timestamp: 0) + script + [0, 0, 0, UInt8(11 + script.count)]
        payload += FLV.tagHeader(type: 9, dataSize: 2, timestamp: 0) + [0x17, 0x00] + [0, 0, 0, 13]
        let events = try client.send(RTMPMessage(typeId: 22, streamId: 1, timestamp: 0, payload: payload))
        XCTAssertEqual(events.count, 2)
        guard case .metadata? = events.first, case .media? = events.last else { return XCTFail("events: \(events)") }
    }

    func testTruncatedAggregateThrows() throws {
        let client = try TestClient().connected()
        let payload: [UInt8] = [0x08, 0x00, 0x00, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xAF]
        assertThrowsRTMPError(try client.send(RTMPMessage(typeId: 22, streamId: 1, payload: payload)))
    }

    // MARK: Control

    func testPingRequestGetsPingResponse() throws {
        let client = try TestClient().connected()
        XCTAssertTrue(try client.send(.userControl(6, 0x1234_5678)).isEmpty)
        let replies = try client.received()
        XCTAssertEqual(replies, [RTMPMessage(typeId: 4, payload: [0x00, 0x07, 0x12, 0x34, 0x56, 0x78])])
    }

    func testSetBufferLength() throws {
        let client = try TestClient().connected()
        let events = try client.send(.userControl(3, 1, extra: 3000))
        guard case .setBufferLength(let streamId, let ms)? = onlyEvent(events) else { return XCTFail("no event") }
        XCTAssertEqual(streamId, 1)
        XCTAssertEqual(ms, 3000)
        XCTAssertEqual(client.session.playerBufferLength, 3000)
    }

    func testShortUserControlThrows() throws {
        let client = try TestClient().connected()
        assertThrowsRTMPError(try client.send(RTMPMessage(typeId: 4, payload: [0x00, 0x06, 0x00])))
    }

    func testAcknowledgementAfterPeerWindow() throws {
        let client = try TestClient().connected()
        _ = try client.send(.windowAckSize(4096))
        XCTAssertLessThan(client.session.bytesReceived, 4096)
        XCTAssertTrue(try client.received().isEmpty, "no ack before the window is full")

        _ = try client.send(RTMPMessage(typeId: 8, streamId: 1, payload: pattern(1000)))
        let received = client.session.bytesReceived
        XCTAssertGreaterThanOrEqual(received, 4096)
        let acks = try client.received()
        XCTAssertEqual(acks.map(\.typeId), [3])
        XCTAssertEqual(acks.first?.payload, [UInt8(received >> 24 & 0xFF), UInt8(received >> 16 & 0xFF), UInt8(received >> 8 & 0xFF), UInt8(received & 0xFF)])

        // The next ack waits for another full window.
        _ = try client.send(RTMPMessage(typeId: 8, streamId: 1, payload: pattern(1000)))
        XCTAssertTrue(try client.received().isEmpty)
        _ = try client.send(RTMPMessage(typeId: 8, streamId: 1, payload: pattern(4000)))
        XCTAssertEqual(try client.received().map(\.typeId), [3])
    }

    func testAcknowledgementUsesOwnWindowWhenPeerSentNone() throws {
        var configuration = RTMPServerSession.Configuration()
        configuration.windowAckSize = 10_000
        let client = try TestClient(configuration: configuration).connected()
        _ = try client.send(RTMPMessage(typeId: 8, streamId: 1, payload: pattern(1000)))
        XCTAssertTrue(try client.received().isEmpty)
        _ = try client.send(RTMPMessage(typeId: 9, streamId: 1, payload: pattern(6000)))
        XCTAssertEqual(try client.received().map(\.typeId), [3])
    }

    func testUnknownMessageTypesAreIgnored() throws {
        let client = try TestClient().connected()
        XCTAssertTrue(try client.send(RTMPMessage(typeId: 0x55, payload: [1, 2, 3])).isEmpty)
        XCTAssertTrue(try client.send(RTMPMessage(typeId: 19, payload: [1, 2, 3])).isEmpty)
        XCTAssertTrue(try client.received().isEmpty)
    }

    func testClientSetChunkSizeIsApplied() throws {
        let client = try TestClient().connected()
        _ = try client.send(.setChunkSize(4096))
        client.encoder.chunkSize = 4096
        let video = RTMPMessage(typeId: 9, streamId: 1, timestamp: 80, payload: [0x17, 0x01] + pattern(3000))
        guard case .media(let received)? = onlyEvent(try client.send(video)) else { return XCTFail("no media") }
        XCTAssertEqual(RTMPMessage(received, streamId: 1), video)
    }
}
