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

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
