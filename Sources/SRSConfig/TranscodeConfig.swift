/// A vhost's `transcode [scope] { enabled; ffmpeg; engine NAME { ... } ... }`: the streams
/// of the scope (all, an app, or app/stream) are transcoded by ffmpeg with each enabled
/// engine, as SRS does.
public struct TranscodeConfig: Sendable, Equatable {
    /// "" (every stream), "app" or "app/stream".
    public var scope = ""
    /// Default: off
    public var enabled = false
    /// The ffmpeg binary. Default: ./objs/ffmpeg/bin/ffmpeg (SRS's; `ffmpeg` from PATH when
    /// that file is missing)
    public var ffmpeg = "./objs/ffmpeg/bin/ffmpeg"
    /// The enabled engines, in file order.
    public var engines: [FFmpegEngineConfig] = []

    public init() {}

    /// Whether the scope covers `app/stream`.
    public func applies(app: String, stream: String) -> Bool {
        scope.isEmpty || scope == app || scope == "\(app)/\(stream)"
    }

    init(block: ConfigDirective, context: String?, warnings: ConfigWarning.Collector) throws(ConfigError) {
        scope = block.arg0 ?? ""
        let inner = ConfigSchema.context(parent: context, block: block)
        let reader = SettingReader(directives: block.children, context: inner, warnings: warnings)
        enabled = try reader.flag(false, ["enabled"])
        ffmpeg = try reader.text(ffmpeg, ["ffmpeg"])
        for engine in block.children(named: "engine") {
            let parsed = try FFmpegEngineConfig(block: engine, context: inner, warnings: warnings, requireOutput: true)
            if parsed.enabled { engines.append(parsed) }
        }
    }
}
