/// Percent-decoding of request-target parts (internal).
enum PercentDecoding {
    /// Strict decoding for the path: nil on a malformed escape ("%", "%4", "%zz") or on "%00".
    static func decodePath<C: Collection<UInt8>>(_ bytes: C) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var it = bytes.makeIterator()
        while let b = it.next() {
            if b != UInt8(ascii: "%") { out.append(b); continue }
            guard let h = it.next(), let hi = ASCII.hexValue(h),
                  let l = it.next(), let lo = ASCII.hexValue(l) else { return nil }
            let v = UInt8(hi << 4 | lo)
            if v == 0 { return nil }
            out.append(v)
        }
        return out
    }

    /// Lenient form decoding for query names and values: "+" is a space, "%XX" a byte;
    /// malformed escapes stay as written; invalid UTF-8 becomes U+FFFD.
    static func decodeQueryComponent(_ s: Substring) -> String {
        let bytes = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "+") {
                out.append(ASCII.space)
            } else if b == UInt8(ascii: "%"), i + 2 < bytes.count,
                      let hi = ASCII.hexValue(bytes[i + 1]), let lo = ASCII.hexValue(bytes[i + 2]) {
                out.append(UInt8(hi << 4 | lo))
                i += 2
            } else {
                out.append(b)
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
