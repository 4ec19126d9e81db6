/// The typed settings of one `vhost NAME { ... }` block that this server uses, as a value
/// whose copies share one immutable storage: every connection of a vhost holds the vhost's
/// settings (10,000 players held 10,000 copies of these 712 bytes, often two or three each);
/// a change (a reload, a test) makes a new storage. Fields read and write as the settings'
/// own (`vhost.hls.enabled`), through dynamic member lookup.
@dynamicMemberLookup
public struct VhostConfig: Sendable, Equatable {
    /// The vhost that catches clients whose vhost is an IP or not configured.
    public static let defaultVhostName = "__defaultVhost__"

    private final class Storage: Sendable {
        let settings: VhostSettings
        init(_ settings: VhostSettings) { self.settings = settings }
    }

    private var storage: Storage

    /// Every setting, as one value.
    public var settings: VhostSettings {
        get { storage.settings }
        set { storage = Storage(newValue) }
    }

    /// A vhost with every default, as if the config said `vhost NAME { }`.
    public init(name: String) { storage = Storage(VhostSettings(name: name)) }

    /// Reads a `vhost NAME { ... }` block; throws ``ConfigError`` for a missing name or a bad value.
    init(block: ConfigDirective, warnings: ConfigWarning.Collector) throws {
        storage = Storage(try VhostSettings(block: block, warnings: warnings))
    }

    public subscript<Value>(dynamicMember keyPath: KeyPath<VhostSettings, Value>) -> Value {
        storage.settings[keyPath: keyPath]
    }

    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<VhostSettings, Value>) -> Value {
        get { storage.settings[keyPath: keyPath] }
        set {
            var changed = storage.settings
            changed[keyPath: keyPath] = newValue
            storage = Storage(changed)
        }
    }

    public static func == (lhs: VhostConfig, rhs: VhostConfig) -> Bool {
        lhs.storage === rhs.storage || lhs.storage.settings == rhs.storage.settings
    }
}

/// The fields of a ``VhostConfig``.
///
/// Both shapes give the same values: SRS 2.0 flat directives (`gop_cache on;`, `mr { enabled on; }`,
/// `publish_1stpkt_timeout 20000;`) and SRS 3+ blocks (`play { gop_cache on; }`,
/// `publish { mr on; firstpkt_timeout 20000; }`). A setting written in both shapes is an error.
/// Everything else in the block (hls, http_remux, cluster, ...) is kept in ``directive``.
public struct VhostSettings: Sendable, Equatable {
    private static let defaultVhostName = VhostConfig.defaultVhostName

    /// The vhost name (`vhost NAME`).
    public var name: String
    /// `enabled`: off denies every client of this vhost. Default on.
    public var enabled = true
    /// `chunk_size`: RTMP out chunk size for this vhost, 128...65536; nil = the server's.
    public var chunkSize: Int?

    /// `gop_cache` / `play.gop_cache`: keep the last GOP so players start at once. Default on.
    public var gopCache = true
    /// `queue_length` / `play.queue_length`: per-player queue cap in seconds. Default 30.
    public var queueLengthSeconds: Double = 30
    /// `mw_latency` / `play.mw_latency`: merged-write wait in ms. Default 350.
    public var mwLatencyMs = 350
    /// `mr.enabled` / `publish.mr`: merged read for publishers. Default off.
    public var mrEnabled = false
    /// `mr.latency` / `publish.mr_latency`: merged-read wait in ms. Default 350.
    public var mrLatencyMs = 350
    /// `min_latency`: low-latency mode. Default off.
    public var minLatency = false
    /// `tcp_nodelay`: set TCP_NODELAY on client sockets. Default off.
    public var tcpNodelay = false
    /// `time_jitter` / `play.time_jitter`: timestamp correction. Default full.
    public var timeJitter = TimeJitter.full
    /// `mix_correct` / `play.mix_correct`: interleave audio and video by timestamp. Default off.
    public var mixCorrect = false
    /// `atc` / `play.atc`: keep absolute time codes. Default off.
    public var atc = false
    /// `atc_auto` / `play.atc_auto`: turn `atc` on when metadata has `bravo_atc`. Default on.
    public var atcAuto = true
    /// `send_min_interval` / `play.send_min_interval`: minimum ms between sends to a player. Default 0.
    public var sendMinIntervalMs: Double = 0
    /// `reduce_sequence_header` / `play.reduce_sequence_header`: don't resend an unchanged
    /// sequence header. Default off.
    public var reduceSequenceHeader = false
    /// `publish_1stpkt_timeout` / `publish.firstpkt_timeout`: ms to wait for a publisher's first
    /// packet. Default 20000.
    public var publishFirstPacketTimeoutMs = 20000
    /// `publish_normal_timeout` / `publish.normal_timeout`: ms to wait for later packets. Default 5000.
    public var publishNormalTimeoutMs = 5000
    /// `parse_sps` / `publish.parse_sps`: parse the H.264 SPS for width/height/profile. Default on.
    public var parseSps = true

    /// The raw block, for settings not typed yet (hls, http_remux, cluster, security, ...).
    public let directive: ConfigDirective
    /// `http_remux { }`: live HTTP-FLV/TS/AAC/MP3.
    public var httpRemux = HTTPRemuxConfig()
    /// `http_static { }` (alias `http { }`): static files.
    public var httpStatic = HTTPStaticConfig()
    /// `hls { }`: HTTP Live Streaming files.
    public var hls = HLSConfig()
    /// `dvr { }`: recording to FLV files.
    public var dvr = DVRConfig()
    /// `hds { }`: Adobe HTTP Dynamic Streaming files.
    public var hds = HDSConfig()
    /// `bandcheck { }`: the RTMP bandwidth test.
    public var bandcheck = BandcheckConfig()
    /// `http_hooks { }`: HTTP callbacks.
    public var hooks = HTTPHooksConfig()
    /// `security { }`: allow/deny rules by client address.
    public var security = SecurityConfig()
    /// `refer`, `refer_publish`, `refer_play` or `refer { }`: pageUrl domain lists.
    public var refer = ReferConfig()
    /// `forward`: relay every publish to other servers.
    public var forward = ForwardConfig()
    /// `mode remote` and its origins: this vhost is an edge.
    public var edge = EdgeConfig()
    /// `transcode [scope] { }` blocks, in file order.
    public var transcodes: [TranscodeConfig] = []
    /// `ingest ID { }` blocks, in file order.
    public var ingests: [IngestConfig] = []

    /// A vhost with every default, as if the config said `vhost NAME { }`.
    public init(name: String) {
        self.name = name
        self.directive = ConfigDirective(name: "vhost", args: [name], hasBlock: true)
    }

    /// Reads a `vhost NAME { ... }` block; throws ``ConfigError`` for a missing name or a bad value.
    /// Expects a block that passed ``ConfigSchema/validate(_:)``.
    init(block: ConfigDirective, warnings: ConfigWarning.Collector) throws {
        guard block.args.count == 1, let name = block.arg0, !name.isEmpty else {
            let message = block.args.count > 1
                ? "takes one name, got \(block.args.count)"
                : "needs a name, e.g. vhost \(Self.defaultVhostName) { ... }"
            throw ConfigError(at: block, context: nil, message: message)
        }
        self.name = name
        self.directive = block

        let reader = SettingReader(directives: block.children, context: ConfigSchema.context(parent: nil, block: block), warnings: warnings)
        let nonNegative = 0...Int.max
        enabled = try reader.flag(true, ["enabled"])
        chunkSize = try reader.optionalInteger(in: ServerConfig.chunkSizeRange, ["chunk_size"])
        gopCache = try reader.flag(true, ["gop_cache"], ["play", "gop_cache"])
        queueLengthSeconds = try reader.decimal(30, minimum: 0, ["queue_length"], ["play", "queue_length"])
        mwLatencyMs = try reader.integer(350, in: nonNegative, ["mw_latency"], ["play", "mw_latency"])
        mrEnabled = try reader.flag(false, ["mr", "enabled"], ["publish", "mr"])
        mrLatencyMs = try reader.integer(350, in: nonNegative, ["mr", "latency"], ["publish", "mr_latency"])
        minLatency = try reader.flag(false, ["min_latency"])
        tcpNodelay = try reader.flag(false, ["tcp_nodelay"])
        timeJitter = try reader.choice(.full, expected: "full, zero or off", ["time_jitter"], ["play", "time_jitter"]) { TimeJitter(rawValue: $0) }
        mixCorrect = try reader.flag(false, ["mix_correct"], ["play", "mix_correct"])
        atc = try reader.flag(false, ["atc"], ["play", "atc"])
        atcAuto = try reader.flag(true, ["atc_auto"], ["play", "atc_auto"])
        sendMinIntervalMs = try reader.decimal(0, minimum: 0, ["send_min_interval"], ["play", "send_min_interval"])
        reduceSequenceHeader = try reader.flag(
            false,
            ["reduce_sequence_header"],
            ["play", "reduce_sequence_header"]
        )
        publishFirstPacketTimeoutMs = try reader.integer(
            20000,
            in: nonNegative,
            ["publish_1stpkt_timeout"],
            ["publish", "firstpkt_timeout"]
        )
        publishNormalTimeoutMs = try reader.integer(
            5000,
            in: nonNegative,
            ["publish_normal_timeout"],
            ["publish", "normal_timeout"]
        )
        parseSps = try reader.flag(true, ["parse_sps"], ["publish", "parse_sps"])

        httpRemux.enabled = try reader.flag(false, ["http_remux", "enabled"])
        // SwiftSRS reads every `mount` of the block (one per format); SRS reads the first.
        let mounts = block.children(named: "http_remux").first?.children(named: "mount") ?? []
        if mounts.count > 1 {
            let context = ConfigSchema.context(parent: ConfigSchema.context(parent: nil, block: block), block: block.children(named: "http_remux")[0])
            var seen: [String: ConfigDirective] = [:]
            httpRemux.mounts = []
            for directive in mounts {
                let mount = try DirectiveValue.single(directive, context: context, warnings: warnings)
                let format = mount.split(separator: ".").last.map(String.init) ?? ""
                if let earlier = seen[format] {
                    throw ConfigError(at: directive, context: context, message: "a second .\(format) mount (the first is at line \(earlier.line))")
                }
                seen[format] = directive
                httpRemux.mounts.append(mount)
            }
        } else {
            httpRemux.mount = try reader.text(httpRemux.mount, ["http_remux", "mount"])
        }
        httpRemux.fastCache = try reader.decimal(0, minimum: 0, ["http_remux", "fast_cache"])
        httpRemux.hstrs = try reader.flag(true, ["http_remux", "hstrs"])
        httpStatic.enabled = try reader.flag(false, ["http_static", "enabled"], ["http", "enabled"])
        httpStatic.mount = try reader.text(httpStatic.mount, ["http_static", "mount"], ["http", "mount"])
        httpStatic.dir = try reader.text(httpStatic.dir, ["http_static", "dir"], ["http", "dir"])
        hls = try HLSConfig(reader: reader)
        dvr = try DVRConfig(reader: reader)
        hds = try HDSConfig(reader: reader)
        bandcheck = try BandcheckConfig(reader: reader)
        hooks = try HTTPHooksConfig(reader: reader)
        let context = ConfigSchema.context(parent: nil, block: block)
        let securityBlocks = block.children(named: "security")
        for later in securityBlocks.dropFirst() {
            warnings.add(later, "set again (first at \(securityBlocks[0].location), which is used); this one is ignored")
        }
        security = try SecurityConfig(block: securityBlocks.first, context: context)
        refer = try ReferConfig(reader: reader, block: block.child("refer"))
        forward = try ForwardConfig(reader: reader, block: block.child("forward"))
        edge = try EdgeConfig(reader: reader, vhostName: name)
        transcodes = try block.children(named: "transcode").map { block throws(ConfigError) in
            try TranscodeConfig(block: block, context: context, warnings: warnings)
        }
        ingests = try block.children(named: "ingest").map { block throws(ConfigError) in
            try IngestConfig(block: block, context: context, warnings: warnings)
        }
    }
}
