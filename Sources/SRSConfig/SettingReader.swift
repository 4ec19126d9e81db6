/// Reads typed settings from one block (the top level or a vhost), where a setting may be
/// written in more than one shape (SRS 2.0 flat `gop_cache on;` or SRS 3+ `play { gop_cache on; }`).
///
/// A setting given more than once, in the same or another shape, takes its first value (as SRS's
/// `get()` does) with a warning naming both lines. A single-value setting given more values
/// takes the first (SRS reads `arg0`), with a warning: usually a missing `;` swallowed the
/// next directive.
struct SettingReader {
    /// The largest number a decimal setting takes (seconds: 31 years).
    static let maximumDecimal: Double = 1_000_000_000

    /// The directives of the block.
    let directives: [ConfigDirective]
    /// Where the block sits, e.g. `vhost a.com`; nil at top level.
    let context: String?
    /// Where warnings go.
    let warnings: ConfigWarning.Collector

    /// The one directive at any of these paths (e.g. `["gop_cache"]`, `["play", "gop_cache"]`), if any.
    func setting(_ paths: [String]...) throws(ConfigError) -> (directive: ConfigDirective, context: String?)? {
        try setting(paths)
    }

    func flag(_ defaultValue: Bool, _ paths: [String]...) throws(ConfigError) -> Bool {
        guard let found = try setting(paths) else {
            return defaultValue
        }
        let word = try DirectiveValue.single(found.directive, context: found.context, warnings: warnings)
        switch word {
        case "on": return true
        case "off": return false
        default:
            throw ConfigError(at: found.directive, context: found.context, message: "expects on or off, got '\(word)'")
        }
    }

    func integer(_ defaultValue: Int, in range: ClosedRange<Int>, _ paths: [String]...) throws(ConfigError) -> Int {
        guard let found = try setting(paths) else {
            return defaultValue
        }
        return try DirectiveValue.integer(found.directive, context: found.context, in: range, warnings: warnings)
    }

    func optionalInteger(in range: ClosedRange<Int>, _ paths: [String]...) throws(ConfigError) -> Int? {
        guard let found = try setting(paths) else {
            return nil
        }
        return try DirectiveValue.integer(found.directive, context: found.context, in: range, warnings: warnings)
    }

    func decimal(_ defaultValue: Double, minimum: Double, _ paths: [String]...) throws(ConfigError) -> Double {
        guard let found = try setting(paths) else {
            return defaultValue
        }
        let word = try DirectiveValue.single(found.directive, context: found.context, warnings: warnings)
        guard let value = Double(word), value.isFinite else {
            throw ConfigError(at: found.directive, context: found.context, message: "expects a number, got '\(word)'")
        }
        guard value >= minimum else {
            throw ConfigError(
                at: found.directive,
                context: found.context,
                message: "must be at least \(DirectiveValue.format(minimum)), got '\(word)'"
            )
        }
        // Durations and sizes are turned into integers (ms, bytes): keep them representable.
        guard value <= Self.maximumDecimal else {
            throw ConfigError(at: found.directive, context: found.context, message: "must be at most 1000000000, got '\(word)'")
        }
        return value
    }

    func text(_ defaultValue: String, _ paths: [String]...) throws(ConfigError) -> String {
        guard let found = try setting(paths) else {
            return defaultValue
        }
        let word = try DirectiveValue.single(found.directive, context: found.context, warnings: warnings)
        guard !word.isEmpty else {
            throw ConfigError(at: found.directive, context: found.context, message: "expects a value, got ''")
        }
        return word
    }

    /// The value of the directive at these paths, or nil when absent.
    func optionalText(_ paths: [String]...) throws(ConfigError) -> String? {
        guard let found = try setting(paths) else { return nil }
        return try DirectiveValue.single(found.directive, context: found.context, warnings: warnings)
    }

    /// Every argument of the one directive at these paths (at least one), or nil if absent.
    func words(_ paths: [String]...) throws(ConfigError) -> [String]? {
        guard let found = try setting(paths) else {
            return nil
        }
        guard !found.directive.args.isEmpty, !found.directive.args.contains("") else {
            throw ConfigError(at: found.directive, context: found.context, message: "expects at least one value")
        }
        return found.directive.args
    }

    /// A word turned into `T` by `make`; `expected` lists the accepted words for the error.
    func choice<T>(
        _ defaultValue: T,
        expected: String,
        _ paths: [String]...,
        make: (String) -> T?
    ) throws(ConfigError) -> T {
        guard let found = try setting(paths) else {
            return defaultValue
        }
        let word = try DirectiveValue.single(found.directive, context: found.context, warnings: warnings)
        guard let value = make(word) else {
            throw ConfigError(at: found.directive, context: found.context, message: "expects \(expected), got '\(word)'")
        }
        return value
    }

    private func setting(_ paths: [[String]]) throws(ConfigError) -> (directive: ConfigDirective, context: String?)? {
        var matches: [(directive: ConfigDirective, context: String?)] = []
        for path in paths {
            matches += find(path, in: directives, context: context)
        }
        matches.sort { ($0.directive.file, $0.directive.line) < ($1.directive.file, $1.directive.line) }
        guard let first = matches.first else {
            return nil
        }
        for later in matches.dropFirst() {
            warnings.add(later.directive, "set again (first at \(first.directive.location), whose value is used); this one is ignored")
        }
        return first
    }

    private func find(
        _ path: [String],
        in directives: [ConfigDirective],
        context: String?
    ) -> [(directive: ConfigDirective, context: String?)] {
        guard let name = path.first else {
            return []
        }
        let named = directives.filter { $0.name == name }
        if path.count == 1 {
            return named.map { ($0, context) }
        }
        let rest = Array(path.dropFirst())
        return named.flatMap { block in
            find(rest, in: block.children, context: ConfigSchema.context(parent: context, block: block))
        }
    }
}
