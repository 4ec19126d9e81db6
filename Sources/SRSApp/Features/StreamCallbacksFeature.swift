import SRSConfig
import SRSIO

/// The stream's own callbacks: on_unpublish when a client's publish ends (on_publish is an
/// admission decision, taken before the publish starts; on_hls belongs to HLS). An edge's pull
/// is not announced. Confined to the stream's loop.
final class StreamCallbacksFeature: StreamFeature {
    static func module(hooks: HookCaller) -> StreamFeatureModule {
        StreamFeatureModule(
            name: "callbacks", isWanted: { !$0.hooks.urls(for: .onUnpublish).isEmpty },
            make: { source, vhost in StreamCallbacksFeature(source: source, vhost: vhost, hooks: hooks) })
    }

    private unowned let source: LiveSource
    private let hooks: HookCaller
    private var vhost: VhostConfig
    private var publisher: StreamPublisher?

    init(source: LiveSource, vhost: VhostConfig, hooks: HookCaller) {
        self.source = source
        self.vhost = vhost
        self.hooks = hooks
    }

    func onPublish(_ publisher: StreamPublisher) {
        self.publisher = publisher.origin == .client ? publisher : nil
    }

    func onUnpublish() {
        guard let publisher else { return }
        self.publisher = nil
        hooks.notify(.onUnpublish, hooks: vhost.hooks, body: HookBody.streamEnded(clientId: publisher.clientId, ip: publisher.ip, publisher.request),
                     contextId: publisher.clientId, loop: source.loop)
    }

    func apply(_ vhost: VhostConfig) -> Bool {
        self.vhost = vhost
        return true
    }
}
