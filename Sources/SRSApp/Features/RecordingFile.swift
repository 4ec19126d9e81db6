import Foundation
import Glibc
import SRSKernel

/// A file a recorder writes on its lane (never on a loop): a new file is written under
/// `PATH.tmp` and renamed to its path when it completes; an existing one (append) is written
/// in place. The first failure is kept; later writes are skipped.
final class RecordingFile: @unchecked Sendable {
    let path: String
    /// Written in place rather than under a temporary name.
    let inPlace: Bool
    private var descriptor: Int32 = -1
    /// The file's size (the next write goes there).
    private(set) var size: Int64 = 0
    private(set) var failure: ContextError?

    var isOpen: Bool { descriptor >= 0 }
    private var writingPath: String { inPlace ? path : path + ".tmp" }

    init(path: String, inPlace: Bool) {
        self.path = path
        self.inPlace = inPlace
    }

    /// Opens the file (its folder created): an existing one kept (`continuing`) or a new one.
    /// Returns whether an existing file was opened.
    @discardableResult
    func open(continuing: Bool) -> Bool {
        do {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        } catch {
            fail("create the folder of \(path)", "\(error.localizedDescription)")
            return false
        }
        if continuing, FileManager.default.fileExists(atPath: writingPath) {
            descriptor = Glibc.open(writingPath, O_RDWR | O_CLOEXEC)  // not O_APPEND: Linux pwrite would append the patches
            guard descriptor >= 0 else {
                fail("open \(writingPath) to append", String(cString: strerror(errno)))
                return false
            }
            size = Int64(lseek(descriptor, 0, SEEK_END))
            return true
        }
        descriptor = Glibc.open(writingPath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if descriptor < 0 { fail("create \(writingPath)", String(cString: strerror(errno))) }
        return false
    }

    /// Appends `bytes` at the end.
    func write(_ bytes: [UInt8]) {
        guard failure == nil, descriptor >= 0 else { return }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return fail("write \(writingPath)", String(cString: strerror(errno))) }
            offset += n
        }
        size += Int64(bytes.count)
    }

    /// Overwrites bytes at `offset` (a header field fixed up when the file closes).
    func patch(_ bytes: [UInt8], at offset: Int64) {
        guard failure == nil, descriptor >= 0 else { return }
        let n = bytes.withUnsafeBytes { Glibc.pwrite(descriptor, $0.baseAddress, $0.count, off_t(offset)) }
        if n != bytes.count { fail("patch \(writingPath)", String(cString: strerror(errno))) }
    }

    /// Up to `count` bytes at `offset`.
    func read(at offset: Int64, count: Int) -> [UInt8] {
        guard descriptor >= 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: max(0, count))
        let n = bytes.withUnsafeMutableBytes { Glibc.pread(descriptor, $0.baseAddress, $0.count, off_t(max(0, offset))) }
        return Array(bytes.prefix(max(0, n)))
    }

    /// Closes the file and gives it its name; returns the path when it is complete.
    func close() -> String? {
        guard descriptor >= 0 else { return nil }
        Glibc.close(descriptor)
        descriptor = -1
        guard failure == nil else { return nil }
        if !inPlace && rename(writingPath, path) != 0 {
            fail("rename \(writingPath) to \(path)", String(cString: strerror(errno)))
            return nil
        }
        return path
    }

    func fail(_ context: String, _ reason: String) {
        if failure == nil { failure = ContextError(context, reason) }
    }
}
