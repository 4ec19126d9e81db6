import Foundation

/// Reads SRS config text into a tree of ``ConfigDirective``s. Checks syntax only; see
/// ``ConfigSchema`` for which directives are known.
///
/// `include FILE ...;` (SRS 3+) is replaced by the directives of each file, at the same level.
/// A relative FILE is taken from the working directory, as SRS does, or when no such file is
/// there, from the folder of the file that includes it. Include cycles and
/// include depths above ``maximumIncludeDepth`` are errors, and so are blocks nested deeper
/// than ``maximumBlockDepth`` (the parser recurses per block: a file of nested `a {` must be
/// an error, not a stack overflow).
///
/// All errors thrown are ``ConfigError``.
public enum ConfigParser {
    /// How deep includes may nest.
    public static let maximumIncludeDepth = 16
    /// How deep blocks may nest (SRS's deepest is 3: `vhost { transcode { engine { } } }`).
    public static let maximumBlockDepth = 32

    /// Reads and parses the file at `path`; relative includes are looked up from
    /// `workingDirectory` (nil: the process's).
    public static func parseFile(path: String, workingDirectory: String? = nil) throws -> [ConfigDirective] {
        let text: String
        do {
            text = try ConfigFileReader.readText(path: path)
        } catch {
            throw ConfigError(file: path, line: 0, directive: nil, message: error.message)
        }
        return try parse(text: text, file: path, includeChain: [ConfigFileReader.canonicalPath(path)], workingDirectory: workingDirectory)
    }

    /// Parses `text`; `file` names it in errors and is the base for relative `include`s.
    public static func parse(text: String, file: String) throws -> [ConfigDirective] {
        try parse(text: text, file: file, includeChain: [ConfigFileReader.canonicalPath(file)])
    }

    /// `blockDepth`: how many blocks enclose the `include` that brought this text in.
    static func parse(text: String, file: String, includeChain: [String], blockDepth: Int = 0,
                      workingDirectory: String? = nil) throws(ConfigError) -> [ConfigDirective] {
        var builder = DirectiveTreeBuilder(text: text, file: file, includeChain: includeChain, blockDepth: blockDepth,
                                           workingDirectory: workingDirectory)
        return try builder.parseAll()
    }
}

/// Builds the directive tree from tokens (recursive descent over blocks).
private struct DirectiveTreeBuilder {
    private var tokenizer: ConfigTokenizer
    private let file: String
    private let includeChain: [String]
    private var blockDepth: Int
    private let workingDirectory: String?

    init(text: String, file: String, includeChain: [String], blockDepth: Int, workingDirectory: String?) {
        self.blockDepth = blockDepth
        self.workingDirectory = workingDirectory
        self.tokenizer = ConfigTokenizer(text: text)
        self.file = file
        self.includeChain = includeChain
    }

    mutating func parseAll() throws(ConfigError) -> [ConfigDirective] {
        try parseDirectives(enclosing: nil)
    }

    /// Reads directives until the `}` that closes `enclosing` (or the end of text at top level).
    private mutating func parseDirectives(enclosing: ConfigDirective?) throws(ConfigError) -> [ConfigDirective] {
        var directives: [ConfigDirective] = []
        while true {
            guard let token = try nextToken(directive: nil) else {
                if let enclosing {
                    throw ConfigError(
                        file: file,
                        line: enclosing.line,
                        directive: enclosing.name,
                        message: "unterminated block: '{' is never closed with '}'"
                    )
                }
                return directives
            }
            switch token.kind {
            case .closeBrace:
                if enclosing != nil {
                    return directives
                }
                throw ConfigError(file: file, line: token.line, directive: nil, message: "unexpected '}' with no open block")
            case .semicolon:
                throw ConfigError(file: file, line: token.line, directive: nil, message: "empty directive name before ';'")
            case .openBrace:
                throw ConfigError(file: file, line: token.line, directive: nil, message: "empty directive name before '{'")
            case .word(let name, _):
                guard !name.isEmpty else {
                    throw ConfigError(file: file, line: token.line, directive: nil, message: "empty directive name")
                }
                let directive = try parseDirective(name: name, line: token.line)
                if directive.name == "include" {
                    directives += try expandInclude(directive)
                } else {
                    directives.append(directive)
                }
            }
        }
    }

    /// Reads the arguments and optional block of a directive whose name was just read.
    private mutating func parseDirective(name: String, line: Int) throws(ConfigError) -> ConfigDirective {
        var directive = ConfigDirective(name: name, file: file, line: line)
        while true {
            guard let token = try nextToken(directive: name) else {
                throw ConfigError(file: file, line: line, directive: name, message: "missing ';' at end of file")
            }
            switch token.kind {
            case .word(let argument, _):
                directive.args.append(argument)
            case .semicolon:
                return directive
            case .openBrace:
                guard blockDepth < ConfigParser.maximumBlockDepth else {
                    throw ConfigError(file: file, line: token.line, directive: name,
                                      message: "blocks nest deeper than \(ConfigParser.maximumBlockDepth)")
                }
                directive.hasBlock = true
                blockDepth += 1
                directive.children = try parseDirectives(enclosing: directive)
                blockDepth -= 1
                return directive
            case .closeBrace:
                throw ConfigError(file: file, line: line, directive: name, message: "missing ';' before '}'")
            }
        }
    }

    private mutating func nextToken(directive: String?) throws(ConfigError) -> ConfigToken? {
        do {
            return try tokenizer.next()
        } catch {
            throw ConfigError(file: file, line: error.line, directive: directive, message: error.message)
        }
    }

    /// The directives of every file named by `include`.
    private func expandInclude(_ include: ConfigDirective) throws(ConfigError) -> [ConfigDirective] {
        guard !include.hasBlock else {
            throw ConfigError(at: include, context: nil, message: "include takes file names, not a block")
        }
        guard !include.args.isEmpty else {
            throw ConfigError(at: include, context: nil, message: "include needs a file name")
        }
        var directives: [ConfigDirective] = []
        for name in include.args {
            let path = ConfigFileReader.resolve(name, relativeTo: file, workingDirectory: workingDirectory)
            let canonical = ConfigFileReader.canonicalPath(path)
            if includeChain.contains(canonical) {
                let chain = (includeChain + [canonical]).joined(separator: " -> ")
                throw ConfigError(at: include, context: nil, message: "include cycle: \(chain)")
            }
            guard includeChain.count < ConfigParser.maximumIncludeDepth else {
                throw ConfigError(
                    at: include,
                    context: nil,
                    message: "includes nest deeper than \(ConfigParser.maximumIncludeDepth) files"
                )
            }
            let text: String
            do {
                text = try ConfigFileReader.readText(path: path)
            } catch {
                throw ConfigError(at: include, context: nil, message: error.message)
            }
            directives += try ConfigParser.parse(text: text, file: path, includeChain: includeChain + [canonical], blockDepth: blockDepth,
                                                 workingDirectory: workingDirectory)
        }
        return directives
    }
}
