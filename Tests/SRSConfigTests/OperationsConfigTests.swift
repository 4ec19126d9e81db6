import XCTest

import SRSConfig

final class OperationsConfigTests: XCTestCase {
    func testAuthRawAPIHeartbeatAndStats() throws {
        let config = try ServerConfig.parse(text: """
            http_api { enabled on; auth { enabled on; username admin; password secret; } raw_api { enabled on; allow_reload on; } }
            heartbeat { enabled on; interval 2.5; url http://127.0.0.1:8085/api/v1/servers; device_id "dev-1"; summaries on; }
            stats { network 1; disk sda vdb; }
            """, file: "o.conf")
        XCTAssertTrue(config.httpAPI.authEnabled)
        XCTAssertEqual([config.httpAPI.username, config.httpAPI.password], ["admin", "secret"])
        XCTAssertTrue(config.httpAPI.rawAPI && config.httpAPI.rawAPIAllowReload)
        XCTAssertTrue(config.heartbeat.enabled)
        XCTAssertEqual(config.heartbeat.interval, 2.5)
        XCTAssertEqual(config.heartbeat.deviceId, "dev-1")
        XCTAssertTrue(config.heartbeat.summaries)
        XCTAssertEqual(config.statsNetwork, 1)
        XCTAssertEqual(config.statsDisks, ["sda", "vdb"])
        XCTAssertTrue(config.unsupportedDirectives.isEmpty, "\(config.unsupportedDirectives.map(\.name))")
        let noPassword = configError { _ = try ServerConfig.parse(text: "http_api { enabled on; auth { enabled on; username a; } }", file: "o.conf") }
        XCTAssertTrue(noPassword?.message.contains("username and a password") == true, "\(String(describing: noPassword))")
        let badURL = configError { _ = try ServerConfig.parse(text: "heartbeat { enabled on; url ftp://x; }", file: "o.conf") }
        XCTAssertEqual(badURL?.directive, "url")
    }

    func testEnvironmentOverridesTheFile() throws {
        let text = """
            listen 1935;
            http_api { enabled off; listen 1985; }
            vhost a.com { gop_cache off; hls { enabled off; } }
            vhost b.com { }
            """
        let config = try ServerConfig.parse(text: text, file: "e.conf", environment: [
            "SRS_LISTEN": "19350", "SRS_HTTP_API_ENABLED": "on", "SRS_HTTP_API_LISTEN": "19850", "SRS_VHOST_HLS_ENABLED": "on",
            "SRS_VHOST_PLAY_GOP_CACHE": "on", "SRS_MAX_CONNECTIONS": "", "UNRELATED": "x",
        ])
        XCTAssertEqual(config.listen.map(\.port), [19350])
        XCTAssertTrue(config.httpAPI.enabled)
        XCTAssertEqual(config.httpAPI.listen.port, 19850)
        for name in ["a.com", "b.com"] {
            let vhost = try XCTUnwrap(config.vhost(named: name))
            XCTAssertTrue(vhost.hls.enabled, "SRS_VHOST_* applies to every vhost: \(name)")
            XCTAssertTrue(vhost.gopCache, "play.gop_cache overrides the flat gop_cache too: \(name)")
        }
        XCTAssertEqual(config.maxConnections, try ServerConfig.parse(text: text, file: "e.conf").maxConnections, "an empty variable is ignored")
        XCTAssertEqual(config.environmentOverrides.map(\.variable),
                       ["SRS_LISTEN", "SRS_HTTP_API_ENABLED", "SRS_HTTP_API_LISTEN", "SRS_VHOST_PLAY_GOP_CACHE", "SRS_VHOST_HLS_ENABLED"]
                        .sorted { a, b in
                            EnvironmentOverrides.table.firstIndex { $0.variable == a }! < EnvironmentOverrides.table.firstIndex { $0.variable == b }!
                        })
        XCTAssertEqual(config.warnings.map(\.description), [])
        // A bad value is refused, naming the variable.
        let bad = configError { _ = try ServerConfig.parse(text: text, file: "e.conf", environment: ["SRS_HTTP_API_ENABLED": "maybe"]) }
        XCTAssertTrue(bad?.description.contains("SRS_HTTP_API_ENABLED") == true, "\(String(describing: bad))")
    }

    func testOverrideValuesSpacesSecretsAndTheImpliedVhost() throws {
        let config = try ServerConfig.parse(text: "listen 1935;\nhttp_api { enabled on; auth { enabled on; username a; password b; } }\n", file: "s.conf", environment: [
            "SRS_HTTP_API_AUTH_PASSWORD": "open sesame", "SRS_LISTEN": "1935 1936", "SRS_VHOST_HLS_ENABLED": "on",
        ])
        XCTAssertEqual(config.httpAPI.password, "open sesame", "one value, spaces included")
        XCTAssertEqual(config.listen.map(\.port), [1935, 1936], "listen takes several")
        XCTAssertEqual(config.vhost(named: "__defaultVhost__")?.hls.enabled, true, "the implied default vhost takes vhost overrides")
        let shown = config.environmentOverrides.map(\.description)
        XCTAssertTrue(shown.contains("SRS_HTTP_API_AUTH_PASSWORD=****** (http_api.auth.password)"), "\(shown)")
        XCTAssertFalse(shown.joined().contains("sesame"))
    }

    func testEveryOverriddenDirectiveIsOneTheSchemaKnows() throws {
        // Each variable set to a value of the right shape for most directives: the schema must
        // know every path (no "unknown directive"); values may still be refused by type.
        for (variable, path) in EnvironmentOverrides.table {
            do {
                _ = try ServerConfig.parse(text: "vhost v { }", file: "t.conf", environment: [variable: "1"])
            } catch let error as ConfigError {
                XCTAssertFalse(error.message.contains("unknown"), "\(variable) -> \(path): \(error)")
            }
        }
    }
}
