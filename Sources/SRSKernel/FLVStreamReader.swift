/// Reads an FLV byte stream incrementally (an HTTP POST body that never ends): the file
/// header, then each tag as soon as its bytes are all there, in any slicing. A tag holds at
/// most 16 MiB by its 24-bit size, which bounds what is buffered. Throws on a bad signature
/// or header size; a wrong PreviousTagSize is tolerated (some muxers write 0).
public struct FLVStreamReader: Sendable {
    private var buffer: [UInt8] = []
    private var offset = 0
    private var headerRead = false
    /// Most bytes the FLV header may claim (a real one is 9).
    public static let maxHeaderSize = 1024

    public init() {}

    /// Bytes held of an unfinished tag.
    public var bufferedByteCount: Int { buffer.count - offset }

    /// Takes the next bytes; returns the tags they complete.
    public mutating func feed(_ bytes: some Collection<UInt8>) throws(KernelError) -> [FLV.Tag] {
        buffer += bytes
        var tags: [FLV.Tag] = []
        if !headerRead {
            guard buffer.count - offset >= 9 else { return [] }
            guard buffer[offset] == 0x46, buffer[offset + 1] == 0x4C, buffer[offset + 2] == 0x56 else {
                throw KernelError("FLV stream header", "bad signature \(buffer[offset..<offset + 3].map { $0 })")
            }
            let size = Int(buffer[offset + 5]) << 24 | Int(buffer[offset + 6]) << 16 | Int(buffer[offset + 7]) << 8 | Int(buffer[offset + 8])
            guard (9...Self.maxHeaderSize).contains(size) else { throw KernelError("FLV stream header", "header size \(size)") }
            guard buffer.count - offset >= size + FLV.previousTagSizeSize else { return [] }
            offset += size + FLV.previousTagSizeSize
            headerRead = true
        }
        while buffer.count - offset >= FLV.tagHeaderSize {
            let size = Int(buffer[offset + 1]) << 16 | Int(buffer[offset + 2]) << 8 | Int(buffer[offset + 3])
            let total = FLV.tagHeaderSize + size + FLV.previousTagSizeSize
            guard buffer.count - offset >= total else { break }
            let timestamp = UInt32(buffer[offset + 7]) << 24 | UInt32(buffer[offset + 4]) << 16 | UInt32(buffer[offset + 5]) << 8 | UInt32(buffer[offset + 6])
            let streamId = UInt32(buffer[offset + 8]) << 16 | UInt32(buffer[offset + 9]) << 8 | UInt32(buffer[offset + 10])
            let body = Array(buffer[(offset + FLV.tagHeaderSize)..<(offset + FLV.tagHeaderSize + size)])
            tags.append(FLV.Tag(type: buffer[offset] & 0x1F, timestamp: timestamp, streamId: streamId, body: body))
            offset += total
        }
        if offset > 0 && (offset == buffer.count || offset > 65536) {
            buffer.removeFirst(offset)
            offset = 0
        }
        return tags
    }
}
