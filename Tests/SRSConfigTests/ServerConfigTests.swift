import XCTest

import SRSConfig

final class ServerConfigTests: XCTestCase {
    private func load(_ text: String) throws -> ServerConfig {
        try ServerConfig.parse(text: text, file: "conf/x.conf")
    }

    private func loadError(_ text: String) -> ConfigError? {
        configError { _ = try ServerConfig.parse(text: text, file: "conf/x.conf") }
    }

    // MARK: - Defaults

    func testEmptyConfigHasSRSDefaultsAndADefaultVhost() throws {
        let config = try load("")
        XCTAssertEqual(config.listen, [ListenAddress(host: "", port: 1935)])
        XCTAssertEqual(config.pidFile, "./objs/srs.pid")
        XCTAssertEqual(config.chunkSize, 60000)
        XCTAssertEqual(config.maxConnections, 1000)
        XCTAssertTrue(config.daemon)
        XCTAssertEqual(config.logTank, .console)
        XCTAssertEqual(config.logLevel, .trace)
        XCTAssertEqual(config.logFile, "./objs/srs.log")
        XCTAssertFalse(config.utcTime)
        XCTAssertEqual(config.workDir, "./")
        XCTAssertEqual(config.ffLogDir, "./objs")
        XCTAssertFalse(config.asprocess)
        XCTAssertEqual(config.pithyPrintMs, 10000)
        XCTAssertEqual(config.path, "conf/x.conf")
        XCTAssertEqual(config.root, [])
        XCTAssertEqual(config.unsupportedDirectives, [])
        XCTAssertEqual(config.vhosts.map(\.name), ["__defaultVhost__"])
        XCTAssertEqual(config.vhosts.first, VhostConfig(name: "__defaultVhost__"))
    }

    func testVhostDefaults() throws {
        let vhost = try XCTUnwrap(try load("vhost v { }").vhost(named: "v"))
        XCTAssertEqual(vhost.name, "v")
        XCTAssertTrue(vhost.enabled)
        XCTAssertNil(vhost.chunkSize)
        XCTAssertTrue(vhost.gopCache)
        XCTAssertEqual(vhost.queueLengthSeconds, 30)
        XCTAssertEqual(vhost.mwLatencyMs, 350)
        XCTAssertFalse(vhost.mrEnabled)
        XCTAssertEqual(vhost.mrLatencyMs, 350)
        XCTAssertFalse(vhost.minLatency)
        XCTAssertFalse(vhost.tcpNodelay)
        XCTAssertEqual(vhost.timeJitter, .full)
        XCTAssertFalse(vhost.mixCorrect)
        XCTAssertFalse(vhost.atc)
        XCTAssertTrue(vhost.atcAuto)
        XCTAssertEqual(vhost.sendMinIntervalMs, 0)
        XCTAssertFalse(vhost.reduceSequenceHeader)
        XCTAssertEqual(vhost.publishFirstPacketTimeoutMs, 20000)
        XCTAssertEqual(vhost.publishNormalTimeoutMs, 5000)
        XCTAssertTrue(vhost.parseSps)
        XCTAssertEqual(vhost.directive.line, 1)
        XCTAssertEqual(typedSettings(vhost), typedSettings(VhostConfig(name: "other")))
    }

    func testTopLevelValues() throws {
        let config = try load("""
            listen 127.0.0.1:1936 [::1]:1937 0; pid /run/srs.pid; chunk_size 4096; max_connections 3;
            daemon off; srs_log_tank file; srs_log_level warn; srs_log_file /var/log/srs.log;
            utc_time on; work_dir /srv; ff_log_dir /dev/null; asprocess on; pithy_print_ms 5000;
            """)
        XCTAssertEqual(config.listen, [
            ListenAddress(host: "127.0.0.1", port: 1936),
            ListenAddress(host: "::1", port: 1937),
            ListenAddress(host: "", port: 0),
        ])
        XCTAssertEqual(config.pidFile, "/run/srs.pid")
        XCTAssertEqual(config.chunkSize, 4096)
        XCTAssertEqual(config.maxConnections, 3)
        XCTAssertFalse(config.daemon)
        XCTAssertEqual(config.logTank, .file)
        XCTAssertEqual(config.logLevel, .warn)
        XCTAssertEqual(config.logFile, "/var/log/srs.log")
        XCTAssertTrue(config.utcTime)
        XCTAssertEqual(config.workDir, "/srv")
        XCTAssertEqual(config.ffLogDir, "/dev/null")
        XCTAssertTrue(config.asprocess)
        XCTAssertEqual(config.pithyPrintMs, 5000)
    }

    func testLogLevelsAreOrdered() {
        XCTAssertLessThan(LogLevel.verbose, .info)
        XCTAssertLessThan(LogLevel.info, .trace)
        XCTAssertLessThan(LogLevel.trace, .warn)
        XCTAssertLessThan(LogLevel.warn, .error)
        XCTAssertEqual(LogLevel(name: "verbose"), .verbose)
        XCTAssertNil(LogLevel(name: "warning"))
    }

    // MARK: - Both shapes

    func testSRS2AndSRS3ShapesGiveTheSameTypedValues() throws {
        let config = try load("""
            vhost flat {
                gop_cache off; queue_length 10.5; mw_latency 100; send_min_interval 2.5;
                reduce_sequence_header on; time_jitter zero; mix_correct on; atc on; atc_auto off;
                mr { enabled on; latency 120; }
                publish_1stpkt_timeout 3000; publish_normal_timeout 1500; parse_sps off;
                min_latency on; tcp_nodelay on; chunk_size 4096; enabled off;
            }
            vhost blocks {
                play {
                    gop_cache off; queue_length 10.5; mw_latency 100; send_min_interval 2.5;
                    reduce_sequence_header on; time_jitter zero; mix_correct on; atc on; atc_auto off;
                }
                publish { mr on; mr_latency 120; firstpkt_timeout 3000; normal_timeout 1500; parse_sps off; }
                min_latency on; tcp_nodelay on; chunk_size 4096; enabled off;
            }
            """)
        let flat = try XCTUnwrap(config.vhost(named: "flat"))
        let blocks = try XCTUnwrap(config.vhost(named: "blocks"))
        XCTAssertEqual(typedSettings(flat), typedSettings(blocks))
        XCTAssertNotEqual(typedSettings(flat), typedSettings(VhostConfig(name: "flat")))
        XCTAssertFalse(flat.gopCache)
        XCTAssertEqual(flat.queueLengthSeconds, 10.5)
        XCTAssertEqual(flat.mwLatencyMs, 100)
        XCTAssertEqual(flat.sendMinIntervalMs, 2.5)
        XCTAssertTrue(flat.reduceSequenceHeader)
        XCTAssertEqual(flat.timeJitter, .zero)
        XCTAssertTrue(flat.mixCorrect)
        XCTAssertTrue(flat.atc)
        XCTAssertFalse(flat.atcAuto)
        XCTAssertTrue(flat.mrEnabled)
        XCTAssertEqual(flat.mrLatencyMs, 120)
        XCTAssertEqual(flat.publishFirstPacketTimeoutMs, 3000)
        XCTAssertEqual(flat.publishNormalTimeoutMs, 1500)
        XCTAssertFalse(flat.parseSps)
        XCTAssertTrue(flat.minLatency)
        XCTAssertTrue(flat.tcpNodelay)
        XCTAssertEqual(flat.chunkSize, 4096)
        XCTAssertFalse(flat.enabled)
        XCTAssertEqual(blocks.directive.child("play")?.children.count, 9)
    }

    func testSettingInBothShapesTakesTheFirstWithAWarning() throws {
        let config = try load("vhost v {\n gop_cache off;\n play {\n  gop_cache on;\n }\n}")
        XCTAssertFalse(config.vhosts[0].gopCache)
        XCTAssertEqual(config.warnings.map(\.description),
                       ["conf/x.conf:4: directive 'gop_cache': set again (first at conf/x.conf:2, whose value is used); this one is ignored"])
    }

    func testSettingTwiceInOneShapeTakesTheFirstWithAWarning() throws {
        let config = try load("listen 1935;\nmax_connections 1;\nmax_connections 2;")
        XCTAssertEqual(config.maxConnections, 1, "SRS's get() finds the first")
        XCTAssertEqual(config.warnings.map(\.line), [3])
        XCTAssertEqual(config.warnings.first?.directive, "max_connections")
    }

    // MARK: - Vhosts

    func testVhostsKeepFileOrderAndNoDefaultIsAddedWhenAnyVhostExists() throws {
        let config = try load("vhost b { } vhost a { } vhost __defaultVhost__ { gop_cache off; }")
        XCTAssertEqual(config.vhosts.map(\.name), ["b", "a", "__defaultVhost__"])
        let other = try load("vhost only.example.com { }")
        XCTAssertEqual(other.vhosts.map(\.name), ["only.example.com"])
        XCTAssertNil(other.vhost(named: "__defaultVhost__"))
    }

    func testVhostLookup() throws {
        let config = try load("vhost a { gop_cache off; } vhost __defaultVhost__ { }")
        XCTAssertEqual(config.vhost(named: "a")?.gopCache, false)
        XCTAssertNil(config.vhost(named: "A"))
        XCTAssertEqual(config.vhostOrDefault("a")?.name, "a")
        XCTAssertEqual(config.vhostOrDefault("unknown.com")?.name, "__defaultVhost__")
        XCTAssertNil(try load("vhost a { }").vhostOrDefault("b"))
        XCTAssertEqual(try load("").vhostOrDefault("b")?.name, "__defaultVhost__")
    }

    func testDuplicateVhostTakesTheFirstWithAWarning() throws {
        let config = try load("vhost a { gop_cache off; }\nvhost b { }\nvhost a { }")
        XCTAssertEqual(config.vhosts.map(\.name), ["a", "b"])
        XCTAssertEqual(config.vhost(named: "a")?.gopCache, false)
        XCTAssertEqual(config.warnings.map(\.description),
                       ["conf/x.conf:3: directive 'vhost': vhost 'a' is defined again (first at conf/x.conf:1, which is used); this one is ignored"])
    }

    func testVhostNeedsExactlyOneName() throws {
        XCTAssertEqual(loadError("vhost { }")?.message, "needs a name, e.g. vhost __defaultVhost__ { ... }")
        XCTAssertEqual(loadError("vhost a b { }")?.message, "takes one name, got 2")
    }

    // MARK: - Bad values

    func testBadNumberNamesTheDirective() throws {
        let error = try XCTUnwrap(loadError("\nvhost v {\n  mw_latency 35O;\n}"))
        XCTAssertEqual(error.line, 3)
        XCTAssertEqual(error.directive, "mw_latency")
        XCTAssertEqual(error.description, "conf/x.conf:3: directive 'mw_latency' in vhost v: expects a whole number, got '35O'")
        XCTAssertEqual(loadError("max_connections 1e3;")?.message, "expects a whole number, got '1e3'")
        XCTAssertEqual(loadError("max_connections +5;")?.message, "expects a whole number, got '+5'")
        XCTAssertEqual(loadError("vhost v { queue_length ten; }")?.message, "expects a number, got 'ten'")
        XCTAssertEqual(loadError("vhost v { queue_length nan; }")?.message, "expects a number, got 'nan'")
        XCTAssertEqual(loadError("vhost v { play { send_min_interval -1; } }")?.message, "must be at least 0, got '-1'")
        XCTAssertEqual(loadError("vhost v { publish { normal_timeout -5; } }")?.message, "must be at least 0, got '-5'")
        XCTAssertEqual(loadError("pithy_print_ms 0;")?.message, "must be at least 1, got '0'")
        XCTAssertEqual(loadError("vhost v { mr { latency 1.5; } }")?.context, "vhost v > mr")
    }

    func testBadFlagNamesTheDirective() throws {
        let error = try XCTUnwrap(loadError("vhost v {\n play {\n  gop_cache yes;\n }\n}"))
        XCTAssertEqual(error.line, 3)
        XCTAssertEqual(error.directive, "gop_cache")
        XCTAssertEqual(error.description, "conf/x.conf:3: directive 'gop_cache' in vhost v > play: expects on or off, got 'yes'")
        XCTAssertEqual(loadError("daemon true;")?.message, "expects on or off, got 'true'")
        XCTAssertEqual(loadError("daemon ON;")?.message, "expects on or off, got 'ON'")
        XCTAssertEqual(loadError("daemon;")?.message, "expects a value")
        XCTAssertEqual(try load("daemon on off;").warnings.first?.message, "expects 1 value, got 2; 'on' is used, the rest ignored (a missing ';'?)")
    }

    func testBadChoices() throws {
        XCTAssertEqual(loadError("vhost v { time_jitter half; }")?.message, "expects full, zero or off, got 'half'")
        XCTAssertEqual(loadError("srs_log_tank syslog;")?.message, "expects console or file, got 'syslog'")
        XCTAssertEqual(
            loadError("srs_log_level debug;")?.message,
            "expects verbose, info, trace, warn or error, got 'debug'"
        )
        XCTAssertEqual(loadError("pid '';")?.message, "expects a value, got ''")
    }

    func testChunkSizeRange() throws {
        XCTAssertEqual(try load("chunk_size 128;").chunkSize, 128)
        XCTAssertEqual(try load("chunk_size 65536;").chunkSize, 65536)
        XCTAssertEqual(loadError("chunk_size 127;")?.message, "must be between 128 and 65536, got '127'")
        XCTAssertEqual(loadError("chunk_size 65537;")?.message, "must be between 128 and 65536, got '65537'")
        let vhostError = try XCTUnwrap(loadError("vhost v { chunk_size 100; }"))
        XCTAssertEqual(vhostError.context, "vhost v")
        XCTAssertEqual(vhostError.message, "must be between 128 and 65536, got '100'")
    }

    func testBadListen() throws {
        let error = try XCTUnwrap(loadError("\nlisten 1935 65536;"))
        XCTAssertEqual(error.line, 2)
        XCTAssertEqual(error.directive, "listen")
        XCTAssertEqual(error.message, "'65536': port must be between 0 and 65535, got '65536'")
        XCTAssertEqual(loadError("listen;")?.message, "expects at least one [host:]port")
        XCTAssertEqual(loadError("listen 1935 1935;")?.message, "'1935' is listed twice")
        XCTAssertEqual(loadError("listen rtmp;")?.message, "'rtmp': port must be a whole number, got 'rtmp'")
    }

    func testEveryRemuxMountIsServedOnePerFormat() throws {
        let config = try ServerConfig.parse(text: """
            vhost v { http_remux { enabled on; mount [vhost]/[app]/[stream].flv; mount [vhost]/[app]/[stream].mp4; } }
            """, file: "m.conf")
        let vhost = try XCTUnwrap(config.vhost(named: "v"))
        XCTAssertEqual(vhost.httpRemux.mounts, ["[vhost]/[app]/[stream].flv", "[vhost]/[app]/[stream].mp4"])
        XCTAssertEqual(vhost.httpRemux.mount, "[vhost]/[app]/[stream].flv", "SRS's one mount is the first")
        XCTAssertEqual(config.warnings.map(\.description), [], "repeated mounts are not a mistake")
        let twice = configError {
            _ = try ServerConfig.parse(text: "vhost v { http_remux { enabled on; mount a/[stream].flv;\n mount b/[stream].flv; } }", file: "m.conf")
        }
        XCTAssertEqual(twice?.line, 2)
        XCTAssertTrue(twice?.message.contains("second .flv mount") == true, "\(String(describing: twice))")
    }

    func testHTTPBlocksAndTheirAliases() throws {
        let config = try ServerConfig.parse(text: """
            http_api { enabled on; listen 127.0.0.1:1986; crossdomain off; }
            http_stream { enabled on; listen 8081; dir /srv/www; }
            vhost v { http_remux { enabled on; mount [vhost]/[app]/[stream].ts; fast_cache 2.5; hstrs off; }
                      http { enabled on; mount [vhost]/static; dir /srv/static; } }
            """, file: "h.conf")
        XCTAssertTrue(config.httpAPI.enabled)
        XCTAssertEqual(config.httpAPI.listen, ListenAddress(host: "127.0.0.1", port: 1986))
        XCTAssertFalse(config.httpAPI.crossdomain)
        XCTAssertTrue(config.httpServer.enabled)
        XCTAssertEqual(config.httpServer.listen.port, 8081)
        XCTAssertEqual(config.httpServer.dir, "/srv/www")
        let vhost = try XCTUnwrap(config.vhost(named: "v"))
        XCTAssertEqual(vhost.httpRemux, HTTPRemuxConfig(enabled: true, mount: "[vhost]/[app]/[stream].ts", fastCache: 2.5, hstrs: false))
        XCTAssertEqual(vhost.httpStatic.mount, "[vhost]/static")
        XCTAssertEqual(vhost.httpStatic.dir, "/srv/static")
        XCTAssertTrue(vhost.httpStatic.enabled)
        XCTAssertTrue(config.unsupportedDirectives.isEmpty, "\(config.unsupportedDirectives)")
    }

    func testHDSAndBandcheckBlocks() throws {
        let config = try load("""
            vhost a { hds { enabled on; hds_fragment 2.5; hds_window 30; hds_path /srv/hds; } atc_auto off; }
            vhost bandcheck.example.com { bandcheck { enabled on; key "35c9b402"; interval 5; limit_kbps 4000; } }
            """)
        let a = try XCTUnwrap(config.vhost(named: "a"))
        XCTAssertEqual(a.hds, { var hds = HDSConfig(); hds.enabled = true; hds.fragment = 2.5; hds.window = 30; hds.path = "/srv/hds"; return hds }())
        XCTAssertFalse(a.bandcheck.enabled)
        XCTAssertFalse(a.atcAuto)
        let check = try XCTUnwrap(config.vhost(named: "bandcheck.example.com")).bandcheck
        XCTAssertEqual(check.key, "35c9b402")
        XCTAssertEqual(check.interval, 5)
        XCTAssertEqual(check.limitKbps, 4000)
        XCTAssertEqual(VhostConfig(name: "x").hds.fragment, 10, "SRS's defaults")
        XCTAssertEqual(VhostConfig(name: "x").hds.window, 60)
        XCTAssertEqual(VhostConfig(name: "x").bandcheck.limitKbps, 1000)
        XCTAssertTrue(config.unsupportedDirectives.isEmpty, "\(config.unsupportedDirectives)")
        XCTAssertNotNil(loadError("vhost a { bandcheck { enabled on; limit_kbps 0; } }"), "a limit of 0 kbps")
        XCTAssertNotNil(loadError("vhost a { hds { enabled on; hds_fragment 0; } }"))
    }
}
