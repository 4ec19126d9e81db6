/// Framing for `Transfer-Encoding: chunked` response bodies.
///
/// Send each non-empty chunk as `chunkHeader(length:)`, the bytes, `chunkTrailer`; end the body
/// with `lastChunk`. Never send an empty chunk: `0\r\n` ends the body.
public enum HTTPChunkedEncoding {
    /// `<length in lowercase hex>\r\n`, e.g. `1a2b\r\n` for 6699. `length` must not be negative.
    public static func chunkHeader(length: Int) -> [UInt8] {
        ASCII.hex(length) + [ASCII.cr, ASCII.lf]
    }

    /// `\r\n`, sent after each chunk's bytes.
    public static let chunkTrailer: [UInt8] = [ASCII.cr, ASCII.lf]

    /// `0\r\n\r\n`: the last chunk and an empty trailer section.
    public static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)
}
