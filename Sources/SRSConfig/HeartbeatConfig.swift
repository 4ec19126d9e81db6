/// `heartbeat { enabled; interval; url; device_id; summaries; ports; }` (top level): the server
/// reports itself to a management server by POSTing SRS's JSON body at the interval.
public struct HeartbeatConfig: Sendable, Equatable {
    /// Default: off
    public var enabled = false
    /// Seconds between reports. Default: 9.3 (SRS's)
    public var interval = 9.3
    /// Where the body is POSTed (http:// or https://). Default: http://127.0.0.1:8085/api/v1/servers
    public var url = "http://127.0.0.1:8085/api/v1/servers"
    /// Default: ""
    public var deviceId = ""
    /// The body carries the /api/v1/summaries data. Default: off
    public var summaries = false
    /// SRS 5: the body lists the listen endpoints (rtmp, http, api). Default: off
    public var ports = false

    public init() {}

    init(reader: SettingReader) throws(ConfigError) {
        enabled = try reader.flag(false, ["heartbeat", "enabled"])
        interval = try reader.decimal(interval, minimum: 0.1, ["heartbeat", "interval"])
        url = try reader.text(url, ["heartbeat", "url"])
        deviceId = try reader.optionalText(["heartbeat", "device_id"]) ?? ""
        summaries = try reader.flag(false, ["heartbeat", "summaries"])
        ports = try reader.flag(false, ["heartbeat", "ports"])
        if enabled && !(url.hasPrefix("http://") || url.hasPrefix("https://")), let found = try reader.setting(["heartbeat", "url"]) {
            throw ConfigError(at: found.directive, context: found.context, message: "expects an http:// or https:// URL, got '\(url)'")
        }
    }
}
