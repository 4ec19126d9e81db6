/// Which directives an SRS config may hold, at which level, and which of them this server uses.
///
/// Known: every SRS 2.0 directive, the SRS 3+ vhost blocks `play`, `publish`, `cluster`,
/// `forward { }` and `refer { }`, and a few SRS 3+ top-level directives often pasted from newer
/// configs (`inotify_auto_reload`, `grace_start_wait`, `circuit_breaker { }`, ...).
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
        DirectiveRule.leaves([
            "enabled", "iformat", "vcodec", "vbitrate", "vfps", "vwidth", "vheight", "vthreads",
            "vprofile", "vpreset", "acodec", "abitrate", "asample_rate", "achannels", "oformat", "output",
        ]).adding([
            "vfilter": .freeBlock,
            "vparams": .freeBlock,
            "aparams": .freeBlock,
        ])
    )

    private static let httpServer: DirectiveRule = .block(DirectiveRule.implementedLeaves(["enabled", "listen", "dir"]), implemented: true)
    private static let httpStatic: DirectiveRule = .block(DirectiveRule.implementedLeaves(["enabled", "mount", "dir"]), implemented: true)

    /// SRS 3+ `play { }`.
    private static let play: DirectiveRule = .block(
        DirectiveRule.implementedLeaves([
            "gop_cache", "queue_length", "mw_latency", "send_min_interval", "reduce_sequence_header",
            "time_jitter", "atc",
        ]).adding(DirectiveRule.leaves(["mw_msgs", "mix_correct", "atc_auto"])),
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
        "send_min_interval", "reduce_sequence_header", "time_jitter", "atc",
        "publish_1stpkt_timeout", "publish_normal_timeout", "parse_sps",
    ]).adding(DirectiveRule.leaves([
        "mix_correct", "atc_auto", "debug_srs_upnode",
    ])).adding(DirectiveRule.implementedLeaves(["refer_publish", "refer_play", "mode", "origin", "token_traverse", "vhost"])).adding([
        "mr": .block(DirectiveRule.implementedLeaves(["enabled", "latency"]), implemented: true),
        "play": play,
        "publish": publish,
        "cluster": .block(DirectiveRule.implementedLeaves(["mode", "origin", "token_traverse", "vhost"])
            .adding(DirectiveRule.leaves(["debug_srs_upnode", "coworkers", "origin_cluster"])), implemented: true),
        "forward": .leafOrBlock(DirectiveRule.implementedLeaves(["enabled", "destination"]).adding(DirectiveRule.leaves(["backend"])), implemented: true),
        "refer": .leafOrBlock(DirectiveRule.implementedLeaves(["enabled", "all", "publish", "play"]), implemented: true),
        "security": .block(DirectiveRule.implementedLeaves(["enabled", "allow", "deny"]), implemented: true),
        "dvr": .block(DirectiveRule.implementedLeaves([
            "enabled", "dvr_plan", "dvr_path", "dvr_duration", "dvr_wait_keyframe", "time_jitter", "dvr_apply",
        ]), implemented: true),
        "ingest": .block(DirectiveRule.leaves(["enabled", "ffmpeg"]).adding([
            "input": .block(DirectiveRule.leaves(["type", "url"])),
            "engine": engine,
        ])),
        "http_static": httpStatic,
        "http": httpStatic,
        "http_remux": .block(DirectiveRule.implementedLeaves(["enabled", "fast_cache", "mount", "hstrs"]), implemented: true),
        "hls": .block(DirectiveRule.implementedLeaves([
            "enabled", "hls_fragment", "hls_td_ratio", "hls_aof_ratio", "hls_window", "hls_on_error",
            "hls_path", "hls_m3u8_file", "hls_ts_file", "hls_ts_floor",
            "hls_entry_prefix", "hls_acodec", "hls_vcodec", "hls_cleanup", "hls_dispose",
            "hls_wait_keyframe",
        ]).adding(DirectiveRule.leaves(["hls_storage", "hls_mount", "hls_nb_notify"])), implemented: true),
        "hds": .block(DirectiveRule.leaves(["enabled", "hds_fragment", "hds_window", "hds_path"])),
        "http_hooks": .block(DirectiveRule.implementedLeaves([
            "enabled", "on_connect", "on_close", "on_publish", "on_unpublish", "on_play", "on_stop", "on_hls", "on_dvr",
            "timeout", "fail_open",
        ]).adding(DirectiveRule.leaves(["on_hls_notify"])), implemented: true),
        "transcode": .block(DirectiveRule.leaves(["enabled", "ffmpeg"]).adding(["engine": engine])),
        "bandcheck": .block(DirectiveRule.leaves(["enabled", "key", "interval", "limit_kbps"])),
    ])

    private static let topLevel: [String: DirectiveRule] = DirectiveRule.implementedLeaves([
        "listen", "pid", "chunk_size", "srs_log_tank", "srs_log_level", "srs_log_file",
        "max_connections", "daemon", "utc_time", "work_dir", "asprocess", "pithy_print_ms",
    ]).adding(DirectiveRule.leaves([
        "ff_log_dir",  // used by transcode and ingest, which are not implemented yet
        // SRS 3+ directives accepted so that newer configs load.
        "inotify_auto_reload", "auto_reload_for_docker", "grace_start_wait", "grace_final_wait",
        "force_grace_quit", "disable_daemon_for_docker", "tcmalloc_release_rate", "query_latest_version",
        "first_wait_for_qlv", "srs_log_flush", "empty_ip_ok",
    ])).adding([
        "vhost": .block(vhostLevel, implemented: true),
        "http_api": .block(DirectiveRule.implementedLeaves(["enabled", "listen", "crossdomain"]), implemented: true),
        "http_server": httpServer,
        "http_stream": httpServer,
        "heartbeat": .block(DirectiveRule.leaves(["enabled", "interval", "url", "device_id", "summaries"])),
        "stats": .block(DirectiveRule.leaves(["network", "disk"])),
        "stream_caster": .block(DirectiveRule.leaves([
            "enabled", "caster", "output", "listen", "rtp_port_min", "rtp_port_max",
        ])),
        "circuit_breaker": .block(DirectiveRule.leaves([
            "enabled", "high_threshold", "high_pulse", "critical_threshold", "critical_pulse",
            "dying_threshold", "dying_pulse",
        ])),
    ])
}
