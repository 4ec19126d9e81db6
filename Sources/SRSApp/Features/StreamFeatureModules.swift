import SRSConfig
import SRSIO

/// The server's list of stream features, in the order they see each batch (nginx-rtmp's
/// module list). A new feature adds its module here and nowhere else.
enum StreamFeatureModules {
    static func all(pool: BlockingPool, connector: any TransportConnector, hooks: HookCaller, ffmpeg: FFmpegProcesses,
                    settings: @escaping @Sendable () -> ServerConfig, newId: @escaping @Sendable () -> Int) -> [StreamFeatureModule] {
        [
            HLSFeature.module(pool: pool, hooks: hooks),
            HDSFeature.module(pool: pool),
            DVRFeature.module(pool: pool, hooks: hooks),
            TranscodeFeature.module(processes: ffmpeg, pool: pool, settings: settings, newId: newId),
            ForwardFeature.forwardModule(connector: connector),
            ForwardFeature.edgePushModule(connector: connector),
            StreamCallbacksFeature.module(hooks: hooks),
        ]
    }
}
