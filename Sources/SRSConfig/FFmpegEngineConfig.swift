/// An `engine NAME { ... }` of `transcode` or `ingest`: what ffmpeg encodes, with SRS's
/// meanings. `vfilter`, `vparams` and `aparams` keep their directives as ffmpeg options
/// (`name value;` becomes `-name value`, as SRS builds them).
public struct FFmpegEngineConfig: Sendable, Equatable {
    /// `copy`: pass the track through; `vn`/`an`: drop it.
    public static let copy = "copy"
    public static let noVideo = "vn"
    public static let noAudio = "an"

    /// The engine's name (`[engine]` in outputs); may be empty for an ingest's engine.
    public var name = ""
    /// Default: off
    public var enabled = false
    /// Input format for an rtmp:// input. Default: flv
    public var iformat = "flv"
    public var vfilter: [String] = []
    /// `libx264`, `copy` or `vn`. Default: none (an ingest then copies)
    public var vcodec = ""
    /// kbps; 0 leaves ffmpeg's default.
    public var vbitrate = 0
    public var vfps: Double = 0
    /// Made even, as SRS does; 0 keeps the input's size.
    public var vwidth = 0
    public var vheight = 0
    public var vthreads = 0
    public var vprofile = ""
    public var vpreset = ""
    public var vparams: [String] = []
    /// `aac`, `libfdk_aac`, `libmp3lame`, `copy` or `an`. Default: none
    public var acodec = ""
    /// kbps
    public var abitrate = 0
    public var asampleRate = 0
    /// 0, 1 or 2.
    public var achannels = 0
    public var aparams: [String] = []
    /// SRS 3+: ffmpeg options before `-i` (`perfile { re; rtsp_transport tcp; }`).
    public var perfile: [String] = []
    /// Default: flv
    public var oformat = "flv"
    /// Where the result goes: `[vhost] [port] [app] [stream] [param] [engine]` are replaced.
    public var output = ""

    public init() {}

    /// Encodes video (neither copied nor dropped).
    public var encodesVideo: Bool { vcodec != Self.copy && vcodec != Self.noVideo }
    /// Encodes audio (neither copied nor dropped).
    public var encodesAudio: Bool { acodec != Self.copy && acodec != Self.noAudio }

    init(block: ConfigDirective, context: String?, warnings: ConfigWarning.Collector, requireOutput: Bool) throws(ConfigError) {
        let inner = ConfigSchema.context(parent: context, block: block)
        let reader = SettingReader(directives: block.children, context: inner, warnings: warnings)
        name = block.arg0 ?? ""
        enabled = try reader.flag(false, ["enabled"])
        iformat = try reader.text("flv", ["iformat"])
        vcodec = try reader.optionalText(["vcodec"]) ?? ""
        vbitrate = try reader.integer(0, in: 0...1_000_000, ["vbitrate"])
        vfps = try reader.decimal(0, minimum: 0, ["vfps"])
        vwidth = try reader.integer(0, in: 0...100_000, ["vwidth"])
        vheight = try reader.integer(0, in: 0...100_000, ["vheight"])
        vwidth -= vwidth % 2
        vheight -= vheight % 2
        vthreads = try reader.integer(0, in: 0...1024, ["vthreads"])
        vprofile = try reader.optionalText(["vprofile"]) ?? ""
        vpreset = try reader.optionalText(["vpreset"]) ?? ""
        acodec = try reader.optionalText(["acodec"]) ?? ""
        abitrate = try reader.integer(0, in: 0...100_000, ["abitrate"])
        asampleRate = try reader.integer(0, in: 0...1_000_000, ["asample_rate"])
        achannels = try reader.integer(0, in: 0...2, ["achannels"])
        oformat = try reader.text("flv", ["oformat"])
        output = try reader.optionalText(["output"]) ?? ""
        vfilter = Self.options(block.child("vfilter"))
        vparams = Self.options(block.child("vparams"))
        aparams = Self.options(block.child("aparams"))
        perfile = Self.options(block.child("perfile"))
        guard enabled else { return }
        if requireOutput && output.isEmpty {
            throw ConfigError(at: block, context: context, message: "engine \(name) needs an output")
        }
        if vcodec == Self.noVideo && acodec == Self.noAudio {
            throw ConfigError(at: block, context: context, message: "engine \(name) drops both video (vn) and audio (an)")
        }
        if encodesVideo && !vcodec.isEmpty && (vprofile.isEmpty || vpreset.isEmpty) {
            throw ConfigError(at: block, context: context, message: "engine \(name) encodes video with \(vcodec): it needs vprofile and vpreset")
        }
    }

    /// `name value;` directives as `-name value` (a directive without value as `-name`).
    private static func options(_ block: ConfigDirective?) -> [String] {
        guard let block else { return [] }
        return block.children.flatMap { ["-" + $0.name] + $0.args.prefix(1) }
    }
}
