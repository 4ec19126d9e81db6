import Dispatch
import Foundation
import SRSIO
import SRSKernel

/// Every ffmpeg the server runs (transcoders and ingesters): what the API lists, what a quit
/// stops, and the streams they publish here (a transcoder's output is not transcoded again).
final class FFmpegProcesses: Sendable {
    /// One supervised ffmpeg.
    struct Entry: Sendable {
        enum Kind: String, Sendable { case transcode, ingest }
        let id: Int
        let kind: Kind
        let vhost: String
        /// The engine (transcode) or ingest id.
        let name: String
        /// The stream transcoded (transcode) or the output's app/stream (ingest).
        let stream: String
        /// app/stream this process publishes here, if its output is on this server.
        let publishes: String?
        let process: SupervisedProcess
    }

    private let entries = LockedValue<[Int: Entry]>([:])

    func add(_ entry: Entry) { entries.withLock { $0[entry.id] = entry } }
    func remove(_ id: Int) { entries.withLock { $0[id] = nil } }

    var all: [Entry] { entries.withLock { Array($0.values) }.sorted { $0.id < $1.id } }

    /// Whether an ffmpeg of a transcoder publishes `app/stream` here.
    func isTranscoderOutput(_ path: String) -> Bool {
        entries.withLock { $0.values.contains { $0.kind == .transcode && $0.publishes == path } }
    }

    /// Stops every ffmpeg at once and waits for them (quit; never on a loop).
    func stopAll() {
        let all = entries.withLock { entries -> [Entry] in
            defer { entries = [:] }
            return Array(entries.values)
        }
        let done = DispatchSemaphore(value: 0)
        for entry in all { entry.process.stop { done.signal() } }
        for _ in all { done.wait() }
    }

    /// Starts a supervised ffmpeg with `argv`, logging its life under context id `id`.
    static func start(id: Int, label: String, argv: [String], logPath: String, lane: BlockingLane) -> SupervisedProcess {
        let process = SupervisedProcess(label: label, argv: argv, logPath: logPath) { event in
            switch event {
            case .started(let pid):
                log.trace(id, "\(label): ffmpeg pid \(pid) started, log \(logPath): \(argv.joined(separator: " "))")
            case .exited(let pid, let status, let delay):
                log.warn(id, "\(label): ffmpeg pid \(pid) ended (\(status)); restarting in \(delay) ms")
            case .failedToStart(let reason, let delay):
                log.error(id, "\(label): \(reason); retrying in \(delay) ms")
            case .stopped:
                log.trace(id, "\(label): ffmpeg stopped")
            }
        }
        // The log's folder is made off the loops, before the first start.
        lane.async {
            let folder = (logPath as NSString).deletingLastPathComponent
            if !folder.isEmpty && logPath != "/dev/null" { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            process.start()
        }
        return process
    }

    /// The log file of an ffmpeg under `ff_log_dir` (SRS's names), or /dev/null.
    static func logPath(directory: String, name: String) -> String {
        directory == "/dev/null" ? "/dev/null" : (directory.hasSuffix("/") ? directory : directory + "/") + name + ".log"
    }
}
