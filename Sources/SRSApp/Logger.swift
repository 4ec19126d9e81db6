import SRSKernel
import Foundation
import SRSConfig
import Synchronization

/// SRS's traceable log: one line per event, each with time, level, pid and the context id of
/// the connection it concerns, so `grep '\[104\]'` follows one client through the server.
public final class Logger: Sendable {
    /// The process-wide logger.
    public static let shared = Logger()

    private struct Sink {
        var level: LogLevel = .trace
        var fileDescriptor: Int32 = 2
        var ownsDescriptor = false
        var utcTime = false
    }

    private let sink = LockedValue(Sink())
    private let pid = getpid()

    /// Directs the log to the console (stderr) or appends to a file.
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
        sink.withLock { sink in
            if sink.ownsDescriptor { close(sink.fileDescriptor) }
            sink = Sink(level: level, fileDescriptor: descriptor, ownsDescriptor: owns, utcTime: utcTime)
        }
    }

    public var level: LogLevel { sink.withLock { $0.level } }

    public func isEnabled(_ level: LogLevel) -> Bool { level >= self.level }

    public func log(_ level: LogLevel, _ contextId: Int, _ message: @autoclosure () -> String) {
        let (enabled, utc) = sink.withLock { ($0.level <= level, $0.utcTime) }
        guard enabled else { return }
        let line = "[\(Self.timestamp(utc: utc))][\(Self.label(level))][\(pid)][\(contextId)] \(message())\n"
        sink.withLock { sink in
            var bytes = Array(line.utf8)
            bytes.withUnsafeMutableBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let n = write(sink.fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if n <= 0 { break }
                    offset += n
                }
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
