/// An endpoint to listen on, from `listen [host:]port ...;`.
///
/// Accepted forms: `1935` (any address), `127.0.0.1:1935`, `[::1]:1935`, `host.name:1935`.
/// Port 0 asks the system for a free port.
public struct ListenAddress: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The address to bind; `""` means any address.
    public var host: String
    /// The TCP port, 0...65535 (0 = any free port).
    public var port: Int

    /// Makes an address; `host` `""` means any.
    public init(host: String = "", port: Int) {
        self.host = host
        self.port = port
    }

    /// Why a listen address could not be read.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong, e.g. `port must be between 0 and 65535, got '70000'`.
        public let description: String
    }

    /// Reads `1935`, `127.0.0.1:1935` or `[::1]:1935`.
    public init(parsing text: String) throws(ParseError) {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw ParseError(description: "'\(text)': missing ']' after IPv6 address")
            }
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard !host.isEmpty else {
                throw ParseError(description: "'\(text)': empty IPv6 address in []")
            }
            guard rest.hasPrefix(":") else {
                throw ParseError(description: "'\(text)': expected ':port' after ']'")
            }
            self.init(host: host, port: try Self.port(String(rest.dropFirst()), in: text))
            return
        }
        let colons = text.filter { $0 == ":" }.count
        if colons > 1 {
            throw ParseError(description: "'\(text)': write an IPv6 address in brackets, e.g. [::1]:1935")
        }
        guard let colon = text.firstIndex(of: ":") else {
            self.init(host: "", port: try Self.port(text, in: text))
            return
        }
        let host = String(text[..<colon])
        guard !host.isEmpty else {
            throw ParseError(description: "'\(text)': missing host before ':'")
        }
        self.init(host: host, port: try Self.port(String(text[text.index(after: colon)...]), in: text))
    }

    /// The form `listen` takes: `1935`, `127.0.0.1:1935` or `[::1]:1935`.
    public var description: String {
        if host.isEmpty {
            return String(port)
        }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    private static func port(_ digits: String, in text: String) throws(ParseError) -> Int {
        guard !digits.isEmpty else {
            throw ParseError(description: "'\(text)': missing port")
        }
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(digits) else {
            throw ParseError(description: "'\(text)': port must be a whole number, got '\(digits)'")
        }
        guard (0...65535).contains(port) else {
            throw ParseError(description: "'\(text)': port must be between 0 and 65535, got '\(digits)'")
        }
        return port
    }
}
