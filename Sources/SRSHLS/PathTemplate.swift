import Glibc

/// SRS path templates: `[vhost] [app] [stream] [seq] [timestamp]` and the date parts
/// `[2006] [01] [02] [15] [04] [05] [999]` (year, month, day, hour, minute, second, ms).
public struct PathTemplate: Sendable {
    public var vhost = ""
    public var app = ""
    public var stream = ""
    public var sequence = 0
    /// ms since 1970.
    public var timestampMs: Int64 = 0
    /// Broken-down local time for the date parts.
    public var year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, millisecond = 0

    public init() {}

    /// Sets `[timestamp]` to `milliseconds` (since 1970) and the date parts to that moment in
    /// the server's local time zone.
    public mutating func setTime(milliseconds: Int64) {
        timestampMs = milliseconds
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        localtime_r(&seconds, &parts)
        year = Int(parts.tm_year) + 1900
        month = Int(parts.tm_mon) + 1
        day = Int(parts.tm_mday)
        hour = Int(parts.tm_hour)
        minute = Int(parts.tm_min)
        second = Int(parts.tm_sec)
        millisecond = Int(milliseconds % 1000)
    }

    public func render(_ template: String) -> String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        func three(_ value: Int) -> String { value < 10 ? "00\(value)" : value < 100 ? "0\(value)" : "\(value)" }
        return template
            .replacing("[vhost]", with: vhost).replacing("[app]", with: app).replacing("[stream]", with: stream)
            .replacing("[seq]", with: String(sequence)).replacing("[timestamp]", with: String(timestampMs))
            .replacing("[2006]", with: String(year)).replacing("[01]", with: two(month)).replacing("[02]", with: two(day))
            .replacing("[15]", with: two(hour)).replacing("[04]", with: two(minute)).replacing("[05]", with: two(second))
            .replacing("[999]", with: three(millisecond))
    }
}
