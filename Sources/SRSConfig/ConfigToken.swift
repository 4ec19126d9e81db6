/// One lexical piece of an SRS config file.
struct ConfigToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// A name or argument; `quoted` when it was written in '...' or "...".
        case word(String, quoted: Bool)
        case semicolon
        case openBrace
        case closeBrace
    }

    let kind: Kind
    /// The 1-based line where the token starts.
    let line: Int
}

/// A lexical error: where and what, without the file (the parser adds it).
struct ConfigTokenizerFailure: Error {
    let line: Int
    let message: String
}
