import SRSConfig
import SRSIO
import SRSKernel

/// Transcode as a stream feature: when a client publishes a stream in a `transcode` scope,
/// one supervised ffmpeg per enabled engine reads it back from this server and publishes the
/// result (SRS's SrsEncoder); they stop when the publisher leaves, and a reload that changes
/// the vhost's transcode replaces them. A stream that a transcoder publishes is not
/// transcoded again. Confined to the stream's loop.
final class TranscodeFeature: StreamFeature {
    static func module(processes: FFmpegProcesses, pool: BlockingPool, settings: @escaping @Sendable () -> ServerConfig,
                       newId: @escaping @Sendable () -> Int) -> StreamFeatureModule {
        StreamFeatureModule(name: "transcode", isWanted: { vhost in vhost.transcodes.contains { $0.enabled && !$0.engines.isEmpty } }) { source, vhost in
            TranscodeFeature(source: source, vhost: vhost, processes: processes, lane: pool.makeLane(label: "srs.transcode.\(source.key)"),
                             settings: settings, newId: newId)
        }
    }

    private unowned let source: LiveSource
    private let vhost: VhostConfig
    private let processes: FFmpegProcesses
    private let lane: BlockingLane
    private let settings: @Sendable () -> ServerConfig
    private let newId: @Sendable () -> Int
    private var running: [Int] = []

    private init(source: LiveSource, vhost: VhostConfig, processes: FFmpegProcesses, lane: BlockingLane,
                 settings: @escaping @Sendable () -> ServerConfig, newId: @escaping @Sendable () -> Int) {
        self.source = source
        self.vhost = vhost
        self.processes = processes
        self.lane = lane
        self.settings = settings
        self.newId = newId
    }

    func onPublish(_ publisher: StreamPublisher) {
        guard publisher.origin == .client else { return }
        let path = "\(source.app)/\(source.stream)"
        if processes.isTranscoderOutput(path) {
            log.trace(publisher.clientId, "transcode: \(source.key) is a transcoder's output; not transcoded again")
            return
        }
        let config = settings()
        let port = config.listen.first?.port ?? 1935
        // SRS's input: the stream read back from this server (its first RTMP address).
        let host = config.listen.first.map { ["", "0.0.0.0", "::", "[::]"].contains($0.host) ? "127.0.0.1" : $0.host } ?? "127.0.0.1"
        let input = "rtmp://\(host.contains(":") ? "[\(host)]" : host):\(port)/\(source.app)?vhost=\(source.vhost)/\(source.stream)"
        for scope in vhost.transcodes where scope.enabled && scope.applies(app: source.app, stream: source.stream) {
            for engine in scope.engines {
                let output = FFmpegCommand.render(engine.output, vhost: source.vhost, port: port, app: source.app, stream: source.stream,
                                                  param: publisher.request.param, engine: engine.name)
                let command = FFmpegCommand.transcode(ffmpeg: FFmpegCommand.binary(scope.ffmpeg), engine: engine, input: input, output: output)
                let id = newId()
                let logPath = FFmpegProcesses.logPath(
                    directory: config.ffLogDir, name: "ffmpeg-encoder-\(source.vhost)-\(source.app)-\(source.stream)-\(engine.name)")
                let process = FFmpegProcesses.start(id: id, label: "transcode \(source.key) engine \(engine.name)", argv: command.argv,
                                                    logPath: logPath, lane: lane)
                processes.add(.init(id: id, kind: .transcode, vhost: source.vhost, name: engine.name, stream: path,
                                    publishes: FFmpegCommand.streamPath(ofRTMPURL: output), process: process))
                running.append(id)
            }
        }
    }

    func onUnpublish() { stopAll() }

    func apply(_ vhost: VhostConfig) -> Bool { vhost.transcodes == self.vhost.transcodes }

    func stop() { stopAll() }

    private func stopAll() {
        let entries = processes.all.filter { running.contains($0.id) }
        running = []
        for entry in entries {
            entry.process.stop { [processes] in processes.remove(entry.id) }
        }
    }
}
