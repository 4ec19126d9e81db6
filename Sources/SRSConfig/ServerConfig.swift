import Foundation
/// The whole server configuration: the parsed tree, checked against the schema, with typed
/// values for what the server uses now.
///
/// Loading runs, in order: syntax (``ConfigParser``), known directives (``ConfigSchema``), then
/// the typed values below. Every failure is a ``ConfigError`` naming file, line and directive.
public struct ServerConfig: Sendable {
    /// The RTMP chunk sizes SRS allows.
    public static let chunkSizeRange = 128...65536

    /// `listen`: RTMP endpoints. Default `1935` on any address.
    public var listen: [ListenAddress] = [ListenAddress(port: 1935)]
    /// `pid`: the pid file. Default `./objs/srs.pid`.
    public var pidFile = "./objs/srs.pid"
    /// `chunk_size`: RTMP out chunk size, 128...65536. Default 60000.
    public var chunkSize = 60000
    /// `max_connections`: connections above this are refused. Default 1000.
    public var maxConnections = 1000
    /// `daemon`: fork to the background. Default on (as SRS); the shipped confs say off.
    public var daemon = true
    /// `srs_log_tank`: console or file. Default console.
    public var logTank = LogTank.console
    /// `srs_log_level`: verbose, info, trace, warn or error. Default trace.
    public var logLevel = LogLevel.trace
    /// `srs_log_file`: the log file when the tank is file. Default `./objs/srs.log`.
    public var logFile = "./objs/srs.log"
    /// `utc_time`: log times in UTC instead of local time. Default off.
    public var utcTime = false
    /// `work_dir`: folder to change to at start. Default `./`.
    public var workDir = "./"
    /// `ff_log_dir`: folder for ffmpeg logs; `/dev/null` disables them. Default `./objs`.
    public var ffLogDir = "./objs"
    /// `asprocess`: quit when the parent process dies. Default off.
    public var asprocess = false
    /// `pithy_print_ms`: period of the periodic statistics log lines, ms. Default 10000.
    public var pithyPrintMs = 10000
    /// `max_waiting_players` (SwiftSRS): players that may wait, in all, for streams nobody
    /// has published yet (an edge's players are not counted). Default 1000.
    public var maxWaitingPlayers = 1000
    /// `max_waiting_players_per_stream` (SwiftSRS): players that may wait for one stream
    /// nobody has published yet. Default 1000.
    public var maxWaitingPlayersPerStream = 1000
    /// The vhosts in file order. When the file has no `vhost` at all, one `__defaultVhost__`
    /// with every default; otherwise exactly the configured ones.
    public var vhosts: [VhostConfig] = []
    /// `http_api { }`.
    public var httpAPI = HTTPAPIConfig()
    /// `http_server { }` (alias `http_stream { }`).
    public var httpServer = HTTPServerConfig()
    /// `stream_caster { }` blocks, in file order.
    public var casters: [StreamCasterConfig] = []
    /// `heartbeat { ... }`.
    public var heartbeat = HeartbeatConfig()
    /// `stats { network; }`: which local IPv4 address (an index) the heartbeat reports. Default: 0
    public var statsNetwork = 0
    /// `stats { disk sda ...; }`: the disks of the summaries' disk figures (all when empty).
    public var statsDisks: [String] = []

    /// The parsed tree, includes expanded.
    public let root: [ConfigDirective]
    /// Known SRS directives this server does not act on yet (see
    /// ``ConfigSchema/unsupportedDirectives(in:)``).
    public var unsupportedDirectives: [ConfigDirective]
    /// What the server (and `srs -t`) warns about, in file order: unsupported directives,
    /// directives given twice, extra values.
    public var warnings: [ConfigWarning] = []
    /// The file the config came from (for `parse(text:file:)`, the name given).
    public let path: String

    /// Reads, checks and types the config file at `path`; relative includes are looked up
    /// from `workingDirectory` (nil: the process's). Throws ``ConfigError``.
    /// SRS 5's `SRS_...` variables of `environment` (the process's by default) override what
    /// the file says (``EnvironmentOverrides``).
    public static func load(path: String, workingDirectory: String? = nil,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServerConfig {
        let (root, applied) = EnvironmentOverrides.apply(to: try ConfigParser.parseFile(path: path, workingDirectory: workingDirectory), environment: environment)
        var config = try ServerConfig(root: root, path: path)
        config.environmentOverrides = applied
        return config
    }

    /// Checks and types config `text`; `file` names it in errors and anchors relative includes.
    /// `environment` overrides as for `load` (none by default). Throws ``ConfigError``.
    public static func parse(text: String, file: String, environment: [String: String] = [:]) throws -> ServerConfig {
        let (root, applied) = EnvironmentOverrides.apply(to: try ConfigParser.parse(text: text, file: file), environment: environment)
        var config = try ServerConfig(root: root, path: file)
        config.environmentOverrides = applied
        return config
    }

    /// The environment variables that overrode the file, in SRS 5's order.
    public var environmentOverrides: [EnvironmentOverrides.Applied] = []

    /// Checks and types an already parsed tree. Throws ``ConfigError``.
    public init(root: [ConfigDirective], path: String) throws {
        try ConfigSchema.validate(root)
        self.root = root
        self.path = path
        self.unsupportedDirectives = ConfigSchema.unsupportedDirectives(in: root)
        let collector = ConfigWarning.Collector()
        for directive in unsupportedDirectives {
            collector.add(directive, "is accepted but not implemented yet; ignored")
        }
        defer { warnings = collector.warnings.sorted { ($0.file, $0.line) < ($1.file, $1.line) } }

        let reader = SettingReader(directives: root, context: nil, warnings: collector)
        if let found = try reader.setting(["listen"]) {
            listen = try Self.listenAddresses(found.directive)
        }
        pidFile = try reader.text(pidFile, ["pid"])
        chunkSize = try reader.integer(chunkSize, in: Self.chunkSizeRange, ["chunk_size"])
        maxConnections = try reader.integer(maxConnections, in: 1...Int.max, ["max_connections"])
        daemon = try reader.flag(daemon, ["daemon"])
        logTank = try reader.choice(logTank, expected: "console or file", ["srs_log_tank"]) { LogTank(rawValue: $0) }
        logLevel = try reader.choice(
            logLevel,
            expected: "verbose, info, trace, warn or error",
            ["srs_log_level"]
        ) { LogLevel(name: $0) }
        // SRS 5+: its own words, used instead of srs_log_level when given.
        logLevel = try reader.choice(logLevel, expected: "trace, debug, info, warn or error", ["srs_log_level_v2"]) { LogLevel(version2Name: $0) }
        logFile = try reader.text(logFile, ["srs_log_file"])
        utcTime = try reader.flag(utcTime, ["utc_time"])
        workDir = try reader.text(workDir, ["work_dir"])
        ffLogDir = try reader.text(ffLogDir, ["ff_log_dir"])
        asprocess = try reader.flag(asprocess, ["asprocess"])
        pithyPrintMs = try reader.integer(pithyPrintMs, in: 1...Int.max, ["pithy_print_ms"])
        maxWaitingPlayers = try reader.integer(maxWaitingPlayers, in: 0...Int.max, ["max_waiting_players"])
        maxWaitingPlayersPerStream = try reader.integer(maxWaitingPlayersPerStream, in: 0...Int.max, ["max_waiting_players_per_stream"])
        httpAPI.enabled = try reader.flag(false, ["http_api", "enabled"])
        httpAPI.listen = try Self.listenAddress(reader, httpAPI.listen, ["http_api", "listen"])
        httpAPI.crossdomain = try reader.flag(true, ["http_api", "crossdomain"])
        httpAPI.authEnabled = try reader.flag(false, ["http_api", "auth", "enabled"])
        httpAPI.username = try reader.optionalText(["http_api", "auth", "username"]) ?? ""
        httpAPI.password = try reader.optionalText(["http_api", "auth", "password"]) ?? ""
        if httpAPI.authEnabled && (httpAPI.username.isEmpty || httpAPI.password.isEmpty), let found = try reader.setting(["http_api", "auth", "enabled"]) {
            throw ConfigError(at: found.directive, context: found.context, message: "auth needs a username and a password")
        }
        heartbeat = try HeartbeatConfig(reader: reader)
        statsNetwork = try reader.integer(0, in: 0...1024, ["stats", "network"])
        if let disk = try reader.setting(["stats", "disk"]) { statsDisks = disk.directive.args }
        httpAPI.rawAPI = try reader.flag(false, ["http_api", "raw_api", "enabled"])
        httpAPI.rawAPIAllowReload = try reader.flag(false, ["http_api", "raw_api", "allow_reload"])
        httpServer.enabled = try reader.flag(false, ["http_server", "enabled"], ["http_stream", "enabled"])
        httpServer.listen = try Self.listenAddress(reader, httpServer.listen, ["http_server", "listen"], ["http_stream", "listen"])
        httpServer.dir = try reader.text(httpServer.dir, ["http_server", "dir"], ["http_stream", "dir"])

        casters = try root.filter { $0.name == "stream_caster" }.map { block throws(ConfigError) in
            try StreamCasterConfig(block: block, warnings: collector)
        }

        var firstBlockOfName: [String: ConfigDirective] = [:]
        for block in root where block.name == "vhost" {
            let vhost = try VhostConfig(block: block, warnings: collector)
            if let first = firstBlockOfName[vhost.name] {
                // SRS uses the first block of a name.
                collector.add(block, "vhost '\(vhost.name)' is defined again (first at \(first.location), which is used); this one is ignored")
                continue
            }
            firstBlockOfName[vhost.name] = block
            vhosts.append(vhost)
        }
        if vhosts.isEmpty {
            vhosts = [VhostConfig(name: VhostConfig.defaultVhostName)]
        }
    }

    /// The vhost with exactly this name, if configured.
    public func vhost(named name: String) -> VhostConfig? {
        vhosts.first { $0.name == name }
    }

    /// The vhost with this name, else `__defaultVhost__` if there is one, else nil
    /// (the client's vhost is unknown and must be refused).
    public func vhostOrDefault(_ name: String) -> VhostConfig? {
        vhost(named: name) ?? vhost(named: VhostConfig.defaultVhostName)
    }

    private static func listenAddress(_ reader: SettingReader, _ defaultValue: ListenAddress, _ paths: [String]...) throws -> ListenAddress {
        for path in paths {
            guard let found = try reader.setting(path) else { continue }
            let text = try DirectiveValue.single(found.directive, context: found.context, warnings: reader.warnings)
            do {
                return try ListenAddress(parsing: text)
            } catch {
                throw ConfigError(at: found.directive, context: found.context, message: "\(error)")
            }
        }
        return defaultValue
    }

    private static func listenAddresses(_ directive: ConfigDirective) throws(ConfigError) -> [ListenAddress] {
        guard !directive.args.isEmpty else {
            throw ConfigError(at: directive, context: nil, message: "expects at least one [host:]port")
        }
        var addresses: [ListenAddress] = []
        for text in directive.args {
            let address: ListenAddress
            do {
                address = try ListenAddress(parsing: text)
            } catch {
                throw ConfigError(at: directive, context: nil, message: error.description)
            }
            if addresses.contains(address) {
                throw ConfigError(at: directive, context: nil, message: "'\(text)' is listed twice")
            }
            addresses.append(address)
        }
        return addresses
    }
}
