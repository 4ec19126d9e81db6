/// Which directives an SRS config may hold, at which level, and which of them this server uses.
///
/// Known: every directive that SRS 2.0 to 6.0 accept, at the levels where they accept it (the
/// names each version's `check_normal_config` in `srs_app_config.cpp` allows, 2.0release to
/// 6.0release). Where SRS checks no names (`https { }`, the blocks inside `rtc_server`,
/// `perfile { }`), neither does this server. Names no SRS version knows are errors.
/// Aliases: `http_stream` = `http_server` (top level), `http` = `http_static` (vhost).
public enum ConfigSchema {
    /// Throws a ``ConfigError`` for the first directive that is unknown at its level, or is
    /// written with a block where it takes none, or without one where it needs one.
    public static func validate(_ root: [ConfigDirective]) throws {
        try validate(root, rules: topLevel, context: nil)
    }

    /// Known directives this server does not act on yet, in file order, so that the server can
    /// warn about each. A block counts as one entry (its children are not listed). Blocks whose
    /// `enabled` is `off` are skipped: they ask for nothing. Expects a tree that passed ``validate(_:)``.
    public static func unsupportedDirectives(in root: [ConfigDirective]) -> [ConfigDirective] {
        var found: [ConfigDirective] = []
        collectUnsupported(root, rules: topLevel, into: &found)
        return found
    }

    /// Where a directive sits, for error messages: `vhost a.com > transcode live > engine`.
    static func context(parent: String?, block: ConfigDirective) -> String {
        var segment = block.name
        if let first = block.arg0 {
            segment += " \(first)"
        }
        guard let parent else {
            return segment
        }
        return "\(parent) > \(segment)"
    }

    private static func validate(
        _ directives: [ConfigDirective],
        rules: [String: DirectiveRule],
        context: String?
    ) throws(ConfigError) {
        for directive in directives {
            guard let rule = rules[directive.name] else {
                throw ConfigError(at: directive, context: context, message: "unknown directive")
            }
            switch rule.shape {
            case .leaf:
                if directive.hasBlock {
                    throw ConfigError(at: directive, context: context, message: "takes no block; end it with ';'")
                }
            case .block(let children):
                guard directive.hasBlock else {
                    throw ConfigError(at: directive, context: context, message: "needs a block { ... }")
                }
                try validate(directive.children, rules: children, context: Self.context(parent: context, block: directive))
            case .leafOrBlock(let children):
                if directive.hasBlock {
                    try validate(
                        directive.children,
                        rules: children,
                        context: Self.context(parent: context, block: directive)
                    )
                }
            case .freeBlock:
                guard directive.hasBlock else {
                    throw ConfigError(at: directive, context: context, message: "needs a block { ... }")
                }
            case .anything:
                break
            }
        }
    }

    private static func collectUnsupported(
        _ directives: [ConfigDirective],
        rules: [String: DirectiveRule],
        into found: inout [ConfigDirective]
    ) {
        for directive in directives {
            guard let rule = rules[directive.name] else {
                continue
            }
            if directive.hasBlock && directive.child("enabled")?.arg0 == "off" {
                continue
            }
            guard rule.implemented else {
                found.append(directive)
                continue
            }
            if case .block(let children) = rule.shape {
                collectUnsupported(directive.children, rules: children, into: &found)
            }
        }
    }

    // MARK: - Tables

    /// `engine` of `transcode` and `ingest`.
    private static let engine: DirectiveRule = .block(
        DirectiveRule.implementedLeaves([
            "enabled", "iformat", "vcodec", "vbitrate", "vfps", "vwidth", "vheight", "vthreads",
            "vprofile", "vpreset", "acodec", "abitrate", "asample_rate", "achannels", "oformat", "output",
        ]).adding([
            "vfilter": DirectiveRule(shape: .freeBlock, implemented: true),
            "vparams": DirectiveRule(shape: .freeBlock, implemented: true),
            "aparams": DirectiveRule(shape: .freeBlock, implemented: true),
            "perfile": DirectiveRule(shape: .freeBlock, implemented: true),  // SRS 3+: ffmpeg input options
        ]),
        implemented: true
    )

    private static let httpServer: DirectiveRule = .block(
        DirectiveRule.implementedLeaves(["enabled", "listen", "dir"]).adding(DirectiveRule.leaves(["crossdomain"]))
            .adding(DirectiveRule.loose(["https"])),
        implemented: true)
    private static let httpStatic: DirectiveRule = .block(DirectiveRule.implementedLeaves(["enabled", "mount", "dir"]), implemented: true)

    /// SRS 3+ `play { }`.
    private static let play: DirectiveRule = .block(
        DirectiveRule.implementedLeaves([
            "gop_cache", "queue_length", "mw_latency", "send_min_interval", "reduce_sequence_header",
            "time_jitter", "atc", "atc_auto",
        ]).adding(DirectiveRule.implementedLeaves(["mix_correct"])).adding(DirectiveRule.leaves(["mw_msgs", "gop_cache_max_frames"])),
        implemented: true
    )

    /// SRS 3+ `publish { }`.
    private static let publish: DirectiveRule = .block(
        DirectiveRule.implementedLeaves(["mr", "mr_latency", "firstpkt_timeout", "normal_timeout", "parse_sps"])
            .adding(DirectiveRule.leaves(["try_annexb_first", "kickoff_for_idle"])),
        implemented: true
    )

    private static let vhostLevel: [String: DirectiveRule] = DirectiveRule.implementedLeaves([
        "enabled", "chunk_size", "gop_cache", "queue_length", "mw_latency", "min_latency", "tcp_nodelay",
        "send_min_interval", "reduce_sequence_header", "time_jitter", "atc", "atc_auto",
        "publish_1stpkt_timeout", "publish_normal_timeout", "parse_sps",
    ]).adding(DirectiveRule.leaves([
        "debug_srs_upnode", "in_ack_size", "out_ack_size",
    ])).adding(DirectiveRule.implementedLeaves(["mix_correct"])).adding(DirectiveRule.implementedLeaves(["refer_publish", "refer_play", "mode", "origin", "token_traverse", "vhost"])).adding([
        "mr": .block(DirectiveRule.implementedLeaves(["enabled", "latency"]), implemented: true),
        "play": play,
        "publish": publish,
        "cluster": .block(DirectiveRule.implementedLeaves(["mode", "origin", "token_traverse", "vhost"])
            .adding(DirectiveRule.leaves(["debug_srs_upnode", "coworkers", "origin_cluster", "follow_client", "protocol"])), implemented: true),
        "forward": .leafOrBlock(DirectiveRule.implementedLeaves(["enabled", "destination"]).adding(DirectiveRule.leaves(["backend"])), implemented: true),
        "refer": .leafOrBlock(DirectiveRule.implementedLeaves(["enabled", "all", "publish", "play"]), implemented: true),
        "security": .block(DirectiveRule.implementedLeaves(["enabled", "allow", "deny"]), implemented: true),
        "dvr": .block(DirectiveRule.implementedLeaves([
            "enabled", "dvr_plan", "dvr_path", "dvr_duration", "dvr_wait_keyframe", "time_jitter", "dvr_apply",
        ]), implemented: true),
        "ingest": .block(DirectiveRule.implementedLeaves(["enabled", "ffmpeg"]).adding([
            "input": .block(DirectiveRule.implementedLeaves(["type", "url"]), implemented: true),
            "engine": engine,
        ]), implemented: true),
        "http_static": httpStatic,
        "http": httpStatic,
        "http_remux": .block(DirectiveRule.implementedLeaves(["enabled", "fast_cache", "mount", "hstrs"])
            .adding(DirectiveRule.leaves(["drop_if_not_match", "has_audio", "has_video", "guess_has_av"])), implemented: true),
        "hls": .block(DirectiveRule.implementedLeaves([
            "enabled", "hls_fragment", "hls_td_ratio", "hls_aof_ratio", "hls_window", "hls_on_error",
            "hls_path", "hls_m3u8_file", "hls_ts_file", "hls_ts_floor",
            "hls_entry_prefix", "hls_acodec", "hls_vcodec", "hls_cleanup", "hls_dispose",
            "hls_wait_keyframe",
        ]).adding(DirectiveRule.leaves([
            "hls_storage", "hls_mount", "hls_nb_notify", "hls_dts_directly", "hls_ctx", "hls_ts_ctx", "hls_fragments_per_key",
            "hls_keys", "hls_key_file", "hls_key_file_path", "hls_key_url",
        ])), implemented: true),
        "hds": .block(DirectiveRule.implementedLeaves(["enabled", "hds_fragment", "hds_window", "hds_path"]), implemented: true),
        "http_hooks": .block(DirectiveRule.implementedLeaves([
            "enabled", "on_connect", "on_close", "on_publish", "on_unpublish", "on_play", "on_stop", "on_hls", "on_dvr",
            "timeout", "fail_open",
        ]).adding(DirectiveRule.leaves(["on_hls_notify"])), implemented: true),
        "transcode": .block(DirectiveRule.implementedLeaves(["enabled", "ffmpeg"]).adding(["engine": engine]), implemented: true),
        "bandcheck": .block(DirectiveRule.implementedLeaves(["enabled", "key", "interval", "limit_kbps"]), implemented: true),
        // SRS 3+ features this server does not have.
        "exec": .block(DirectiveRule.leaves(["enabled", "publish"])),
        "dash": .block(DirectiveRule.leaves([
            "enabled", "dash_fragment", "dash_update_period", "dash_timeshift", "dash_path", "dash_mpd_file",
            "dash_window_size", "dash_cleanup", "dash_dispose",
        ])),
        "rtc": .block(DirectiveRule.leaves([
            "enabled", "nack", "nack_no_copy", "twcc", "stun_timeout", "stun_strict_check", "dtls_role", "dtls_version",
            "drop_for_pt", "rtc_to_rtmp", "pli_for_rtmp", "rtmp_to_rtc", "keep_bframe", "keep_avc_nalu_sei", "bframe", "aac",
            "aac_bitrate", "opus_bitrate",
        ])),
        "srt": .block(DirectiveRule.leaves(["enabled", "srt_to_rtmp"])),
    ])

    private static let topLevel: [String: DirectiveRule] = DirectiveRule.implementedLeaves([
        "listen", "pid", "chunk_size", "srs_log_tank", "srs_log_level", "srs_log_level_v2", "srs_log_file",
        "max_connections", "daemon", "utc_time", "work_dir", "asprocess", "pithy_print_ms",
        "max_waiting_players", "max_waiting_players_per_stream",  // SwiftSRS's own
        "ff_log_dir",
    ]).adding(DirectiveRule.leaves([
        // SRS 3+ directives accepted so that newer configs load.
        "inotify_auto_reload", "auto_reload_for_docker", "grace_start_wait", "grace_final_wait",
        "force_grace_quit", "disable_daemon_for_docker", "tcmalloc_release_rate", "query_latest_version",
        "first_wait_for_qlv", "srs_log_flush", "empty_ip_ok", "ff_log_level", "in_docker", "is_full", "server_id",
    ])).adding(DirectiveRule.loose(["threads", "tencentcloud_apm", "tencentcloud_cls"])).adding([
        "vhost": .block(vhostLevel, implemented: true),
        "http_api": .block(DirectiveRule.implementedLeaves(["enabled", "listen", "crossdomain"]).adding([
            "raw_api": .block(DirectiveRule.implementedLeaves(["enabled", "allow_reload"]).adding(DirectiveRule.leaves(["allow_query", "allow_update"])),
                              implemented: true),
            "auth": .block(DirectiveRule.implementedLeaves(["enabled", "username", "password"]), implemented: true),
            "https": .anything,
        ]), implemented: true),
        "http_server": httpServer,
        "http_stream": httpServer,
        "heartbeat": .block(DirectiveRule.implementedLeaves(["enabled", "interval", "url", "device_id", "summaries", "ports"]), implemented: true),
        "stats": .block(DirectiveRule.implementedLeaves(["network", "disk"]).adding(DirectiveRule.leaves(["enabled"])), implemented: true),
        "stream_caster": .block(DirectiveRule.implementedLeaves(["enabled", "caster", "output", "listen", "rtp_port_min", "rtp_port_max"])
            .adding(DirectiveRule.leaves([
                "rtp_idle_timeout", "host", "audio_enable", "auto_create_channel", "jitterbuffer_enable", "tcp_enable", "wait_keyframe",
            ])).adding(["sip": .block(DirectiveRule.leaves(["enabled", "listen", "timeout", "reinvite", "candidate"]))]), implemented: true),
        "rtc_server": .block(DirectiveRule.leaves([
            "enabled", "listen", "candidate", "ip_family", "ecdsa", "encrypt", "reuseport", "merge_nalus", "use_auto_detect_network_ip",
            "api_as_candidates", "resolve_api_domain", "keep_api_domain", "protocol", "dir",
        ]).adding(DirectiveRule.loose(["tcp", "black_hole"]))),
        "srt_server": .block(DirectiveRule.leaves([
            "enabled", "listen", "maxbw", "mss", "latency", "recvlatency", "peerlatency", "tsbpdmode", "tlpktdrop", "tlpkdrop",
            "connect_timeout", "peer_idle_timeout", "sendbuf", "recvbuf", "payloadsize", "default_app", "sei_filter", "mix_correct",
            "passphrase", "pbkeylen",
        ])),
        "exporter": .block(DirectiveRule.leaves(["enabled", "listen", "label", "tag"])),
        "circuit_breaker": .block(DirectiveRule.leaves([
            "enabled", "high_threshold", "high_pulse", "critical_threshold", "critical_pulse",
            "dying_threshold", "dying_pulse",
        ])),
    ])
}
