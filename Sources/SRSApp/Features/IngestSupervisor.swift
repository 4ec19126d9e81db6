import SRSConfig
import SRSIO
import SRSKernel

/// The server's ingesters: for each enabled `ingest` of each enabled vhost, one supervised
/// ffmpeg per engine pulls the input and publishes it to the engine's output (SRS's
/// SrsIngester); an input of `type hls` is pulled by the server itself (`HLSIngester`, to the
/// first engine's output, copied). A reload stops the ingesters whose settings changed or went
/// away and starts the new ones; the others run on untouched.
final class IngestSupervisor: Sendable {
    private struct Running: Sendable {
        let key: String
        let command: [String]
        /// The ffmpeg, or the server's own HLS pull.
        let processId: Int?
        let hls: UncheckedBox<HLSIngester>?
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
    func apply(_ config: ServerConfig, server: Server) {
        let wanted = Self.ingesters(config)
        let (stopping, starting) = running.withLock { running -> ([Running], [Wanted]) in
            let stopping = running.filter { current in !wanted.contains { $0.key == current.key && $0.command == current.command } }
            let starting = wanted.filter { want in !running.contains { $0.key == want.key && $0.command == want.command } }
            running.removeAll { current in stopping.contains { $0.key == current.key && $0.command == current.command } }
            return (stopping, starting)
        }
        for old in stopping {
            if let hls = old.hls {
                log.trace(Server.serverContextId, "ingest \(old.key): stopped (the config changed)")
                hls.value.stop()
                continue
            }
            guard let entry = processes.all.first(where: { $0.id == old.processId }) else { continue }
            log.trace(Server.serverContextId, "ingest \(old.key): stopped (the config changed)")
            entry.process.stop { [processes] in processes.remove(entry.id) }
        }
        for (index, want) in starting.enumerated() {
            if want.hls {
                let loops = server.group.loops
                let ingester = HLSIngester(label: "ingest \(want.key)", url: want.input, output: want.output, server: server, loop: loops[index % loops.count])
                ingester.start()
                running.withLock { $0.append(Running(key: want.key, command: want.command, processId: nil, hls: UncheckedBox(ingester))) }
                continue
            }
            let id = newId()
            let process = FFmpegProcesses.start(id: id, label: "ingest \(want.key)", argv: want.command, logPath: want.logPath, lane: lane)
            processes.add(.init(id: id, kind: .ingest, vhost: want.vhost, name: want.id, stream: want.publishes ?? want.output,
                                publishes: want.publishes, process: process))
            running.withLock { $0.append(Running(key: want.key, command: want.command, processId: id, hls: nil)) }
        }
    }

    /// Stops every ingester and waits for them (quit; never on a loop).
    func stopAll() {
        let all = running.withLock { running -> [Running] in
            defer { running = [] }
            return running
        }
        for entry in all { entry.hls?.value.stop() }
        let ids = all.compactMap(\.processId)
        for entry in processes.all where ids.contains(entry.id) {
            entry.process.stopAndWait()
            processes.remove(entry.id)
        }
    }

    private struct Wanted {
        let key: String
        /// Pulled by the server (`type hls`): `command` is then the input and output.
        let hls: Bool
        let input: String
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
                    if ingest.inputType == .hls {
                        if engine.enabled && (engine.encodesVideo && !engine.vcodec.isEmpty || engine.encodesAudio && !engine.acodec.isEmpty) {
                            log.warn(Server.serverContextId, "ingest \(ingest.id) of \(vhost.name): type hls is pulled and copied by the server; the engine's codecs are ignored")
                        }
                        wanted.append(Wanted(key: "\(vhost.name)/\(ingest.id)/\(index)", hls: true, input: ingest.inputURL, vhost: vhost.name, id: ingest.id,
                                             command: ["hls", ingest.inputURL, output], output: output, publishes: FFmpegCommand.streamPath(ofRTMPURL: output),
                                             logPath: ""))
                        break
                    }
                    let command = FFmpegCommand.ingest(ffmpeg: FFmpegCommand.binary(ingest.ffmpeg), type: ingest.inputType, engine: engine,
                                                       input: ingest.inputURL, output: output)
                    let publishes = FFmpegCommand.streamPath(ofRTMPURL: output)
                    let streamName = (publishes ?? ingest.id).replacingOccurrences(of: "/", with: "-")
                    wanted.append(Wanted(key: "\(vhost.name)/\(ingest.id)/\(index)", hls: false, input: ingest.inputURL, vhost: vhost.name, id: ingest.id,
                                         command: command.argv,
                                         output: output, publishes: publishes,
                                         logPath: FFmpegProcesses.logPath(directory: config.ffLogDir, name: "ffmpeg-ingest-\(vhost.name)-\(streamName)")))
                }
            }
        }
        return wanted
    }
}
