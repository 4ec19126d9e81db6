/// One directive of an SRS config file: `name arg1 arg2;` or `name args { children }`.
///
/// The tree keeps where each directive came from (`file`, `line`) so that later checks and
/// warnings can point at the exact place, also for directives that came from an `include`.
public struct ConfigDirective: Sendable, Equatable {
    /// The directive name, e.g. `listen`, `vhost`, `gop_cache`.
    public var name: String
    /// The arguments after the name, unquoted.
    public var args: [String]
    /// The directives inside `{ ... }`; empty for a plain `name args;` directive.
    public var children: [ConfigDirective]
    /// True when the directive was written with a block (`name { ... }`), even an empty one.
    public var hasBlock: Bool
    /// The file the directive was read from (as given to the parser, or as resolved for `include`).
    public var file: String
    /// The 1-based line of the directive name; 0 for directives made up by the server.
    public var line: Int

    /// Makes a directive; `hasBlock` defaults to whether `children` is non-empty.
    public init(
        name: String,
        args: [String] = [],
        children: [ConfigDirective] = [],
        hasBlock: Bool? = nil,
        file: String = "",
        line: Int = 0
    ) {
        self.name = name
        self.args = args
        self.children = children
        self.hasBlock = hasBlock ?? !children.isEmpty
        self.file = file
        self.line = line
    }

    /// The first child directive with this name, if any.
    public func child(_ name: String) -> ConfigDirective? {
        children.first { $0.name == name }
    }

    /// All child directives with this name, in file order.
    public func children(named name: String) -> [ConfigDirective] {
        children.filter { $0.name == name }
    }

    /// The first argument, if any.
    public var arg0: String? {
        args.first
    }

    /// `file:line`, for messages.
    public var location: String {
        line > 0 ? "\(file):\(line)" : file
    }
}
