import Foundation
import SRSHTTP
import SRSKernel

/// Plans the answer for a static file on the blocking pool: a small file (or range) is read
/// at once; a larger one is sent piece by piece (`FileResponseBody`), so a client holds one
/// piece of memory whatever the file's size. Video on demand: `?start=BYTE` on an .flv file
/// answers its header and sequence headers, then the file from the tag at BYTE;
/// `?range=A-B` or `?bytes=A-B` on an .mp4 file is a byte range, as a Range header is.
enum StaticFile {
    /// What to send: `prefix` first, then `body` (nil when `prefix` is everything).
    struct Response: Sendable {
        var prefix: [UInt8]
        var body: FileResponseBody?
        var size: Int
        var range: ClosedRange<Int>?
        var contentLength: Int { prefix.count + (body?.remaining ?? 0) }
    }

    enum Result: Sendable {
        case content(Response)
        case notFound
        case unsatisfiable(size: Int)
        case badRequest(String)
    }

    /// Whether `path` is a regular file (not a folder).
    static func isFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    static func open(_ path: String, request: HTTPRequest) -> Result {
        guard isFile(path) else { return .notFound }
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .notFound }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            Glibc.close(fd)
            return .notFound
        }
        let file = FileResponseBody(fd: fd, from: 0, to: Int(info.st_size))
        let size = file.end
        let lowercased = path.lowercased()
        if lowercased.hasSuffix(".flv"), let start = request.queryValue("start").flatMap({ Int($0) }), start > 0 {
            return flvFrom(start, file: file)
        }
        var rangeHeader = request.headers["Range"]
        if rangeHeader == nil, lowercased.hasSuffix(".mp4") || lowercased.hasSuffix(".m4a") || lowercased.hasSuffix(".m4v"),
            let spec = request.queryValue("range") ?? request.queryValue("bytes")
        {
            // SRS reads "-N" as bytes 0 to N (Flash's form), not as the last N bytes.
            rangeHeader = "bytes=" + (spec.hasPrefix("-") ? "0" + spec : spec)
        }
        var range: ClosedRange<Int>?
        switch ByteRangeRequest.parse(rangeHeader, size: size) {
        case .none: range = nil
        case .satisfiable(let requested): range = requested
        case .unsatisfiable: return .unsatisfiable(size: size)
        }
        file.offset = range?.lowerBound ?? 0
        file.end = range.map { $0.upperBound + 1 } ?? size
        var response = Response(prefix: [], body: file, size: size, range: range)
        if file.remaining <= AppTuning.staticFileChunkBytes {
            guard let all = file.readChunk() else { return .notFound }
            response.prefix = all
            response.body = nil
        }
        return .content(response)
    }

    /// FLV seeking: the header and sequence headers, then the file from the tag at `start`.
    private static func flvFrom(_ start: Int, file: FileResponseBody) -> Result {
        let size = file.end
        guard start < size else { return .unsatisfiable(size: size) }
        guard let fileStart = file.read(at: 0, count: min(size, AppTuning.flvSeekHeaderScanBytes)),
            let startBytes = FLVFileSeek.startBytes(fileStart: fileStart)
        else { return .badRequest("not an FLV file") }
        guard let header = file.read(at: start, count: FLV.tagHeaderSize), let tag = FLVFileSeek.tagHeader(header),
            let trailer = file.read(at: start + FLV.tagHeaderSize + tag.dataSize, count: 4),
            FLVFileSeek.isTag(header: header, previousTagSize: trailer, offset: start, fileSize: size)
        else { return .badRequest("start=\(start) is not the offset of an FLV tag") }
        file.offset = start
        return .content(Response(prefix: startBytes, body: file, size: size, range: nil))
    }
}

/// The rest of a file to send, read one piece at a time on the blocking pool. Owned by one
/// connection; reads and the connection's use never overlap (it waits for each read).
final class FileResponseBody: @unchecked Sendable {
    private let fd: Int32
    var offset: Int
    var end: Int

    init(fd: Int32, from offset: Int, to end: Int) {
        self.fd = fd
        self.offset = offset
        self.end = end
    }

    deinit { Glibc.close(fd) }

    var remaining: Int { max(0, end - offset) }

    /// The next piece (at most `AppTuning.staticFileChunkBytes`); nil when reading fails or
    /// the file got shorter.
    func readChunk() -> [UInt8]? {
        guard let bytes = read(at: offset, count: min(remaining, AppTuning.staticFileChunkBytes)) else { return nil }
        offset += bytes.count
        return bytes
    }

    /// Exactly `count` bytes at `position`, or nil.
    func read(at position: Int, count: Int) -> [UInt8]? {
        guard count > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(position + done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return nil }
            done += n
        }
        return bytes
    }
}
