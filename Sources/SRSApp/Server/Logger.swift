import SRSKernel
import Foundation
import SRSConfig
import SRSIO
import Synchronization

/// SRS's traceable log: one line per event, each with time, level, pid and the context id of
/// the connection it concerns, so `grep '\[104\]'` follows one client through the server.
///
/// The calling thread (often a loop) only checks the level (one atomic load, no lock for a
/// disabled level), formats the line and appends it to a buffer; a writer lane off the loops
/// does the `write(2)`. The buffer holds at most `AppTuning.logBufferMaxBytes`: a flood beyond
/// what the disk takes drops lines, and a line then says how many.
public final class Logger: Sendable {
    /// The process-wide logger.
    public static let shared = Logger()

    /// Where lines go; touched only on the writer lane.
    private struct Sink {
        var fileDescriptor: Int32 = 2
        var ownsDescriptor = false
    }

    private struct Pending {
        var bytes: [UInt8] = []
        var dropped = 0
    }

    private let levelValue = Atomic<Int>(LogLevel.trace.rawValue)
    private let utcTime = Atomic<Bool>(false)
    private let sink = LockedValue(Sink())
    private let pending = LockedValue(Pending())
    private let writer = BlockingPool.standaloneLane(label: "srs.log")
    private let pidValue = Atomic<Int32>(getpid())
    private var pid: Int32 { pidValue.load(ordering: .relaxed) }

    /// The process forked (daemon): lines carry the new pid.
    public func processChanged() { pidValue.store(getpid(), ordering: .relaxed) }

    /// Directs the log to the console (stderr) or appends to a file. Call off the loops.
    public func configure(tank: LogTank, level: LogLevel, file: String, utcTime: Bool) throws {
        var descriptor: Int32 = 2
        var owns = false
        if tank == .file {
            let directory = (file as NSString).deletingLastPathComponent
            if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            descriptor = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            if descriptor < 0 {
                throw ServerError("open log file \(file)", String(cString: strerror(errno)))
            }
            owns = true
        }
        // Lines already queued go to the old destination first.
        writer.sync {
            writePending()
            sink.withLock { sink in
                if sink.ownsDescriptor { close(sink.fileDescriptor) }
                sink = Sink(fileDescriptor: descriptor, ownsDescriptor: owns)
            }
        }
        levelValue.store(level.rawValue, ordering: .relaxed)
        self.utcTime.store(utcTime, ordering: .relaxed)
    }

    public var level: LogLevel { LogLevel(rawValue: levelValue.load(ordering: .relaxed)) ?? .trace }

    public func isEnabled(_ level: LogLevel) -> Bool { level.rawValue >= levelValue.load(ordering: .relaxed) }

    public func log(_ level: LogLevel, _ contextId: Int, _ message: @autoclosure () -> String) {
        guard isEnabled(level) else { return }
        let line = "[\(Self.timestamp(utc: utcTime.load(ordering: .relaxed)))][\(Self.label(level))][\(pid)][\(contextId)] \(message())\n"
        let wake = pending.withLock { pending -> Bool in
            guard pending.bytes.count + line.utf8.count <= AppTuning.logBufferMaxBytes else {
                pending.dropped += 1
                return false
            }
            let wasEmpty = pending.bytes.isEmpty
            pending.bytes.append(contentsOf: line.utf8)
            return wasEmpty
        }
        if wake { writer.async { [self] in writePending() } }
    }

    /// Writes every queued line before returning (before the process exits). Call off the loops.
    public func flush() {
        writer.sync { writePending() }
    }

    /// On the writer lane.
    private func writePending() {
        var (bytes, dropped) = pending.withLock { pending -> ([UInt8], Int) in
            defer { pending = Pending() }
            return (pending.bytes, pending.dropped)
        }
        if dropped > 0 {
            let line = "[\(Self.timestamp(utc: utcTime.load(ordering: .relaxed)))][Warn][\(pid)][0] log: \(dropped) lines dropped, the log could not keep up\n"
            bytes.append(contentsOf: line.utf8)
        }
        guard !bytes.isEmpty else { return }
        let descriptor = sink.withLock { $0.fileDescriptor }
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if n <= 0 { break }
                offset += n
            }
        }
    }

    private static func label(_ level: LogLevel) -> String {
        switch level {
        case .verbose: return "Verb"
        case .info: return "Debug"
        case .trace: return "Trace"
        case .warn: return "Warn"
        case .error: return "Error"
        }
    }

    private static func timestamp(utc: Bool) -> String {
        var now = timeval()
        gettimeofday(&now, nil)
        var seconds = now.tv_sec
        var parts = tm()
        if utc { gmtime_r(&seconds, &parts) } else { localtime_r(&seconds, &parts) }
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d.%03d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
            parts.tm_hour, parts.tm_min, parts.tm_sec, Int32(now.tv_usec / 1000))
    }
}

/// Shorthands: `log.trace(cid, "...")`.
public let log = Logger.shared

extension Logger {
    public func verbose(_ cid: Int, _ message: @autoclosure () -> String) { log(.verbose, cid, message()) }
    public func info(_ cid: Int, _ message: @autoclosure () -> String) { log(.info, cid, message()) }
    public func trace(_ cid: Int, _ message: @autoclosure () -> String) { log(.trace, cid, message()) }
    public func warn(_ cid: Int, _ message: @autoclosure () -> String) { log(.warn, cid, message()) }
    public func error(_ cid: Int, _ message: @autoclosure () -> String) { log(.error, cid, message()) }
}
