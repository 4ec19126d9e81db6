/// A vhost's `bandcheck { ... }` block: SRS's RTMP bandwidth test. A vhost with it on serves
/// only the test: every connect to it that carries `key=KEY` in its tcUrl is measured.
public struct BandcheckConfig: Sendable, Equatable {
    /// Default: off.
    public var enabled = false
    /// The key a client must put in its tcUrl (`?key=...`). Default: empty (the tcUrl needs `key=` all the same)
    public var key = ""
    /// Seconds between two tests on this vhost; a test asked for sooner is refused. Default: 30
    public var interval: Double = 30
    /// The rate the server plays to and takes from the client, kbps. Default: 1000
    public var limitKbps = 1000

    public init() {}

    init(reader: SettingReader) throws(ConfigError) {
        enabled = try reader.flag(false, ["bandcheck", "enabled"])
        key = try reader.text("", ["bandcheck", "key"])
        interval = try reader.decimal(30, minimum: 0, ["bandcheck", "interval"])
        limitKbps = try reader.integer(1000, in: 1...10_000_000, ["bandcheck", "limit_kbps"])
    }
}
