/// Something in a config that SRS accepts and this server takes as SRS does, but that the
/// operator should hear about: a directive this server does not implement, one given twice
/// (the first is used), extra values (often a missing `;`).
public struct ConfigWarning: Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let directive: String
    public let message: String

    init(at directive: ConfigDirective, _ message: String) {
        file = directive.file
        line = directive.line
        self.directive = directive.name
        self.message = message
    }

    /// `file:line: directive 'name': message`.
    public var description: String { "\(file):\(line): directive '\(directive)': \(message)" }

    /// Collects the warnings of one load.
    final class Collector {
        private(set) var warnings: [ConfigWarning] = []

        func add(_ directive: ConfigDirective, _ message: String) {
            let warning = ConfigWarning(at: directive, message)
            if !warnings.contains(warning) { warnings.append(warning) }
        }
    }
}
