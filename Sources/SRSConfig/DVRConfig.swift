/// A vhost's `dvr { ... }` block: recording published streams to FLV or MP4 files, with SRS's
/// meanings and defaults (SRS 2.0's plans, SRS 3+'s `dvr_apply`, path templates and MP4).
public struct DVRConfig: Sendable, Equatable {
    /// When a file is closed and the next begun.
    public enum Plan: String, Sendable {
        /// One file per publish, closed when the publisher leaves.
        case session
        /// Files of `dvr_duration` seconds (cut at a keyframe with `dvr_wait_keyframe`).
        case segment
        /// One file that every publish of the stream continues.
        case append
    }

    /// Default: off.
    public var enabled = false
    /// Default: session.
    public var plan = Plan.session
    /// What a file holds, from the path's extension.
    public enum Format: String, Sendable {
        case flv
        /// Fragmented MP4 (SRS 3+ records MP4 when `dvr_path` ends in `.mp4`).
        case mp4
    }

    /// The file path template: `[vhost] [app] [stream] [timestamp]` and the date parts
    /// `[2006] [01] [02] [15] [04] [05] [999]`. A path that ends in neither `.flv` nor `.mp4`
    /// is a folder (SRS 2.0's meaning): `/[app]/[stream].[timestamp].flv` is added.
    /// Default: ./objs/nginx/html/[app]/[stream].[timestamp].flv
    public var path = "./objs/nginx/html/[app]/[stream].[timestamp].flv"
    /// Segment length for `segment`, seconds. Default: 30
    public var durationSeconds: Double = 30
    /// `segment` cuts at a keyframe once the length is reached. Default: on
    public var waitKeyframe = true
    /// Timestamp correction of the recorded tags. Default: full
    public var timeJitter = TimeJitter.full
    /// `dvr_apply`: `all`, or the `app/stream` names to record. Default: all
    public var apply: [String] = ["all"]
    /// FLV, or MP4 for a path ending in `.mp4`. Default: flv
    public var format = Format.flv

    public init() {}

    init(reader: SettingReader) throws(ConfigError) {
        enabled = try reader.flag(false, ["dvr", "enabled"])
        plan = try reader.choice(.session, expected: "session, segment or append", ["dvr", "dvr_plan"]) { Plan(rawValue: $0) }
        let given = try reader.text("./objs/nginx/html/[app]/[stream].[timestamp].flv", ["dvr", "dvr_path"])
        if given.hasSuffix(".mp4") {
            format = .mp4
            path = given
        } else {
            path = given.hasSuffix(".flv") ? given : (given.hasSuffix("/") ? given : given + "/") + "[app]/[stream].[timestamp].flv"
        }
        durationSeconds = try reader.decimal(30, minimum: 1, ["dvr", "dvr_duration"])
        waitKeyframe = try reader.flag(true, ["dvr", "dvr_wait_keyframe"])
        timeJitter = try reader.choice(.full, expected: "full, zero or off", ["dvr", "time_jitter"]) { TimeJitter(rawValue: $0) }
        apply = try reader.words(["dvr", "dvr_apply"]) ?? ["all"]
    }

    /// Whether `dvr_apply` selects the stream `app/stream`.
    public func applies(app: String, stream: String) -> Bool {
        apply.contains("all") || apply.contains("\(app)/\(stream)")
    }
}
