import Foundation
import Glibc
import SRSKernel

/// One DVR file, written on the stream's DVR lane only (never on a loop): timestamps are
/// corrected here (`time_jitter`, and continued after what an appended file already holds),
/// tags encoded and written; on close the header's audio/video flags and onMetaData's
/// duration and filesize are patched in place and a new file is renamed from its temporary
/// name (`PATH.tmp`) to its path. An appended file is written in place (it already exists
/// under its name). The first failure is kept; later writes are skipped.
final class DVRFileWriter: @unchecked Sendable {
    let path: String
    private let append: Bool
    private var descriptor: Int32 = -1
    private var jitter: TimestampJitter
    /// Added to corrected timestamps: an appended file continues after its last tag.
    private var base: Int64 = 0
    private var firstTimestamp: Int64?
    private var lastTimestamp: Int64 = 0
    private var size: Int64 = 0
    private var patchable = true
    private var wroteAudio = false
    private var wroteVideo = false
    private(set) var failure: ContextError?

    private var writingPath: String { append ? path : path + ".tmp" }

    init(path: String, append: Bool, jitter: JitterMode) {
        self.path = path
        self.append = append
        self.jitter = TimestampJitter(mode: jitter)
    }

    /// Opens the file: a new one begins with `start` (header and metadata); an existing one
    /// (append) is continued after its last tag.
    func open(start: [UInt8]) {
        do {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        } catch {
            return fail("create the folder of \(path)", "\(error.localizedDescription)")
        }
        if append, FileManager.default.fileExists(atPath: path) {
            descriptor = Glibc.open(path, O_RDWR | O_CLOEXEC)  // not O_APPEND: Linux pwrite would append the patches
            guard descriptor >= 0 else { return fail("open \(path) to append", String(cString: strerror(errno))) }
            size = Int64(lseek(descriptor, 0, SEEK_END))
            patchable = FLVRecording.isPatchable(read(at: 0, count: FLVRecording.patchablePrefixSize))
            let tailSize = Int(min(size, 1 << 20))
            if let last = FLVRecording.lastTimestamp(tail: read(at: size - Int64(tailSize), count: tailSize)) {
                base = last + AppTuning.hlsRepublishGapMs
            }
            lastTimestamp = base
            return
        }
        descriptor = Glibc.open(writingPath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return fail("create \(writingPath)", String(cString: strerror(errno))) }
        write(start)
    }

    /// Writes `messages` as tags.
    func write(_ messages: [SharedMessage]) {
        guard failure == nil, descriptor >= 0 else { return }
        var bytes: [UInt8] = []
        for message in messages {
            let timestamp = base + jitter.correct(message.timestamp, kind: message.kind)
            if message.kind == .audio { wroteAudio = true }
            if message.kind == .video { wroteVideo = true }
            if message.kind != .data {
                if firstTimestamp == nil { firstTimestamp = timestamp }
                lastTimestamp = max(lastTimestamp, timestamp)
            }
            bytes += FLVRecording.tag(type: message.kind.rawValue, timestamp: timestamp, payload: message.payload)
        }
        write(bytes)
    }

    /// Patches and closes; returns the final path when the file is complete.
    func close() -> String? {
        guard descriptor >= 0 else { return nil }
        defer {
            Glibc.close(descriptor)
            descriptor = -1
        }
        guard failure == nil else { return nil }
        if patchable {
            let seconds = Double(lastTimestamp - (append ? 0 : firstTimestamp ?? 0)) / 1000
            pwrite(FLVRecording.double(max(0, seconds)), at: Int64(FLVRecording.durationOffset))
            pwrite(FLVRecording.double(Double(size)), at: Int64(FLVRecording.filesizeOffset))
        }
        if !append { pwrite([FLVRecording.flags(hasAudio: wroteAudio, hasVideo: wroteVideo)], at: Int64(FLVRecording.flagsOffset)) }
        guard failure == nil else { return nil }
        if !append && rename(writingPath, path) != 0 {
            fail("rename \(writingPath) to \(path)", String(cString: strerror(errno)))
            return nil
        }
        return path
    }

    private func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return fail("write \(writingPath)", String(cString: strerror(errno))) }
            offset += n
        }
        size += Int64(bytes.count)
    }

    private func pwrite(_ bytes: [UInt8], at offset: Int64) {
        let n = bytes.withUnsafeBytes { Glibc.pwrite(descriptor, $0.baseAddress, $0.count, off_t(offset)) }
        if n != bytes.count { fail("patch \(writingPath)", String(cString: strerror(errno))) }
    }

    private func read(at offset: Int64, count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: max(0, count))
        let n = bytes.withUnsafeMutableBytes { Glibc.pread(descriptor, $0.baseAddress, $0.count, off_t(offset)) }
        return Array(bytes.prefix(max(0, n)))
    }

    private func fail(_ context: String, _ reason: String) {
        if failure == nil { failure = ContextError(context, reason) }
    }
}
