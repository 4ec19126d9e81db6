import Foundation
import SRSHTTP

/// Reads a static file (or one byte range of it) on the blocking pool.
enum StaticFile {
    enum Result: Sendable {
        case content([UInt8], size: Int, range: ClosedRange<Int>?)
        case notFound
        case tooLarge
        case unsatisfiable(size: Int)
    }

    /// Whether `path` is a regular file (not a folder).
    static func isFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    static func read(_ path: String, range header: String?) -> Result {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
            let handle = FileHandle(forReadingAtPath: path)
        else { return .notFound }
        defer { try? handle.close() }
        let size = Int((try? handle.seekToEnd()) ?? 0)
        var range: ClosedRange<Int>?
        switch ByteRangeRequest.parse(header, size: size) {
        case .none: range = nil
        case .satisfiable(let requested): range = requested
        case .unsatisfiable: return .unsatisfiable(size: size)
        }
        let offset = range?.lowerBound ?? 0
        let length = range.map { $0.count } ?? size
        guard length <= AppTuning.maxStaticFileBytes else { return .tooLarge }
        do {
            try handle.seek(toOffset: UInt64(offset))
            let data = try handle.read(upToCount: length) ?? Data()
            return .content([UInt8](data), size: size, range: range)
        } catch {
            return .notFound
        }
    }
}
