import XCTest

import SRSConfig

final class ConfigSchemaTests: XCTestCase {
    private func loadError(_ text: String) -> ConfigError? {
        configError { _ = try ServerConfig.parse(text: text, file: "conf/x.conf") }
    }

    func testUnknownTopLevelDirective() throws {
        let error = try XCTUnwrap(loadError("listen 1935;\nlisten_port 1935;\n"))
        XCTAssertEqual(error.file, "conf/x.conf")
        XCTAssertEqual(error.line, 2)
        XCTAssertEqual(error.directive, "listen_port")
        XCTAssertNil(error.context)
        XCTAssertEqual(error.description, "conf/x.conf:2: directive 'listen_port': unknown directive")
    }

    func testUnknownVhostLevelDirective() throws {
        let text = (1...11).map { _ in "\n" }.joined() + "vhost __defaultVhost__ {\n    gop_cahce on;\n}\n"
        let error = try XCTUnwrap(loadError(text))
        XCTAssertEqual(error.line, 13)
        XCTAssertEqual(error.directive, "gop_cahce")
        XCTAssertEqual(error.context, "vhost __defaultVhost__")
        XCTAssertEqual(
            error.description,
            "conf/x.conf:13: directive 'gop_cahce' in vhost __defaultVhost__: unknown directive"
        )
    }

    func testUnknownDirectiveInNestedBlockNamesThePath() throws {
        let error = try XCTUnwrap(loadError("vhost v {\n transcode live {\n engine ff {\n vcodecs x;\n }\n }\n}"))
        XCTAssertEqual(error.line, 4)
        XCTAssertEqual(error.directive, "vcodecs")
        XCTAssertEqual(error.context, "vhost v > transcode live > engine ff")
    }

    func testDirectiveOfAnotherLevelIsUnknown() throws {
        XCTAssertEqual(loadError("gop_cache on;")?.message, "unknown directive")
        XCTAssertEqual(loadError("vhost v { max_connections 5; }")?.directive, "max_connections")
        XCTAssertEqual(loadError("vhost v { play { mr on; } }")?.context, "vhost v > play")
        XCTAssertEqual(loadError("vhost v { hls { enabled on; gop_cache on; } }")?.context, "vhost v > hls")
    }

    func testBlockDirectiveWrittenAsLeafAndLeafWrittenAsBlock() throws {
        let needsBlock = try XCTUnwrap(loadError("\nvhost v { hls on; }"))
        XCTAssertEqual(needsBlock.line, 2)
        XCTAssertEqual(needsBlock.directive, "hls")
        XCTAssertEqual(needsBlock.message, "needs a block { ... }")
        XCTAssertEqual(loadError("vhost v;")?.message, "needs a block { ... }")
        let noBlock = try XCTUnwrap(loadError("vhost v { gop_cache on { } }"))
        XCTAssertEqual(noBlock.directive, "gop_cache")
        XCTAssertEqual(noBlock.message, "takes no block; end it with ';'")
    }

    func testEverySRS2DirectiveAndAliasIsAccepted() throws {
        let config = try ServerConfig.parse(text: Self.everySRS2Directive, file: "all.conf")
        XCTAssertEqual(config.vhosts.map(\.name), ["__defaultVhost__", "edge.example.com"])
    }

    func testSRS3TopLevelDirectivesAreAccepted() throws {
        let text = """
            inotify_auto_reload on; auto_reload_for_docker on; grace_start_wait 2300; grace_final_wait 3200;
            force_grace_quit off; disable_daemon_for_docker on; tcmalloc_release_rate 0.8;
            query_latest_version off; first_wait_for_qlv 30; srs_log_flush on; empty_ip_ok on;
            circuit_breaker { enabled on; high_threshold 90; high_pulse 2; critical_threshold 95;
                critical_pulse 1; dying_threshold 99; dying_pulse 5; }
            """
        let config = try ServerConfig.parse(text: text, file: "x")
        XCTAssertEqual(config.unsupportedDirectives.count, 12)
    }

    func testUnsupportedDirectivesAreListedInFileOrderAndDisabledBlocksAreSkipped() throws {
        let config = try ServerConfig.parse(text: """
            listen 1935;
            http_api { enabled on; listen 1985; }
            http_server { enabled off; }
            circuit_breaker { enabled on; }
            vhost a {
                gop_cache on;
                debug_srs_upnode on;
                play { mw_latency 100; mw_msgs 8; }
                mr { enabled on; }
                hls { enabled on; }
                dvr { enabled off; }
                dash { enabled on; }
            }
            vhost off.example { enabled off; hls { enabled on; } }
            """, file: "u.conf")
        XCTAssertEqual(
            config.unsupportedDirectives.map { "\($0.name)@\($0.line)" },
            ["circuit_breaker@4", "debug_srs_upnode@7", "mw_msgs@8", "dash@12"]
        )
    }

    func testNothingUnsupportedInAPlainConfig() throws {
        let config = try ServerConfig.parse(text: "listen 1935; vhost v { gop_cache on; play { atc on; } }", file: "x")
        XCTAssertEqual(config.unsupportedDirectives, [])
    }

    /// Every SRS 2.0 directive of srs-compat.md section 2, both aliases, and the SRS 3+ blocks.
    static let everySRS2Directive = """
        listen 1935; pid ./objs/srs.pid; chunk_size 60000; ff_log_dir ./objs; srs_log_tank console;
        srs_log_level trace; srs_log_file ./objs/srs.log; max_connections 1000; daemon off;
        utc_time off; work_dir ./; asprocess off; pithy_print_ms 10000;
        heartbeat { enabled off; interval 9.3; url http://127.0.0.1:8085/api/v1/servers; device_id "x"; summaries off; }
        stats { network 0; disk sda sdb; }
        http_api { enabled on; listen 1985; crossdomain on; }
        http_server { enabled on; listen 8080; dir ./objs/nginx/html; }
        stream_caster { enabled off; caster mpegts_over_udp; output rtmp://127.0.0.1/live/s; listen 8935;
            rtp_port_min 57200; rtp_port_max 57300; }
        vhost __defaultVhost__ {
            enabled on; chunk_size 60000;
            mode remote; origin 127.0.0.1:1935 localhost:1935; token_traverse off; vhost other; debug_srs_upnode on;
            security { enabled on; allow play all; deny publish 10.0.0.1; }
            min_latency off; mr { enabled off; latency 350; } mw_latency 350; tcp_nodelay off;
            gop_cache on; queue_length 30; send_min_interval 10.5; reduce_sequence_header on;
            publish_1stpkt_timeout 20000; publish_normal_timeout 5000; parse_sps on;
            refer a.com; refer_publish a.com; refer_play a.com; forward 127.0.0.1:1936 127.0.0.1:1937;
            time_jitter zero; mix_correct on; atc on; atc_auto off;
            dvr { enabled on; dvr_plan segment; dvr_path ./objs/[app]/[stream].[timestamp].flv; dvr_duration 30;
                dvr_wait_keyframe on; time_jitter full; }
            ingest livestream { enabled on; input { type file; url ./a.flv; } ffmpeg ./ffmpeg;
                engine { enabled off; output rtmp://127.0.0.1:[port]/live?vhost=[vhost]/livestream; } }
            http_static { enabled on; mount [vhost]/; dir ./html; }
            http_remux { enabled on; fast_cache 30; mount [vhost]/[app]/[stream].flv; hstrs on; }
            hls { enabled on; hls_fragment 10; hls_td_ratio 1.5; hls_aof_ratio 2.0; hls_window 60;
                hls_on_error continue; hls_storage disk; hls_path ./html; hls_mount [vhost]/[app]/[stream].m3u8;
                hls_m3u8_file [app]/[stream].m3u8; hls_ts_file [app]/[stream]-[seq].ts; hls_ts_floor off;
                hls_entry_prefix http://x; hls_acodec aac; hls_vcodec h264; hls_cleanup on; hls_dispose 0;
                hls_nb_notify 64; hls_wait_keyframe on; }
            hds { enabled on; hds_fragment 10; hds_window 60; hds_path ./html; }
            http_hooks { enabled on; on_connect http://a http://b; on_close http://a; on_publish http://a;
                on_unpublish http://a; on_play http://a; on_stop http://a; on_dvr http://a; on_hls http://a;
                on_hls_notify http://a/[ts_url]; }
            transcode live/livestream { enabled on; ffmpeg ./ffmpeg;
                engine ff { enabled on; iformat flv; vfilter { i logo.png; filter_complex 'overlay=10:10'; }
                    vcodec libx264; vbitrate 1500; vfps 25; vwidth 768; vheight 320; vthreads 12;
                    vprofile main; vpreset medium; vparams { t 100; } acodec libfdk_aac; abitrate 70;
                    asample_rate 44100; achannels 2; aparams { profile:a aac_low; } oformat flv;
                    output rtmp://127.0.0.1:[port]/[app]?vhost=[vhost]/[stream]_[engine]; } }
            bandcheck { enabled on; key "35c9b402c12a7246868752e2878f7e0e"; interval 30; limit_kbps 4000; }
        }
        vhost edge.example.com {
            cluster { mode remote; origin 127.0.0.1:1935; token_traverse on; vhost v; debug_srs_upnode on;
                coworkers 127.0.0.1:9091; origin_cluster off; }
            play { gop_cache off; mw_msgs 8; }
            publish { mr on; try_annexb_first on; kickoff_for_idle 0; }
            forward { enabled on; destination 127.0.0.1:1936; backend http://x; }
            refer { enabled on; all a.com; publish a.com; play a.com; }
        }
        """
}
