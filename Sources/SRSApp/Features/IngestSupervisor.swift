import SRSConfig
import SRSIO
import SRSKernel

/// The server's ingesters: for each enabled `ingest` of each enabled vhost, one supervised
/// ffmpeg per engine pulls the input and publishes it to the engine's output (SRS's
/// SrsIngester). A reload stops the ingesters whose settings changed or went away and starts
/// the new ones; the others run on untouched.
final class IngestSupervisor: Sendable {
    private struct Running: Sendable {
        let key: String
        let command: [String]
        let processId: Int
    }

    private let processes: FFmpegProcesses
    private let lane: BlockingLane
    private let newId: @Sendable () -> Int
    private let running = LockedValue<[Running]>([])

    init(processes: FFmpegProcesses, pool: BlockingPool, newId: @escaping @Sendable () -> Int) {
        self.processes = processes
        lane = pool.makeLane(label: "srs.ingest")
        self.newId = newId
    }

    /// Makes the running ingesters match `config` (at start, and on reload).
    func apply(_ config: ServerConfig) {
        let wanted = Self.ingesters(config)
        let (stopping, starting) = running.withLock { running -> ([Running], [Wanted]) in
            let stopping = running.filter { current in !wanted.contains { $0.key == current.key && $0.command == current.command } }
            let starting = wanted.filter { want in !running.contains { $0.key == want.key && $0.command == want.command } }
            running.removeAll { current in stopping.contains { $0.processId == current.processId } }
            return (stopping, starting)
        }
        for old in stopping {
            guard let entry = processes.all.first(where: { $0.id == old.processId }) else { continue }
            log.trace(Server.serverContextId, "ingest \(old.key): stopped (the config changed)")
            entry.process.stop { [processes] in processes.remove(old.processId) }
        }
        for want in starting {
            let id = newId()
            let process = FFmpegProcesses.start(id: id, label: "ingest \(want.key)", argv: want.command, logPath: want.logPath, lane: lane)
            processes.add(.init(id: id, kind: .ingest, vhost: want.vhost, name: want.id, stream: want.publishes ?? want.output,
                                publishes: want.publishes, process: process))
            running.withLock { $0.append(Running(key: want.key, command: want.command, processId: id)) }
        }
    }

    /// Stops every ingester and waits for them (quit; never on a loop).
    func stopAll() {
        let ids = running.withLock { running -> [Int] in
            defer { running = [] }
            return running.map(\.processId)
        }
        for entry in processes.all where ids.contains(entry.id) {
            entry.process.stopAndWait()
            processes.remove(entry.id)
        }
    }

    private struct Wanted {
        let key: String
        let vhost: String
        let id: String
        let command: [String]
        let output: String
        let publishes: String?
        let logPath: String
    }

    private static func ingesters(_ config: ServerConfig) -> [Wanted] {
        let port = config.listen.first?.port ?? 1935
        var wanted: [Wanted] = []
        for vhost in config.vhosts where vhost.enabled {
            for ingest in vhost.ingests where ingest.enabled {
                for (index, engine) in ingest.engines.enumerated() where !engine.output.isEmpty {
                    let output = FFmpegCommand.render(engine.output, vhost: vhost.name, port: port, app: "", stream: "")
                    let command = FFmpegCommand.ingest(ffmpeg: FFmpegCommand.binary(ingest.ffmpeg), type: ingest.inputType, engine: engine,
                                                       input: ingest.inputURL, output: output)
                    let publishes = FFmpegCommand.streamPath(ofRTMPURL: output)
                    let streamName = (publishes ?? ingest.id).replacingOccurrences(of: "/", with: "-")
                    wanted.append(Wanted(key: "\(vhost.name)/\(ingest.id)/\(index)", vhost: vhost.name, id: ingest.id, command: command.argv,
                                         output: output, publishes: publishes,
                                         logPath: FFmpegProcesses.logPath(directory: config.ffLogDir, name: "ffmpeg-ingest-\(vhost.name)-\(streamName)")))
                }
            }
        }
        return wanted
    }
}
