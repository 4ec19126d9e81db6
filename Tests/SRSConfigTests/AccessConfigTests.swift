import XCTest

import SRSConfig

/// http_hooks, security and refer: both config shapes, the rules, and errors with locations.
final class AccessConfigTests: XCTestCase {
    private func vhost(_ body: String) throws -> VhostConfig {
        let config = try ServerConfig.parse(text: "listen 1935;\nvhost v.com {\n\(body)\n}\n", file: "x.conf")
        return try XCTUnwrap(config.vhosts.first { $0.name == "v.com" })
    }

    func testHooksAreReadWithSeveralURLsTimeoutAndPolicy() throws {
        let hooks = try vhost("""
            http_hooks { enabled on; on_publish http://127.0.0.1:8085/a http://127.0.0.1:8085/b;
                         on_play http://127.0.0.1:8085/p; timeout 2.5; fail_open on; }
            """).hooks
        XCTAssertEqual(hooks.urls(for: .onPublish), ["http://127.0.0.1:8085/a", "http://127.0.0.1:8085/b"])
        XCTAssertEqual(hooks.urls(for: .onPlay), ["http://127.0.0.1:8085/p"])
        XCTAssertEqual(hooks.urls(for: .onConnect), [])
        XCTAssertEqual(hooks.timeoutMs, 2500)
        XCTAssertTrue(hooks.failOpen)
        let off = try vhost("http_hooks { enabled off; on_publish http://127.0.0.1/a; }").hooks
        XCTAssertEqual(off.urls(for: .onPublish), [], "hooks that are off call nothing")
        XCTAssertEqual(try vhost("").hooks.timeoutMs, 30_000, "SRS's 30 s by default")
    }

    func testHookURLMustBeHTTPOrHTTPS() throws {
        XCTAssertEqual(try vhost("http_hooks {\n enabled on;\n on_play https://x/a;\n}").hooks.urls(for: .onPlay), ["https://x/a"])
        let error = try XCTUnwrap(configError { _ = try self.vhost("http_hooks {\n enabled on;\n on_play ftp://x/a;\n}") })
        XCTAssertEqual(error.line, 5)
        XCTAssertEqual(error.directive, "on_play")
    }

    func testSecurityDefaultDenyThenAllowThenDeny() throws {
        let security = try vhost("""
            security { enabled on; allow play all; deny play 10.0.0.0/8; allow publish 127.0.0.1; allow publish ::1; }
            """).security
        XCTAssertTrue(security.allows(.play, from: "192.168.1.9"))
        XCTAssertFalse(security.allows(.play, from: "10.1.2.3"), "deny wins over allow all")
        XCTAssertTrue(security.allows(.publish, from: "127.0.0.1"))
        XCTAssertTrue(security.allows(.publish, from: "::ffff:127.0.0.1"), "IPv4-mapped addresses match IPv4 rules")
        XCTAssertTrue(security.allows(.publish, from: "::1"))
        XCTAssertFalse(security.allows(.publish, from: "127.0.0.2"), "no allow rule: denied")
        let off = try vhost("security { enabled off; deny play all; }").security
        XCTAssertTrue(off.allows(.play, from: "1.2.3.4"))
    }

    func testAddressMatches() {
        XCTAssertTrue(AddressMatch("192.168.0.0/16")!.matches("192.168.200.1"))
        XCTAssertFalse(AddressMatch("192.168.0.0/16")!.matches("192.169.0.1"))
        XCTAssertTrue(AddressMatch("10.0.0.0/9")!.matches("10.127.0.1"))
        XCTAssertFalse(AddressMatch("10.0.0.0/9")!.matches("10.128.0.1"))
        XCTAssertTrue(AddressMatch("fe80::/10")!.matches("fe80::1:2"))
        XCTAssertFalse(AddressMatch("fe80::/10")!.matches("fec0::1"))
        XCTAssertTrue(AddressMatch("0.0.0.0/0")!.matches("8.8.8.8"))
        XCTAssertFalse(AddressMatch("1.2.3.4")!.matches("1.2.3.40"))
        for bad in ["1.2.3", "1.2.3.256", "1.2.3.4/33", "x", "1::2::3", "1.2.3.4/"] {
            XCTAssertNil(AddressMatch(bad), bad)
        }
    }

    func testSecurityRuleErrorsNameTheLine() throws {
        let error = try XCTUnwrap(configError { _ = try self.vhost("security {\n enabled on;\n allow watch all;\n}") })
        XCTAssertEqual(error.line, 5)
        XCTAssertEqual(error.directive, "allow")
        let bad = try XCTUnwrap(configError { _ = try self.vhost("security { enabled on; deny play 300.1.1.1; }") })
        XCTAssertTrue(bad.message.contains("300.1.1.1"), bad.description)
    }

    func testReferBothShapes() throws {
        let flat = try vhost("refer a.com; refer_publish pub.com; refer_play b.com c.com;").refer
        XCTAssertEqual(flat.all, ["a.com"])
        XCTAssertEqual(flat.publish, ["pub.com"])
        XCTAssertEqual(flat.play, ["b.com", "c.com"])
        let block = try vhost("refer { enabled on; all a.com; publish pub.com; play b.com c.com; }").refer
        XCTAssertEqual(block, flat)
        let disabled = try vhost("refer { enabled off; all a.com; }").refer
        XCTAssertNil(disabled.all)
    }

    func testReferMatchesDomainsOnly() {
        XCTAssertTrue(ReferConfig.allows(nil, pageUrl: ""))
        XCTAssertTrue(ReferConfig.allows(["china.com"], pageUrl: "http://www.china.com:8080/player.html"))
        XCTAssertTrue(ReferConfig.allows(["china.com"], pageUrl: "https://CHINA.com/x"))
        XCTAssertFalse(ReferConfig.allows(["china.com"], pageUrl: "http://evilchina.com/"))
        XCTAssertFalse(ReferConfig.allows(["china.com"], pageUrl: "http://china.com.evil.org/"))
        XCTAssertFalse(ReferConfig.allows(["china.com"], pageUrl: ""))
        XCTAssertTrue(ReferConfig.allows(["a.com", "b.com"], pageUrl: "http://x.b.com/"))
    }

    func testEdgeBothShapes() throws {
        let flat = try vhost("mode remote; origin 127.0.0.1:1935 origin.b:19350 [::1]:1936; token_traverse on; vhost up.com;").edge
        XCTAssertTrue(flat.isEdge)
        XCTAssertEqual(flat.origins.map(\.description), ["127.0.0.1:1935", "origin.b:19350", "[::1]:1936"])
        XCTAssertTrue(flat.tokenTraverse)
        XCTAssertEqual(flat.upstreamVhost, "up.com")
        let block = try vhost("cluster { mode remote; origin 127.0.0.1:1935 origin.b:19350 [::1]:1936; token_traverse on; vhost up.com; }").edge
        XCTAssertEqual(block, flat)
        XCTAssertEqual(try vhost("origin 127.0.0.1;").edge.origins.first?.port, 1935, "the port defaults to 1935")
        XCTAssertFalse(try vhost("").edge.isEdge)
        let missing = try XCTUnwrap(configError { _ = try self.vhost("mode remote;") })
        XCTAssertTrue(missing.message.contains("needs at least one origin"), missing.description)
        let bad = try XCTUnwrap(configError { _ = try self.vhost("mode remote; origin 127.0.0.1:99999;") })
        XCTAssertEqual(bad.directive, "origin")
        let mode = try XCTUnwrap(configError { _ = try self.vhost("mode edge;") })
        XCTAssertTrue(mode.message.contains("local or remote"))
    }

    func testForwardBothShapes() throws {
        let flat = try vhost("forward 127.0.0.1:19350 10.0.0.1;").forward
        XCTAssertEqual(flat.destinations, [UpstreamAddress(host: "127.0.0.1", port: 19350), UpstreamAddress(host: "10.0.0.1")])
        let block = try vhost("forward { enabled on; destination 127.0.0.1:19350 10.0.0.1; }").forward
        XCTAssertEqual(block, flat)
        XCTAssertEqual(try vhost("forward { enabled off; destination 127.0.0.1:19350; }").forward.destinations, [])
        let bad = try XCTUnwrap(configError { _ = try self.vhost("forward 127.0.0.1:x;") })
        XCTAssertTrue(bad.message.contains("host:port"), bad.description)
    }

    /// Decimals become integers (ms, bytes): 1e300 must be refused, not trap at conversion.
    func testHugeDecimalsAreRefused() throws {
        for text in ["queue_length 1e300;", "http_hooks { enabled on; timeout 1e300; }", "hls { enabled on; hls_fragment 1e12; }"] {
            let error = try XCTUnwrap(configError { _ = try self.vhost(text) }, text)
            XCTAssertTrue(error.message.contains("at most"), error.description)
        }
    }
}
