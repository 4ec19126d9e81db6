import Foundation
import SRSKernel

/// Reads an FLV file tag by tag (SRS librtmp's `srs_flv_read_*`): the 9-byte header, then
/// each tag's header and body. Holds one tag in memory.
public final class FLVFileReader {
    /// What went wrong, with the file.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public let path: String
    private let handle: FileHandle
    /// Where the next read starts.
    public private(set) var offset: UInt64 = 0
    public private(set) var size: UInt64

    public init(path: String) throws(Failure) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw Failure(description: "open \(path) for reading failed") }
        self.path = path
        self.handle = handle
        size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: 0)
    }

    deinit { try? handle.close() }

    /// The file header (9 bytes, "FLV", version, flags, header size) and PreviousTagSize0.
    public func readHeader() throws(Failure) -> [UInt8] {
        let bytes = try read(13, "the FLV header")
        guard bytes[0] == 0x46, bytes[1] == 0x4C, bytes[2] == 0x56 else { throw Failure(description: "\(path) is not an FLV file") }
        let headerSize = UInt64(bytes[5]) << 24 | UInt64(bytes[6]) << 16 | UInt64(bytes[7]) << 8 | UInt64(bytes[8])
        if headerSize > 9 { try seek(to: headerSize + 4) }
        return Array(bytes[0..<9])
    }

    /// The next tag, or nil at the end of the file (a tag cut short ends it too).
    public func readTag() throws(Failure) -> MediaPacket? {
        guard offset + 11 <= size else { return nil }
        let header = try read(11, "a tag header")
        let dataSize = Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
        guard offset + UInt64(dataSize) <= size else { return nil }
        let timestamp = UInt32(header[7]) << 24 | UInt32(header[4]) << 16 | UInt32(header[5]) << 8 | UInt32(header[6])
        let body = try read(dataSize, "a tag body")
        if offset + 4 <= size { _ = try read(4, "a previous tag size") } else { offset = size }
        return MediaPacket(type: header[0] & 0x1F, timestamp: timestamp, payload: body)
    }

    public var isAtEnd: Bool { offset + 11 > size }

    /// Moves to `position` (a tag's start, as `offset` told).
    public func seek(to position: UInt64) throws(Failure) {
        do { try handle.seek(toOffset: position) } catch { throw Failure(description: "seek in \(path): \(error)") }
        offset = position
    }

    private func read(_ count: Int, _ what: String) throws(Failure) -> [UInt8] {
        guard count > 0 else { return [] }
        let data: Data?
        do { data = try handle.read(upToCount: count) } catch { throw Failure(description: "read \(what) of \(path): \(error)") }
        guard let data, data.count == count else { throw Failure(description: "\(path) ends inside \(what) at \(offset)") }
        offset += UInt64(count)
        return [UInt8](data)
    }
}

/// Writes an FLV file (SRS librtmp's `srs_flv_write_*`): the header, then tags with their
/// PreviousTagSize.
public final class FLVFileWriter {
    public let path: String
    private let handle: FileHandle

    /// Creates (or empties) the file.
    public init(path: String) throws(FLVFileReader.Failure) {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw FLVFileReader.Failure(description: "create \(path) failed")
        }
        self.path = path
        self.handle = handle
    }

    deinit { try? handle.close() }

    /// The file header with audio and video flags, and PreviousTagSize0.
    public func writeHeader(hasAudio: Bool = true, hasVideo: Bool = true) throws(FLVFileReader.Failure) {
        try write(FLV.fileHeader(hasAudio: hasAudio, hasVideo: hasVideo))
    }

    /// A 9-byte header as read from another file, and PreviousTagSize0.
    public func writeHeader(_ header: [UInt8]) throws(FLVFileReader.Failure) {
        guard header.count == 9 else { throw FLVFileReader.Failure(description: "an FLV header has 9 bytes, not \(header.count)") }
        try write(header + [0, 0, 0, 0])
    }

    public func writeTag(_ packet: MediaPacket) throws(FLVFileReader.Failure) {
        try write(FLVRecording.tag(type: packet.type, timestamp: Int64(packet.timestamp), payload: packet.payload))
    }

    public func close() { try? handle.close() }

    private func write(_ bytes: [UInt8]) throws(FLVFileReader.Failure) {
        do { try handle.write(contentsOf: Data(bytes)) } catch { throw FLVFileReader.Failure(description: "write \(path): \(error)") }
    }
}
