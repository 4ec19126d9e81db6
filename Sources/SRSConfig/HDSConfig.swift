/// A vhost's `hds { ... }` block: Adobe HTTP Dynamic Streaming files, with SRS 2.0's defaults.
public struct HDSConfig: Sendable, Equatable {
    /// Default: off.
    public var enabled = false
    /// Fragment duration, seconds (fragments are cut at the first keyframe after it). Default: 10
    public var fragment: Double = 10
    /// Seconds of fragments the bootstrap lists; older fragment files are deleted. Default: 60
    public var window: Double = 60
    /// Root folder: `[app]/[stream].f4m`, `[app]/[stream].abst` and
    /// `[app]/[stream]Seg1-Frag[N]` are written under it. Default: ./objs/nginx/html
    public var path = "./objs/nginx/html"

    public init() {}

    init(reader: SettingReader) throws(ConfigError) {
        enabled = try reader.flag(false, ["hds", "enabled"])
        fragment = try reader.decimal(10, minimum: 0.1, ["hds", "hds_fragment"])
        window = try reader.decimal(60, minimum: 0.1, ["hds", "hds_window"])
        path = try reader.text(path, ["hds", "hds_path"])
    }
}
