/// Splits SRS config text into tokens, one at a time, the way SRS (and nginx) read it.
///
/// - Whitespace separates words; `;`, `{` and `}` are tokens of their own and end a word.
/// - `#` starts a comment to the end of the line when it starts a word; inside a word
///   (`http://host/#x`) it is an ordinary character.
/// - A word starting with `'` or `"` runs to the same quote; it may hold spaces, new lines,
///   `;`, `{`, `}` and `#`. There are no escapes (as in SRS): use the other quote to write one.
///   After the closing quote must come whitespace, `;`, `{` or `}`.
struct ConfigTokenizer {
    private let bytes: [UInt8]
    private var index: Int
    private(set) var line = 1

    init(text: String) {
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            bytes.removeFirst(3)  // UTF-8 byte order mark
        }
        self.bytes = bytes
        self.index = 0
    }

    /// The next token, or nil at the end of the text.
    mutating func next() throws(ConfigTokenizerFailure) -> ConfigToken? {
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case ASCII.newline:
                line += 1
                index += 1
            case _ where ASCII.isSpace(byte):
                index += 1
            case ASCII.hash:
                while index < bytes.count && bytes[index] != ASCII.newline {
                    index += 1
                }
            case ASCII.semicolon:
                index += 1
                return ConfigToken(kind: .semicolon, line: line)
            case ASCII.openBrace:
                index += 1
                return ConfigToken(kind: .openBrace, line: line)
            case ASCII.closeBrace:
                index += 1
                return ConfigToken(kind: .closeBrace, line: line)
            case ASCII.doubleQuote, ASCII.singleQuote:
                return try quotedWord(quote: byte)
            default:
                return plainWord()
            }
        }
        return nil
    }

    private mutating func plainWord() -> ConfigToken {
        let start = index
        while index < bytes.count && !ASCII.endsPlainWord(bytes[index]) {
            index += 1
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        return ConfigToken(kind: .word(text, quoted: false), line: line)
    }

    private mutating func quotedWord(quote: UInt8) throws(ConfigTokenizerFailure) -> ConfigToken {
        let startLine = line
        let contentStart = index + 1
        var cursor = contentStart
        while cursor < bytes.count && bytes[cursor] != quote {
            if bytes[cursor] == ASCII.newline {
                line += 1
            }
            cursor += 1
        }
        guard cursor < bytes.count else {
            let quoteCharacter = quote == ASCII.doubleQuote ? "\"" : "'"
            throw ConfigTokenizerFailure(
                line: startLine,
                message: "unterminated quote: \(quoteCharacter) opened here is never closed"
            )
        }
        let text = String(decoding: bytes[contentStart..<cursor], as: UTF8.self)
        index = cursor + 1
        if index < bytes.count && !ASCII.endsPlainWord(bytes[index]) {
            let found = String(decoding: [bytes[index]], as: UTF8.self)
            throw ConfigTokenizerFailure(
                line: line,
                message: "unexpected '\(found)' after quoted argument; expected a space, ';', '{' or '}'"
            )
        }
        return ConfigToken(kind: .word(text, quoted: true), line: startLine)
    }
}

/// The ASCII bytes the tokenizer cares about.
private enum ASCII {
    static let newline: UInt8 = 0x0A
    static let hash: UInt8 = 0x23
    static let semicolon: UInt8 = 0x3B
    static let openBrace: UInt8 = 0x7B
    static let closeBrace: UInt8 = 0x7D
    static let doubleQuote: UInt8 = 0x22
    static let singleQuote: UInt8 = 0x27

    /// Space, tab, carriage return, vertical tab, form feed (new line is counted apart).
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }

    static func endsPlainWord(_ byte: UInt8) -> Bool {
        isSpace(byte) || byte == newline || byte == semicolon || byte == openBrace || byte == closeBrace
    }
}
