/// SRS 5's environment overrides, for containers: each directive that SRS 5's full.conf marks
/// "Overwrite by env SRS_..." takes that variable's value over the file's (a `vhost.` path
/// applies to every vhost). Applied to the parsed tree before it is checked and typed, so a
/// bad value is refused like one in the file, naming the variable.
public enum EnvironmentOverrides {
    /// (variable, directive path) from SRS 5.0's conf/full.conf, in its order.
    public static let table: [(variable: String, path: String)] = [
        ("SRS_SERVER_ID", "server_id"),
        ("SRS_PID", "pid"),
        ("SRS_FF_LOG_DIR", "ff_log_dir"),
        ("SRS_FF_LOG_LEVEL", "ff_log_level"),
        ("SRS_LOG_TANK", "srs_log_tank"),
        ("SRS_LOG_LEVEL", "srs_log_level"),
        ("SRS_LOG_LEVEL_V2", "srs_log_level_v2"),
        ("SRS_LOG_FILE", "srs_log_file"),
        ("SRS_MAX_CONNECTIONS", "max_connections"),
        ("SRS_DAEMON", "daemon"),
        ("SRS_UTC_TIME", "utc_time"),
        ("SRS_PITHY_PRINT_MS", "pithy_print_ms"),
        ("SRS_WORK_DIR", "work_dir"),
        ("SRS_ASPROCESS", "asprocess"),
        ("SRS_EMPTY_IP_OK", "empty_ip_ok"),
        ("SRS_IN_DOCKER", "in_docker"),
        ("SRS_GRACE_START_WAIT", "grace_start_wait"),
        ("SRS_GRACE_FINAL_WAIT", "grace_final_wait"),
        ("SRS_FORCE_GRACE_QUIT", "force_grace_quit"),
        ("SRS_DISABLE_DAEMON_FOR_DOCKER", "disable_daemon_for_docker"),
        ("SRS_INOTIFY_AUTO_RELOAD", "inotify_auto_reload"),
        ("SRS_AUTO_RELOAD_FOR_DOCKER", "auto_reload_for_docker"),
        ("SRS_LISTEN", "listen"),
        ("SRS_CHUNK_SIZE", "chunk_size"),
        ("SRS_HTTP_API_ENABLED", "http_api.enabled"),
        ("SRS_HTTP_API_LISTEN", "http_api.listen"),
        ("SRS_HTTP_API_CROSSDOMAIN", "http_api.crossdomain"),
        ("SRS_HTTP_API_RAW_API_ENABLED", "http_api.raw_api.enabled"),
        ("SRS_HTTP_API_RAW_API_ALLOW_RELOAD", "http_api.raw_api.allow_reload"),
        ("SRS_HTTP_API_AUTH_ENABLED", "http_api.auth.enabled"),
        ("SRS_HTTP_API_AUTH_USERNAME", "http_api.auth.username"),
        ("SRS_HTTP_API_AUTH_PASSWORD", "http_api.auth.password"),
        ("SRS_HTTP_API_HTTPS_ENABLED", "http_api.https.enabled"),
        ("SRS_HTTP_API_HTTPS_LISTEN", "http_api.https.listen"),
        ("SRS_HTTP_API_HTTPS_KEY", "http_api.https.key"),
        ("SRS_HTTP_API_HTTPS_CERT", "http_api.https.cert"),
        ("SRS_HTTP_SERVER_ENABLED", "http_server.enabled"),
        ("SRS_HTTP_SERVER_LISTEN", "http_server.listen"),
        ("SRS_HTTP_SERVER_DIR", "http_server.dir"),
        ("SRS_HTTP_SERVER_CROSSDOMAIN", "http_server.crossdomain"),
        ("SRS_HTTP_SERVER_HTTPS_ENABLED", "http_server.https.enabled"),
        ("SRS_HTTP_SERVER_HTTPS_LISTEN", "http_server.https.listen"),
        ("SRS_HTTP_SERVER_HTTPS_KEY", "http_server.https.key"),
        ("SRS_HTTP_SERVER_HTTPS_CERT", "http_server.https.cert"),
        ("SRS_SRT_SERVER_ENABLED", "srt_server.enabled"),
        ("SRS_SRT_SERVER_LISTEN", "srt_server.listen"),
        ("SRS_SRT_SERVER_MAXBW", "srt_server.maxbw"),
        ("SRS_SRT_SERVER_MSS", "srt_server.mss"),
        ("SRS_SRT_SERVER_CONNECT_TIMEOUT", "srt_server.connect_timeout"),
        ("SRS_SRT_SERVER_PEER_IDLE_TIMEOUT", "srt_server.peer_idle_timeout"),
        ("SRS_SRT_SERVER_DEFAULT_APP", "srt_server.default_app"),
        ("SRS_SRT_SERVER_PEERLATENCY", "srt_server.peerlatency"),
        ("SRS_SRT_SERVER_RECVLATENCY", "srt_server.recvlatency"),
        ("SRS_SRT_SERVER_LATENCY", "srt_server.latency"),
        ("SRS_SRT_SERVER_TSBPDMODE", "srt_server.tsbpdmode"),
        ("SRS_SRT_SERVER_TLPKTDROP", "srt_server.tlpktdrop"),
        ("SRS_SRT_SERVER_SENDBUF", "srt_server.sendbuf"),
        ("SRS_SRT_SERVER_RECVBUF", "srt_server.recvbuf"),
        ("SRS_SRT_SERVER_PASSPHRASE", "srt_server.passphrase"),
        ("SRS_SRT_SERVER_PBKEYLEN", "srt_server.pbkeylen"),
        ("SRS_VHOST_SRT_ENABLED", "vhost.srt.enabled"),
        ("SRS_VHOST_SRT_TO_RTMP", "vhost.srt.srt_to_rtmp"),
        ("SRS_RTC_SERVER_ENABLED", "rtc_server.enabled"),
        ("SRS_RTC_SERVER_LISTEN", "rtc_server.listen"),
        ("SRS_RTC_SERVER_TCP_ENABLED", "rtc_server.tcp.enabled"),
        ("SRS_RTC_SERVER_TCP_LISTEN", "rtc_server.tcp.listen"),
        ("SRS_RTC_SERVER_PROTOCOL", "rtc_server.protocol"),
        ("SRS_RTC_SERVER_CANDIDATE", "rtc_server.candidate"),
        ("SRS_RTC_SERVER_USE_AUTO_DETECT_NETWORK_IP", "rtc_server.use_auto_detect_network_ip"),
        ("SRS_RTC_SERVER_IP_FAMILY", "rtc_server.ip_family"),
        ("SRS_RTC_SERVER_API_AS_CANDIDATES", "rtc_server.api_as_candidates"),
        ("SRS_RTC_SERVER_RESOLVE_API_DOMAIN", "rtc_server.resolve_api_domain"),
        ("SRS_RTC_SERVER_KEEP_API_DOMAIN", "rtc_server.keep_api_domain"),
        ("SRS_RTC_SERVER_ECDSA", "rtc_server.ecdsa"),
        ("SRS_RTC_SERVER_ENCRYPT", "rtc_server.encrypt"),
        ("SRS_RTC_SERVER_REUSEPORT", "rtc_server.reuseport"),
        ("SRS_RTC_SERVER_MERGE_NALUS", "rtc_server.merge_nalus"),
        ("SRS_RTC_SERVER_BLACK_HOLE_ENABLED", "rtc_server.black_hole.enabled"),
        ("SRS_RTC_SERVER_BLACK_HOLE_ADDR", "rtc_server.black_hole.addr"),
        ("SRS_VHOST_RTC_ENABLED", "vhost.rtc.enabled"),
        ("SRS_VHOST_RTC_NACK", "vhost.rtc.nack"),
        ("SRS_VHOST_RTC_NACK_NO_COPY", "vhost.rtc.nack_no_copy"),
        ("SRS_VHOST_RTC_TWCC", "vhost.rtc.twcc"),
        ("SRS_VHOST_RTC_STUN_TIMEOUT", "vhost.rtc.stun_timeout"),
        ("SRS_VHOST_RTC_STUN_STRICT_CHECK", "vhost.rtc.stun_strict_check"),
        ("SRS_VHOST_RTC_DTLS_ROLE", "vhost.rtc.dtls_role"),
        ("SRS_VHOST_RTC_DTLS_VERSION", "vhost.rtc.dtls_version"),
        ("SRS_VHOST_RTC_DROP_FOR_PT", "vhost.rtc.drop_for_pt"),
        ("SRS_VHOST_RTC_RTMP_TO_RTC", "vhost.rtc.rtmp_to_rtc"),
        ("SRS_VHOST_RTC_KEEP_BFRAME", "vhost.rtc.keep_bframe"),
        ("SRS_VHOST_RTC_KEEP_AVC_NALU_SEI", "vhost.rtc.keep_avc_nalu_sei"),
        ("SRS_VHOST_RTC_OPUS_BITRATE", "vhost.rtc.opus_bitrate"),
        ("SRS_VHOST_RTC_RTC_TO_RTMP", "vhost.rtc.rtc_to_rtmp"),
        ("SRS_VHOST_RTC_PLI_FOR_RTMP", "vhost.rtc.pli_for_rtmp"),
        ("SRS_VHOST_RTC_AAC_BITRATE", "vhost.rtc.aac_bitrate"),
        ("SRS_VHOST_MIN_LATENCY", "vhost.min_latency"),
        ("SRS_VHOST_PLAY_MW_LATENCY", "vhost.play.mw_latency"),
        ("SRS_VHOST_PLAY_MW_MSGS", "vhost.play.mw_msgs"),
        ("SRS_TCMALLOC_RELEASE_RATE", "tcmalloc_release_rate"),
        ("SRS_QUERY_LATEST_VERSION", "query_latest_version"),
        ("SRS_FIRST_WAIT_FOR_QLV", "first_wait_for_qlv"),
        ("SRS_THREADS_INTERVAL", "threads.interval"),
        ("SRS_CIRCUIT_BREAKER_ENABLED", "circuit_breaker.enabled"),
        ("SRS_CIRCUIT_BREAKER_HIGH_THRESHOLD", "circuit_breaker.high_threshold"),
        ("SRS_CIRCUIT_BREAKER_HIGH_PULSE", "circuit_breaker.high_pulse"),
        ("SRS_CIRCUIT_BREAKER_CRITICAL_THRESHOLD", "circuit_breaker.critical_threshold"),
        ("SRS_CIRCUIT_BREAKER_CRITICAL_PULSE", "circuit_breaker.critical_pulse"),
        ("SRS_CIRCUIT_BREAKER_DYING_THRESHOLD", "circuit_breaker.dying_threshold"),
        ("SRS_CIRCUIT_BREAKER_DYING_PULSE", "circuit_breaker.dying_pulse"),
        ("SRS_TENCENTCLOUD_CLS_ENABLED", "tencentcloud_cls.enabled"),
        ("SRS_TENCENTCLOUD_CLS_LABEL", "tencentcloud_cls.label"),
        ("SRS_TENCENTCLOUD_CLS_TAG", "tencentcloud_cls.tag"),
        ("SRS_TENCENTCLOUD_CLS_SECRET_ID", "tencentcloud_cls.secret_id"),
        ("SRS_TENCENTCLOUD_CLS_SECRET_KEY", "tencentcloud_cls.secret_key"),
        ("SRS_TENCENTCLOUD_CLS_ENDPOINT", "tencentcloud_cls.endpoint"),
        ("SRS_TENCENTCLOUD_CLS_TOPIC_ID", "tencentcloud_cls.topic_id"),
        ("SRS_TENCENTCLOUD_CLS_DEBUG_LOGGING", "tencentcloud_cls.debug_logging"),
        ("SRS_TENCENTCLOUD_CLS_STAT_HEARTBEAT", "tencentcloud_cls.stat_heartbeat"),
        ("SRS_TENCENTCLOUD_CLS_HEARTBEAT_RATIO", "tencentcloud_cls.heartbeat_ratio"),
        ("SRS_TENCENTCLOUD_CLS_STAT_STREAMS", "tencentcloud_cls.stat_streams"),
        ("SRS_TENCENTCLOUD_CLS_STREAMS_RATIO", "tencentcloud_cls.streams_ratio"),
        ("SRS_TENCENTCLOUD_APM_ENABLED", "tencentcloud_apm.enabled"),
        ("SRS_TENCENTCLOUD_APM_TEAM", "tencentcloud_apm.team"),
        ("SRS_TENCENTCLOUD_APM_TOKEN", "tencentcloud_apm.token"),
        ("SRS_TENCENTCLOUD_APM_ENDPOINT", "tencentcloud_apm.endpoint"),
        ("SRS_TENCENTCLOUD_APM_SERVICE_NAME", "tencentcloud_apm.service_name"),
        ("SRS_TENCENTCLOUD_APM_DEBUG_LOGGING", "tencentcloud_apm.debug_logging"),
        ("SRS_EXPORTER_ENABLED", "exporter.enabled"),
        ("SRS_EXPORTER_LISTEN", "exporter.listen"),
        ("SRS_EXPORTER_LABEL", "exporter.label"),
        ("SRS_EXPORTER_TAG", "exporter.tag"),
        ("SRS_HEARTBEAT_ENABLED", "heartbeat.enabled"),
        ("SRS_HEARTBEAT_INTERVAL", "heartbeat.interval"),
        ("SRS_HEARTBEAT_URL", "heartbeat.url"),
        ("SRS_HEARTBEAT_DEVICE_ID", "heartbeat.device_id"),
        ("SRS_HEARTBEAT_SUMMARIES", "heartbeat.summaries"),
        ("SRS_HEARTBEAT_PORTS", "heartbeat.ports"),
        ("SRS_VHOST_TCP_NODELAY", "vhost.tcp_nodelay"),
        ("SRS_VHOST_CHUNK_SIZE", "vhost.chunk_size"),
        ("SRS_VHOST_IN_ACK_SIZE", "vhost.in_ack_size"),
        ("SRS_VHOST_OUT_ACK_SIZE", "vhost.out_ack_size"),
        ("SRS_VHOST_PLAY_GOP_CACHE", "vhost.play.gop_cache"),
        ("SRS_VHOST_PLAY_GOP_CACHE_MAX_FRAMES", "vhost.play.gop_cache_max_frames"),
        ("SRS_VHOST_PLAY_QUEUE_LENGTH", "vhost.play.queue_length"),
        ("SRS_VHOST_PLAY_TIME_JITTER", "vhost.play.time_jitter"),
        ("SRS_VHOST_PLAY_ATC", "vhost.play.atc"),
        ("SRS_VHOST_PLAY_MIX_CORRECT", "vhost.play.mix_correct"),
        ("SRS_VHOST_PLAY_ATC_AUTO", "vhost.play.atc_auto"),
        ("SRS_VHOST_PLAY_SEND_MIN_INTERVAL", "vhost.play.send_min_interval"),
        ("SRS_VHOST_PLAY_REDUCE_SEQUENCE_HEADER", "vhost.play.reduce_sequence_header"),
        ("SRS_VHOST_PUBLISH_MR", "vhost.publish.mr"),
        ("SRS_VHOST_PUBLISH_MR_LATENCY", "vhost.publish.mr_latency"),
        ("SRS_VHOST_PUBLISH_FIRSTPKT_TIMEOUT", "vhost.publish.firstpkt_timeout"),
        ("SRS_VHOST_PUBLISH_NORMAL_TIMEOUT", "vhost.publish.normal_timeout"),
        ("SRS_VHOST_PUBLISH_PARSE_SPS", "vhost.publish.parse_sps"),
        ("SRS_VHOST_PUBLISH_TRY_ANNEXB_FIRST", "vhost.publish.try_annexb_first"),
        ("SRS_VHOST_PUBLISH_KICKOFF_FOR_IDLE", "vhost.publish.kickoff_for_idle"),
        ("SRS_VHOST_HTTP_STATIC_ENABLED", "vhost.http_static.enabled"),
        ("SRS_VHOST_HTTP_STATIC_MOUNT", "vhost.http_static.mount"),
        ("SRS_VHOST_HTTP_STATIC_DIR", "vhost.http_static.dir"),
        ("SRS_VHOST_HTTP_REMUX_ENABLED", "vhost.http_remux.enabled"),
        ("SRS_VHOST_HTTP_REMUX_FAST_CACHE", "vhost.http_remux.fast_cache"),
        ("SRS_VHOST_HTTP_REMUX_DROP_IF_NOT_MATCH", "vhost.http_remux.drop_if_not_match"),
        ("SRS_VHOST_HTTP_REMUX_HAS_AUDIO", "vhost.http_remux.has_audio"),
        ("SRS_VHOST_HTTP_REMUX_HAS_VIDEO", "vhost.http_remux.has_video"),
        ("SRS_VHOST_HTTP_REMUX_GUESS_HAS_AV", "vhost.http_remux.guess_has_av"),
        ("SRS_VHOST_HTTP_REMUX_MOUNT", "vhost.http_remux.mount"),
        ("SRS_VHOST_HTTP_HOOKS_ENABLED", "vhost.http_hooks.enabled"),
        ("SRS_VHOST_HTTP_HOOKS_ON_PUBLISH", "vhost.http_hooks.on_publish"),
        ("SRS_VHOST_HTTP_HOOKS_ON_UNPUBLISH", "vhost.http_hooks.on_unpublish"),
        ("SRS_VHOST_HTTP_HOOKS_ON_PLAY", "vhost.http_hooks.on_play"),
        ("SRS_VHOST_HTTP_HOOKS_ON_STOP", "vhost.http_hooks.on_stop"),
        ("SRS_VHOST_HTTP_HOOKS_ON_DVR", "vhost.http_hooks.on_dvr"),
        ("SRS_VHOST_HTTP_HOOKS_ON_HLS", "vhost.http_hooks.on_hls"),
        ("SRS_VHOST_HTTP_HOOKS_ON_HLS_NOTIFY", "vhost.http_hooks.on_hls_notify"),
        ("SRS_VHOST_DASH_ENABLED", "vhost.dash.enabled"),
        ("SRS_VHOST_DASH_DASH_FRAGMENT", "vhost.dash.dash_fragment"),
        ("SRS_VHOST_DASH_DASH_UPDATE_PERIOD", "vhost.dash.dash_update_period"),
        ("SRS_VHOST_DASH_DASH_TIMESHIFT", "vhost.dash.dash_timeshift"),
        ("SRS_VHOST_DASH_DASH_PATH", "vhost.dash.dash_path"),
        ("SRS_VHOST_DASH_DASH_MPD_FILE", "vhost.dash.dash_mpd_file"),
        ("SRS_VHOST_HLS_ENABLED", "vhost.hls.enabled"),
        ("SRS_VHOST_HLS_HLS_FRAGMENT", "vhost.hls.hls_fragment"),
        ("SRS_VHOST_HLS_HLS_TD_RATIO", "vhost.hls.hls_td_ratio"),
        ("SRS_VHOST_HLS_HLS_AOF_RATIO", "vhost.hls.hls_aof_ratio"),
        ("SRS_VHOST_HLS_HLS_WINDOW", "vhost.hls.hls_window"),
        ("SRS_VHOST_HLS_HLS_ON_ERROR", "vhost.hls.hls_on_error"),
        ("SRS_VHOST_HLS_HLS_PATH", "vhost.hls.hls_path"),
        ("SRS_VHOST_HLS_HLS_M3U8_FILE", "vhost.hls.hls_m3u8_file"),
        ("SRS_VHOST_HLS_HLS_TS_FILE", "vhost.hls.hls_ts_file"),
        ("SRS_VHOST_HLS_HLS_ENTRY_PREFIX", "vhost.hls.hls_entry_prefix"),
        ("SRS_VHOST_HLS_HLS_ACODEC", "vhost.hls.hls_acodec"),
        ("SRS_VHOST_HLS_HLS_VCODEC", "vhost.hls.hls_vcodec"),
        ("SRS_VHOST_HLS_HLS_CLEANUP", "vhost.hls.hls_cleanup"),
        ("SRS_VHOST_HLS_HLS_DISPOSE", "vhost.hls.hls_dispose"),
        ("SRS_VHOST_HLS_HLS_WAIT_KEYFRAME", "vhost.hls.hls_wait_keyframe"),
        ("SRS_VHOST_HLS_HLS_TS_FLOOR", "vhost.hls.hls_ts_floor"),
        ("SRS_VHOST_HLS_HLS_NB_NOTIFY", "vhost.hls.hls_nb_notify"),
        ("SRS_VHOST_HLS_HLS_CTX", "vhost.hls.hls_ctx"),
        ("SRS_VHOST_HLS_HLS_TS_CTX", "vhost.hls.hls_ts_ctx"),
        ("SRS_VHOST_HLS_HLS_KEYS", "vhost.hls.hls_keys"),
        ("SRS_VHOST_HLS_HLS_FRAGMENTS_PER_KEY", "vhost.hls.hls_fragments_per_key"),
        ("SRS_VHOST_HLS_HLS_KEY_FILE", "vhost.hls.hls_key_file"),
        ("SRS_VHOST_HLS_HLS_KEY_FILE_PATH", "vhost.hls.hls_key_file_path"),
        ("SRS_VHOST_HLS_HLS_KEY_URL", "vhost.hls.hls_key_url"),
        ("SRS_VHOST_HLS_HLS_DTS_DIRECTLY", "vhost.hls.hls_dts_directly"),
        ("SRS_VHOST_HDS_ENABLED", "vhost.hds.enabled"),
        ("SRS_VHOST_HDS_HDS_FRAGMENT", "vhost.hds.hds_fragment"),
        ("SRS_VHOST_HDS_HDS_WINDOW", "vhost.hds.hds_window"),
        ("SRS_VHOST_HDS_HDS_PATH", "vhost.hds.hds_path"),
        ("SRS_VHOST_DVR_ENABLED", "vhost.dvr.enabled"),
        ("SRS_VHOST_DVR_DVR_PLAN", "vhost.dvr.dvr_plan"),
        ("SRS_VHOST_DVR_DVR_PATH", "vhost.dvr.dvr_path"),
        ("SRS_VHOST_DVR_DVR_DURATION", "vhost.dvr.dvr_duration"),
        ("SRS_VHOST_DVR_DVR_WAIT_KEYFRAME", "vhost.dvr.dvr_wait_keyframe"),
        ("SRS_VHOST_DVR_TIME_JITTER", "vhost.dvr.time_jitter"),
    ]

    /// One override that took effect.
    public struct Applied: Sendable, Equatable, CustomStringConvertible {
        public var variable: String
        public var value: String
        public var path: String
        /// The value is masked for secrets (passwords, keys, tokens, passphrases).
        public var description: String {
            let secret = ["password", "secret", "token", "passphrase"].contains { path.contains($0) }
            return "\(variable)=\(secret ? "******" : value) (\(path))"
        }
    }

    /// Directives that take several values (SRS 5 splits these on spaces); every other value
    /// is one argument, spaces included (a password, a path).
    static func isList(_ path: String) -> Bool {
        path == "listen" || path.hasPrefix("vhost.http_hooks.on_") || path == "stats.disk"
    }

    /// `root` with the overrides of `environment` applied, and what was applied. An empty
    /// variable is ignored (as SRS does).
    public static func apply(to root: [ConfigDirective], environment: [String: String]) -> (root: [ConfigDirective], applied: [Applied]) {
        var root = root
        var applied: [Applied] = []
        for (variable, path) in table {
            guard let value = environment[variable], !value.isEmpty else { continue }
            let parts = path.split(separator: ".").map(String.init)
            let args = isList(path) ? value.split(separator: " ", omittingEmptySubsequences: true).map(String.init) : [value]
            let origin = "environment \(variable)"
            if parts.first == "vhost" {
                let inner = Array(parts.dropFirst())
                guard !inner.isEmpty else { continue }
                // No vhost in the file: the one the server would add takes the override.
                if !root.contains(where: { $0.name == "vhost" }) {
                    root.append(ConfigDirective(name: "vhost", args: ["__defaultVhost__"], hasBlock: true, file: origin, line: 0))
                }
                for index in root.indices where root[index].name == "vhost" {
                    set(inner, args: args, origin: origin, in: &root[index].children, flatAlias: inner.count == 2 && ["play", "publish"].contains(inner[0]))
                }
            } else {
                set(parts, args: args, origin: origin, in: &root, flatAlias: false)
            }
            applied.append(Applied(variable: variable, value: value, path: path))
        }
        return (root, applied)
    }

    /// Sets `path` under `directives` to `args`: the first directive of that path is changed,
    /// later repeats are removed; blocks are made as needed. `flatAlias`: SRS 2.0's flat form
    /// of a `play { }`/`publish { }` setting (`gop_cache` for `play.gop_cache`) is changed too.
    private static func set(_ path: [String], args: [String], origin: String, in directives: inout [ConfigDirective], flatAlias: Bool) {
        guard let name = path.first else { return }
        if path.count == 1 {
            let made = ConfigDirective(name: name, args: args, file: origin, line: 0)
            if let first = directives.firstIndex(where: { $0.name == name && !$0.hasBlock }) {
                directives[first] = made
                var index = directives.count - 1
                while index > first {
                    if directives[index].name == name && !directives[index].hasBlock { directives.remove(at: index) }
                    index -= 1
                }
            } else {
                directives.insert(made, at: 0)
            }
            return
        }
        let block = directives.firstIndex(where: { $0.name == name && $0.hasBlock })
        if flatAlias, let last = path.last, let flat = directives.firstIndex(where: { $0.name == last && !$0.hasBlock }) {
            // The file writes it flat: that one changes (a nested one too, if it is there).
            directives[flat] = ConfigDirective(name: last, args: args, file: origin, line: 0)
            if let block, directives[block].children.contains(where: { $0.name == last }) {
                set(Array(path.dropFirst()), args: args, origin: origin, in: &directives[block].children, flatAlias: false)
            }
            return
        }
        if let block {
            set(Array(path.dropFirst()), args: args, origin: origin, in: &directives[block].children, flatAlias: false)
        } else {
            var children: [ConfigDirective] = []
            set(Array(path.dropFirst()), args: args, origin: origin, in: &children, flatAlias: false)
            directives.append(ConfigDirective(name: name, children: children, hasBlock: true, file: origin, line: 0))
        }
    }
}
