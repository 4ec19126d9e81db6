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
