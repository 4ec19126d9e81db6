/// A vhost's `hls { ... }` block, with SRS 2.0's meanings and defaults.
public struct HLSConfig: Sendable, Equatable {
    /// What to do when writing HLS fails: `ignore` (stop HLS for this publish), `continue`
    /// (keep trying), `disconnect` (drop the publisher).
    public enum OnError: String, Sendable { case ignore, `continue`, disconnect }

    /// Default: off.
    public var enabled = false
    /// Target segment duration, seconds. Default: 10
    public var fragment: Double = 10
    /// EXT-X-TARGETDURATION is at least fragment × td_ratio. Default: 1.5
    public var targetDurationRatio: Double = 1.5
    /// A segment is cut without waiting for a keyframe once it reaches fragment × aof_ratio
    /// (audio-only streams are cut this way). Default: 2.0
    public var audioOverflowRatio: Double = 2.0
    /// Seconds of segments the playlist keeps. Default: 60
    public var window: Double = 60
    /// Default: ignore.
    public var onError = OnError.ignore
    /// Root folder of the files. Default: ./objs/nginx/html
    public var path = "./objs/nginx/html"
    /// Playlist path under `path`. Default: [app]/[stream].m3u8
    public var m3u8File = "[app]/[stream].m3u8"
    /// Segment path under `path`. Default: [app]/[stream]-[seq].ts
    public var tsFile = "[app]/[stream]-[seq].ts"
    /// [timestamp] in tsFile is floored to the fragment (stable names across servers). Default: off
    public var tsFloor = false
    /// Prefix of the segment URLs in the playlist (e.g. a CDN). Default: none
    public var entryPrefix = ""
    /// Audio codec expected before the stream says: aac, mp3, or an (no audio). Default: aac
    public var audioCodec = "aac"
    /// Video codec: h264, or vn (no video). Default: h264
    public var videoCodec = "h264"
    /// Delete segments that left the window. Default: on
    public var cleanup = true
    /// Delete all files of a stream this many seconds after its publisher left; 0 = never.
    /// Default: 0
    public var dispose: Double = 0
    /// Cut segments only at keyframes. Default: on
    public var waitKeyframe = true

    public init() {}

    init(reader: SettingReader) throws {
        enabled = try reader.flag(false, ["hls", "enabled"])
        fragment = try reader.decimal(10, minimum: 0.1, ["hls", "hls_fragment"])
        targetDurationRatio = try reader.decimal(1.5, minimum: 1, ["hls", "hls_td_ratio"])
        audioOverflowRatio = try reader.decimal(2.0, minimum: 1, ["hls", "hls_aof_ratio"])
        window = try reader.decimal(60, minimum: 0.1, ["hls", "hls_window"])
        onError = try reader.choice(.ignore, expected: "ignore, continue or disconnect", ["hls", "hls_on_error"]) { OnError(rawValue: $0) }
        path = try reader.text(path, ["hls", "hls_path"])
        m3u8File = try reader.text(m3u8File, ["hls", "hls_m3u8_file"])
        tsFile = try reader.text(tsFile, ["hls", "hls_ts_file"])
        tsFloor = try reader.flag(false, ["hls", "hls_ts_floor"])
        entryPrefix = try reader.text("", ["hls", "hls_entry_prefix"])
        audioCodec = try reader.choice("aac", expected: "aac, mp3 or an", ["hls", "hls_acodec"]) { ["aac", "mp3", "an"].contains($0) ? $0 : nil }
        videoCodec = try reader.choice("h264", expected: "h264 or vn", ["hls", "hls_vcodec"]) { ["h264", "vn"].contains($0) ? $0 : nil }
        cleanup = try reader.flag(true, ["hls", "hls_cleanup"])
        dispose = try reader.decimal(0, minimum: 0, ["hls", "hls_dispose"])
        waitKeyframe = try reader.flag(true, ["hls", "hls_wait_keyframe"])
    }
}
