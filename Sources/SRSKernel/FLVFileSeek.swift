/// Seeking in an FLV file by byte offset (`?start=BYTE`, as Flash players ask with the
/// offsets of onMetaData's `keyframes.filepositions`): the answer is the file's header and
/// the tags that precede its first media frame (onMetaData, the sequence headers), followed
/// by the file from the requested tag on, as SRS and nginx's flv module serve it.
public enum FLVFileSeek {
    /// The FLV header and the leading onMetaData and sequence-header tags, from the first
    /// bytes of a file; nil when `fileStart` does not begin with an FLV header. Stops at the
    /// first audio or video frame, or where `fileStart` ends.
    public static func startBytes(fileStart: [UInt8]) -> [UInt8]? {
        guard fileStart.count >= 13, fileStart[0] == 0x46, fileStart[1] == 0x4C, fileStart[2] == 0x56 else { return nil }
        let headerSize = Int(fileStart[5]) << 24 | Int(fileStart[6]) << 16 | Int(fileStart[7]) << 8 | Int(fileStart[8])
        guard headerSize >= 9, headerSize + 4 <= fileStart.count else { return nil }
        var out = Array(fileStart[0..<9])
        out[5] = 0; out[6] = 0; out[7] = 0; out[8] = 9
        out += [0, 0, 0, 0]
        var offset = headerSize + 4
        while let tag = tagHeader(Array(fileStart[offset..<min(fileStart.count, offset + FLV.tagHeaderSize + 2)])) {
            let end = offset + FLV.tagHeaderSize + tag.dataSize + FLV.previousTagSizeSize
            guard end <= fileStart.count else { break }
            let bodyStart = offset + FLV.tagHeaderSize
            let leading: Bool
            switch tag.type {
            case 18: leading = true
            case 9: leading = tag.dataSize >= 2 && fileStart[bodyStart] & 0x0F == 7 && fileStart[bodyStart + 1] == 0
            case 8: leading = tag.dataSize >= 2 && fileStart[bodyStart] >> 4 == 10 && fileStart[bodyStart + 1] == 0
            default: leading = false
            }
            guard leading else { break }
            out += fileStart[offset..<end]
            offset = end
        }
        return out
    }

    /// The type and body size of the tag whose header begins `bytes` (at least the 11 header
    /// bytes); nil unless it is an audio, video or script tag with stream id 0.
    public static func tagHeader(_ bytes: [UInt8]) -> (type: UInt8, dataSize: Int)? {
        guard bytes.count >= FLV.tagHeaderSize else { return nil }
        let type = bytes[0] & 0x1F
        guard type == 8 || type == 9 || type == 18, bytes[8] == 0, bytes[9] == 0, bytes[10] == 0 else { return nil }
        return (type, Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3]))
    }

    /// Whether a tag begins at `offset` of a file of `fileSize` bytes: `header` holds the 11
    /// bytes there, `previousTagSize` the 4 bytes after its body (which must count it).
    public static func isTag(header: [UInt8], previousTagSize: [UInt8], offset: Int, fileSize: Int) -> Bool {
        guard let tag = tagHeader(header), offset + FLV.tagHeaderSize + tag.dataSize + FLV.previousTagSizeSize <= fileSize,
            previousTagSize.count == 4
        else { return false }
        let counted = Int(previousTagSize[0]) << 24 | Int(previousTagSize[1]) << 16 | Int(previousTagSize[2]) << 8 | Int(previousTagSize[3])
        return counted == FLV.tagHeaderSize + tag.dataSize
    }
}
