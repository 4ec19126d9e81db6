import Foundation

/// A problem in a config file, with the place it was found.
///
/// `description` is one line: `FILE:LINE: directive 'X' in CONTEXT: message`
/// (the `directive` and `in CONTEXT` parts only when known; `:LINE` only when the line is known).
public struct ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file the problem is in.
    public let file: String
    /// The 1-based line of the problem; 0 when the problem is the whole file (e.g. it can't be read).
    public let line: Int
    /// The name of the directive at fault, when there is one.
    public let directive: String?
    /// Where the directive sits, e.g. `vhost __defaultVhost__` or `vhost a.com > play`; nil at top level.
    public let context: String?
    /// What is wrong.
    public let message: String

    /// Makes an error.
    public init(file: String, line: Int, directive: String?, context: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.directive = directive
        self.context = context
        self.message = message
    }

    /// Makes an error about an existing directive, at its place.
    init(at directive: ConfigDirective, context: String?, message: String) {
        self.init(
            file: directive.file,
            line: directive.line,
            directive: directive.name,
            context: context,
            message: message
        )
    }

    /// One line: `FILE:LINE: directive 'X' in CONTEXT: message`.
    public var description: String {
        var text = line > 0 ? "\(file):\(line): " : "\(file): "
        if let directive {
            text += "directive '\(directive)'"
            if let context {
                text += " in \(context)"
            }
            text += ": "
        }
        text += message
        return text.replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n")
    }
}
