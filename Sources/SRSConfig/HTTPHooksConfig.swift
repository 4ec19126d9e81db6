/// A vhost's `http_hooks { ... }`: HTTP callbacks (SRS's, plus a timeout and a failure policy).
///
/// Each event takes one or more URLs, called in order with a JSON POST; a call succeeds when
/// the answer is HTTP 200 with a body of `0` or a JSON object with `"code":0`.
public struct HTTPHooksConfig: Sendable, Equatable {
    /// The events, named as in the config (`on_connect` ...) and in the callback's `action`.
    public enum Event: String, Sendable, CaseIterable {
        case onConnect = "on_connect", onClose = "on_close", onPublish = "on_publish", onUnpublish = "on_unpublish"
        case onPlay = "on_play", onStop = "on_stop", onDvr = "on_dvr", onHls = "on_hls"

        /// Events whose answer admits or rejects the client; the others are notifications.
        public var decidesAdmission: Bool { self == .onConnect || self == .onPublish || self == .onPlay }
    }

    /// Default: off.
    public var enabled = false
    /// URLs per event, in calling order.
    public var urls: [Event: [String]] = [:]
    /// `on_hls_notify URL-template`: a GET after each segment (accepted; not called yet).
    public var onHlsNotify: [String] = []
    /// Beyond SRS: `timeout SECONDS`, how long one call may take before it counts as failed.
    /// SRS 2.0 waited up to 30 s (fixed); the default keeps that.
    public var timeoutMs = 30_000
    /// Beyond SRS: `fail_open on` admits the client when a hook server cannot be reached, does
    /// not answer in time or answers garbage; a clear rejection (HTTP 200 with a non-zero code,
    /// or another HTTP status) always rejects. Default off: any failure rejects, as in SRS.
    public var failOpen = false

    public init() {}

    /// The URLs of `event`, empty when the hooks are off.
    public func urls(for event: Event) -> [String] {
        enabled ? urls[event] ?? [] : []
    }

    init(reader: SettingReader) throws(ConfigError) {
        enabled = try reader.flag(false, ["http_hooks", "enabled"])
        for event in Event.allCases {
            guard let list = try reader.words(["http_hooks", event.rawValue]) else { continue }
            for url in list where !url.hasPrefix("http://") && !url.hasPrefix("https://") {
                let found = try reader.setting(["http_hooks", event.rawValue])
                throw ConfigError(at: found!.directive, context: found!.context, message: "expects http:// or https:// URLs, got '\(url)'")
            }
            urls[event] = list
        }
        onHlsNotify = try reader.words(["http_hooks", "on_hls_notify"]) ?? []
        timeoutMs = Int(try reader.decimal(30, minimum: 0.1, ["http_hooks", "timeout"]) * 1000)
        failOpen = try reader.flag(false, ["http_hooks", "fail_open"])
    }
}
