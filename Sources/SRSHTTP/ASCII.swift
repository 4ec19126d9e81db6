/// Byte classes and small text helpers shared by the HTTP types (internal).
enum ASCII {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A

    /// `tchar` of RFC 9110: ALPHA / DIGIT / "!#$%&'*+-.^_`|~".
    static func isTokenChar(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"),
             UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
             UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default: return false
        }
    }

    /// True when `bytes` is a non-empty token.
    static func isToken<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy(isTokenChar)
    }

    /// The value of a hex digit, or nil.
    static func hexValue(_ b: UInt8) -> Int? {
        switch b {
        case 0x30...0x39: return Int(b - 0x30)
        case 0x41...0x46: return Int(b - 0x41 + 10)
        case 0x61...0x66: return Int(b - 0x61 + 10)
        default: return nil
        }
    }

    /// The value of a decimal digit, or nil.
    static func decimalDigit(_ b: UInt8) -> Int? {
        (0x30...0x39).contains(b) ? Int(b - 0x30) : nil
    }

    static func lowercased(_ b: UInt8) -> UInt8 {
        (0x41...0x5A).contains(b) ? b + 0x20 : b
    }

    /// ASCII case-insensitive equality (HTTP field names, tokens).
    static func equalsIgnoringCase(_ a: String, _ b: String) -> Bool {
        let x = a.utf8, y = b.utf8
        guard x.count == y.count else { return false }
        return zip(x, y).allSatisfy { lowercased($0) == lowercased($1) }
    }

    /// Lowercases ASCII letters only.
    static func lowercased(_ s: some StringProtocol) -> String {
        String(decoding: s.utf8.map(lowercased), as: UTF8.self)
    }

    /// Removes leading and trailing spaces and tabs.
    static func trimmed(_ s: Substring) -> Substring {
        var t = s
        while let f = t.first, f == " " || f == "\t" { t = t.dropFirst() }
        while let l = t.last, l == " " || l == "\t" { t = t.dropLast() }
        return t
    }

    /// The comma-separated, trimmed, non-empty elements of a list-valued field.
    static func listElements(_ value: String) -> [Substring] {
        value.split(separator: ",", omittingEmptySubsequences: false)
            .map(trimmed)
            .filter { !$0.isEmpty }
    }

    /// A String from UTF-8 bytes, or nil if they are not valid UTF-8.
    static func validUTF8<C: Collection<UInt8>>(_ bytes: C) -> String? {
        let s = String(decoding: bytes, as: UTF8.self)
        return s.utf8.elementsEqual(bytes) ? s : nil
    }

    /// Lowercase hex digits of a non-negative value.
    static func hex(_ value: Int) -> [UInt8] {
        precondition(value >= 0, "negative value")
        if value == 0 { return [0x30] }
        var digits: [UInt8] = []
        var v = value
        while v > 0 {
            let d = UInt8(v & 0xF)
            digits.append(d < 10 ? 0x30 + d : 0x61 + d - 10)
            v >>= 4
        }
        return digits.reversed()
    }

    /// Parses non-empty decimal digits, saturating at Int.max; nil if any byte is not a digit.
    static func saturatingDecimal(_ s: Substring) -> Int? {
        guard !s.isEmpty else { return nil }
        var value = 0
        for b in s.utf8 {
            guard (0x30...0x39).contains(b) else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int(b - 0x30))
            value = (o1 || o2) ? Int.max : a
        }
        return value
    }
}
