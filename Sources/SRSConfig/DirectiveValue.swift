/// Checks and converts the argument of a single-value directive.
enum DirectiveValue {
    /// The first argument; an error when there is none. More than one is taken as SRS takes
    /// it (the first) with a warning, when `warnings` is given, else an error.
    static func single(_ directive: ConfigDirective, context: String?, warnings: ConfigWarning.Collector? = nil) throws(ConfigError) -> String {
        guard let value = directive.arg0 else {
            throw ConfigError(at: directive, context: context, message: "expects a value")
        }
        if directive.args.count > 1 {
            guard let warnings else {
                throw ConfigError(at: directive, context: context, message: "expects 1 value, got \(directive.args.count)")
            }
            warnings.add(directive, "expects 1 value, got \(directive.args.count); '\(value)' is used, the rest ignored (a missing ';'?)")
        }
        return value
    }

    /// The only argument as a whole number within `range`.
    static func integer(
        _ directive: ConfigDirective,
        context: String?,
        in range: ClosedRange<Int>,
        warnings: ConfigWarning.Collector? = nil
    ) throws(ConfigError) -> Int {
        let word = try single(directive, context: context, warnings: warnings)
        guard let value = wholeNumber(word) else {
            throw ConfigError(at: directive, context: context, message: "expects a whole number, got '\(word)'")
        }
        guard range.contains(value) else {
            let bounds = range.upperBound == Int.max
                ? "at least \(range.lowerBound)"
                : "between \(range.lowerBound) and \(range.upperBound)"
            throw ConfigError(at: directive, context: context, message: "must be \(bounds), got '\(word)'")
        }
        return value
    }

    /// `text` as a decimal whole number: optional `-`, then ASCII digits only.
    static func wholeNumber(_ text: String) -> Int? {
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return nil
        }
        return Int(text)
    }

    /// `1.0` as `1`, `0.5` as `0.5`.
    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
