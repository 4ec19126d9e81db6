/// The bytes of an FLV recording (DVR): the file header, an onMetaData tag whose `duration`
/// and `filesize` are its first two properties, at fixed offsets, so they can be patched in
/// place when the file closes, then the stream's tags.
public enum FLVRecording {
    /// Offset of the header's audio (0x04) / video (0x01) flags byte.
    public static let flagsOffset = 4
    /// Offset of the big-endian IEEE 754 `duration` (seconds) in a file begun by `start`.
    public static let durationOffset = 53
    /// Offset of the big-endian IEEE 754 `filesize` (bytes) in a file begun by `start`.
    public static let filesizeOffset = 72
    /// Bytes `isPatchable` needs from the start of a file.
    public static let patchablePrefixSize = 80

    /// The file header and the onMetaData tag: `duration` and `filesize` first (0 until
    /// patched), then the publisher's properties (`metadata`: the payload of its onMetaData
    /// data message, `["onMetaData", object]`), except its own duration and filesize.
    public static func start(metadata: [UInt8]?, hasAudio: Bool, hasVideo: Bool) -> [UInt8] {
        var properties = [AMF0Property("duration", .number(0)), AMF0Property("filesize", .number(0))]
        if let metadata, let values = try? AMF0Decoder.decodeAll(Array(metadata)), values.count >= 2 {
            switch values[1] {
            case .object(let given), .ecmaArray(let given):
                properties += given.filter { $0.key != "duration" && $0.key != "filesize" }
            default:
                break
            }
        }
        let body = AMF0Encoder.encode([.string("onMetaData"), .ecmaArray(properties)])
        return FLV.fileHeader(hasAudio: hasAudio, hasVideo: hasVideo) + tag(type: 18, timestamp: 0, payload: body)
    }

    /// One tag: header, payload and PreviousTagSize.
    public static func tag(type: UInt8, timestamp: Int64, payload: some Collection<UInt8>) -> [UInt8] {
        var bytes = FLV.tagHeader(type: type, dataSize: payload.count, timestamp: timestamp)
        bytes.reserveCapacity(FLV.tagHeaderSize + payload.count + FLV.previousTagSizeSize)
        bytes += payload
        bytes += bigEndian(UInt32(truncatingIfNeeded: FLV.tagHeaderSize + payload.count))
        return bytes
    }

    /// `value` as a big-endian IEEE 754 double (for patching duration and filesize).
    public static func double(_ value: Double) -> [UInt8] {
        let bits = value.bitPattern
        return (0..<8).map { UInt8(truncatingIfNeeded: bits >> (56 - 8 * UInt64($0))) }
    }

    /// The header flags byte for what a file holds.
    public static func flags(hasAudio: Bool, hasVideo: Bool) -> UInt8 { (hasAudio ? 0x04 : 0) | (hasVideo ? 0x01 : 0) }

    /// Whether a file that starts with `prefix` was begun by `start` (its duration and
    /// filesize can be patched).
    public static func isPatchable(_ prefix: [UInt8]) -> Bool {
        guard prefix.count >= patchablePrefixSize, prefix.starts(with: [0x46, 0x4C, 0x56]) else { return false }
        return prefix[durationOffset - 11..<durationOffset - 1].elementsEqual([0x00, 0x08] + Array("duration".utf8))
            && prefix[filesizeOffset - 11..<filesizeOffset - 1].elementsEqual([0x00, 0x08] + Array("filesize".utf8))
    }

    /// The timestamp (ms) of the last tag of an FLV file, from its last bytes: `tail` ends with
    /// the last PreviousTagSize and holds at least that tag; nil when it does not.
    public static func lastTimestamp(tail: [UInt8]) -> Int64? {
        guard tail.count >= FLV.previousTagSizeSize else { return nil }
        let end = tail.count
        let size = Int(tail[end - 4]) << 24 | Int(tail[end - 3]) << 16 | Int(tail[end - 2]) << 8 | Int(tail[end - 1])
        let start = end - 4 - size
        guard size >= FLV.tagHeaderSize, start >= 0 else { return nil }
        let low = Int64(tail[start + 4]) << 16 | Int64(tail[start + 5]) << 8 | Int64(tail[start + 6])
        return Int64(tail[start + 7]) << 24 | low
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }
}
