/// A vhost's `ingest ID { enabled; input { type file|stream|hls; url; } ffmpeg; engine { ... } }`:
/// ffmpeg pulls a file (at real-time pace, again and again) or a stream (HTTP-FLV, RTMP,
/// RTSP, HLS...) and publishes it to the engine's output, as SRS does; `hls` is pulled by the
/// server itself and copied to the first engine's output.
public struct IngestConfig: Sendable, Equatable {
    public enum InputType: String, Sendable {
        /// A file, read at real-time pace (`-re`); restarted when it ends.
        case file
        /// A live URL, read as it comes.
        case stream
        /// A live HLS playlist, pulled by the server itself (no ffmpeg) and copied.
        case hls
    }

    /// The ingest's id.
    public var id = ""
    /// Default: off
    public var enabled = false
    public var inputType = InputType.file
    public var inputURL = ""
    /// Default: ./objs/ffmpeg/bin/ffmpeg (`ffmpeg` from PATH when that file is missing)
    public var ffmpeg = "./objs/ffmpeg/bin/ffmpeg"
    /// The engines, in file order: a disabled engine, or one without codecs, copies.
    public var engines: [FFmpegEngineConfig] = []

    public init() {}

    init(block: ConfigDirective, context: String?, warnings: ConfigWarning.Collector) throws(ConfigError) {
        id = block.arg0 ?? ""
        let inner = ConfigSchema.context(parent: context, block: block)
        let reader = SettingReader(directives: block.children, context: inner, warnings: warnings)
        enabled = try reader.flag(false, ["enabled"])
        inputType = try reader.choice(.file, expected: "file, stream or hls", ["input", "type"]) { InputType(rawValue: $0) }
        inputURL = try reader.optionalText(["input", "url"]) ?? ""
        ffmpeg = try reader.text(ffmpeg, ["ffmpeg"])
        for engine in block.children(named: "engine") {
            engines.append(try FFmpegEngineConfig(block: engine, context: inner, warnings: warnings, requireOutput: enabled))
        }
        if enabled && inputURL.isEmpty {
            throw ConfigError(at: block, context: context, message: "ingest \(id) needs input { url ...; }")
        }
        if enabled && !engines.contains(where: { !$0.output.isEmpty }) {
            throw ConfigError(at: block, context: context, message: "ingest \(id) needs an engine with an output")
        }
    }
}
