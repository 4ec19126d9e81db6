import XCTest

@testable import SRSApp
import SRSConfig
import SRSIO
import SRSKernel
import SRSRTMP

/// The admission pipeline, on its own and through the server: every refusal names its rule,
/// callbacks decide later on the loop, and a failing callback rejects unless fail_open.
final class AdmissionTests: XCTestCase {
    private func pipeline(_ harness: AppHarness) -> AdmissionPipeline { harness.server.admission }

    private func make(_ action: AdmissionRequest.Action, app: String = "live", stream name: String = "s", ip: String = "127.0.0.1",
                      pageUrl: String = "", connectsToo: Bool = false) -> AdmissionRequest {
        var stream = StreamRequest()
        stream.vhost = "example.com"
        stream.app = app
        stream.stream = name
        stream.pageUrl = pageUrl
        return AdmissionRequest(action: action, clientId: 7, ip: ip, stream: stream, connectsToo: connectsToo)
    }

    /// The verdict, waiting on the loop when a callback decides.
    private func admit(_ harness: AppHarness, _ request: AdmissionRequest) -> AdmissionVerdict? {
        let later = LockedValue<AdmissionVerdict?>(nil)
        let now = harness.loop.sync {
            pipeline(harness).admit(request, loop: harness.loop) { verdict in later.withLock { $0 = verdict } }
        }
        if let now { return now }
        harness.settle()
        return later.withLock { $0 }
    }

    private func refusal(_ verdict: AdmissionVerdict?) -> AdmissionRefusal? {
        if case .refused(let refusal) = verdict { return refusal }
        return nil
    }

    func testLocalChecksInOrder() throws {
        let harness = try AppHarness("""
            vhost __defaultVhost__ {
                security { enabled on; allow publish 10.0.0.0/8; allow play all; }
                refer_play a.com; refer b.com a.com;
            }
            vhost off.example { enabled off; }
            """)
        // Unknown hosts land on __defaultVhost__, renamed.
        guard case .admitted(let vhost, let renamed) = admit(harness, make(.play, pageUrl: "http://www.a.com/p")) else {
            return XCTFail("a listed page may play")
        }
        XCTAssertEqual(vhost.name, "__defaultVhost__")
        XCTAssertEqual(renamed.vhost, "__defaultVhost__")
        XCTAssertEqual(refusal(admit(harness, make(.play, stream: "a/../b", pageUrl: "http://a.com")))?.kind, .unsafeName)
        XCTAssertEqual(refusal(admit(harness, make(.play, stream: "bad\u{1}name", pageUrl: "http://a.com")))?.kind, .unsafeName)
        XCTAssertEqual(refusal(admit(harness, make(.publish, ip: "192.168.1.2")))?.kind, .security)
        guard case .admitted = admit(harness, make(.publish, ip: "10.1.2.3")) else { return XCTFail("10/8 may publish") }
        XCTAssertEqual(refusal(admit(harness, make(.play, pageUrl: "http://evil.com/p")))?.kind, .refer)
        // An HTTP player connects too: `refer` (b.com a.com) and `refer_play` (a.com) both apply.
        XCTAssertEqual(refusal(admit(harness, make(.play, pageUrl: "http://b.com/p", connectsToo: true)))?.kind, .refer)
        guard case .admitted = admit(harness, make(.play, pageUrl: "http://a.com/p", connectsToo: true)) else { return XCTFail() }
        var disabled = make(.play)
        disabled.stream.vhost = "off.example"
        XCTAssertEqual(refusal(admit(harness, disabled))?.kind, .vhostNotServed)
    }

    func testCallbacksDecideLaterAndAFailureRejectsUnlessFailOpen() throws {
        let harness = try AppHarness("""
            vhost __defaultVhost__ { http_hooks { enabled on; on_play http://hooks:8085/play; on_publish http://down:9/publish; } }
            """)
        let hooks = FakeHookServer(connector: harness.connector, address: "hooks:8085")
        // on_play answers 0: admitted, with SRS's body.
        guard case .admitted = admit(harness, make(.play, pageUrl: "http://p.com/")) else { return XCTFail("on_play passed") }
        let body = try XCTUnwrap(hooks.received.first)
        XCTAssertEqual(body["action"] as? String, "on_play")
        XCTAssertEqual(body["client_id"] as? Int, 7)
        XCTAssertEqual(body["stream"] as? String, "s")
        XCTAssertEqual(body["pageUrl"] as? String, "http://p.com/")
        XCTAssertEqual(body["vhost"] as? String, "__defaultVhost__")
        // A non-zero code rejects.
        hooks.answer.withLock { $0 = (200, "{\"code\": 403}") }
        XCTAssertEqual(refusal(admit(harness, make(.play)))?.kind, .callback)
        // on_publish's server is down: rejected, then admitted once fail_open is on.
        XCTAssertEqual(refusal(admit(harness, make(.publish)))?.kind, .callback)
        try harness.reload("""
            vhost __defaultVhost__ { http_hooks { enabled on; on_publish http://down:9/publish; fail_open on; } }
            """)
        guard case .admitted = admit(harness, make(.publish)) else { return XCTFail("fail_open admits") }
        XCTAssertEqual(harness.connector.connections.filter { $0 == "down:9" }.count, 2)
    }

    func testRTMPClientsGetTheProtocolsRefusals() throws {
        let harness = try AppHarness("""
            vhost __defaultVhost__ { security { enabled on; allow play all; } http_hooks { enabled on; on_play http://hooks:8085/; } }
            """)
        let hooks = FakeHookServer(connector: harness.connector, address: "hooks:8085", body: "{\"code\": 1}")
        let publisher = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/s", mode: .publish)
        XCTAssertTrue(publisher.statusCodes.contains("NetStream.Publish.Denied"), "\(publisher.statusCodes)")
        XCTAssertTrue(publisher.closed)
        let player = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/s", mode: .play)
        XCTAssertTrue(player.statusCodes.contains("NetStream.Play.Failed"), "\(player.statusCodes)")
        XCTAssertEqual(hooks.actions, ["on_play"])
        let unsafe = RTMPPeer(harness, url: "rtmp://127.0.0.1/live/..", mode: .play)
        XCTAssertFalse(unsafe.started)
        XCTAssertEqual(hooks.actions, ["on_play"], "refused before the callback")
        XCTAssertNil(harness.source("__defaultVhost__/live/s"), "refused clients leave no stream behind")
    }
}
