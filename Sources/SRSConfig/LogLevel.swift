/// The lowest level written to the log (`srs_log_level`), from most to least chatty.
public enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case verbose
    case info
    case trace
    case warn
    case error

    /// The config word for the level: `verbose`, `info`, `trace`, `warn`, `error`.
    public var name: String {
        switch self {
        case .verbose: "verbose"
        case .info: "info"
        case .trace: "trace"
        case .warn: "warn"
        case .error: "error"
        }
    }

    /// The level for a config word, if it is one.
    public init?(name: String) {
        guard let level = Self.allCases.first(where: { $0.name == name }) else {
            return nil
        }
        self = level
    }

    /// The level for a word of SRS 5's `srs_log_level_v2`: trace, debug, info, warn, error
    /// (SRS's srs_get_log_level_v2: its trace is verbose here, debug is info, info is trace).
    public init?(version2Name name: String) {
        switch name {
        case "trace": self = .verbose
        case "debug": self = .info
        case "info": self = .trace
        case "warn": self = .warn
        case "error": self = .error
        default: return nil
        }
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
