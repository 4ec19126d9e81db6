import SRSConfig
import SRSIO
import SRSKernel

/// Relays a client's publish upstream, as two modules: `forward` (every destination of an
/// origin vhost gets the stream) and `edge-push` (an edge vhost pushes its publishers to its
/// origins: one connection, the next origin on failure). A stream an edge pulls from its
/// origin is never relayed back. A reload starts relays to new destinations and stops those
/// no longer listed, keeping the others connected. Confined to the stream's loop.
final class ForwardFeature: StreamFeature {
    static func forwardModule(connector: any TransportConnector) -> StreamFeatureModule {
        StreamFeatureModule(
            name: "forward", isWanted: { !$0.edge.isEdge && !$0.forward.destinations.isEmpty },
            make: { source, vhost in ForwardFeature(source: source, vhost: vhost, connector: connector) })
    }

    static func edgePushModule(connector: any TransportConnector) -> StreamFeatureModule {
        StreamFeatureModule(
            name: "edge-push", isWanted: { $0.edge.isEdge },
            make: { source, vhost in ForwardFeature(source: source, vhost: vhost, connector: connector) })
    }

    private unowned let source: LiveSource
    private let connector: any TransportConnector
    private var vhost: VhostConfig
    private var publisher: StreamPublisher?
    private var forwarders: [Forwarder] = []

    init(source: LiveSource, vhost: VhostConfig, connector: any TransportConnector) {
        self.source = source
        self.vhost = vhost
        self.connector = connector
    }

    func onPublish(_ publisher: StreamPublisher) {
        guard publisher.origin == .client else { return }
        self.publisher = publisher
        update()
    }

    func onUnpublish() {
        publisher = nil
        update()
    }

    func apply(_ vhost: VhostConfig) -> Bool {
        let changed = vhost.forward != self.vhost.forward || vhost.edge != self.vhost.edge
        self.vhost = vhost
        if changed && publisher != nil {
            log.trace(publisher?.clientId ?? 0, "reload: relays of \(source.key) now \(upstreams)")
            update()
        }
        return true
    }

    func stop() {
        publisher = nil
        update()
    }

    /// One relay per destination list: each forward destination alone; an edge's origins
    /// together (it moves to the next origin on failure).
    private var upstreams: [[UpstreamAddress]] {
        vhost.edge.isEdge ? [vhost.edge.origins] : vhost.forward.destinations.map { [$0] }
    }

    /// Starts the relays the config wants that do not run yet, stops the others.
    private func update() {
        let wanted = publisher == nil ? [] : upstreams
        let unwanted = forwarders.filter { !wanted.contains($0.destinations) }
        forwarders.removeAll { !wanted.contains($0.destinations) }
        for forwarder in unwanted { forwarder.stop() }
        guard let publisher else { return }
        let upstreamVhost = vhost.edge.isEdge ? vhost.edge.upstreamVhost ?? publisher.request.vhost : publisher.request.vhost
        for destinations in wanted where !forwarders.contains(where: { $0.destinations == destinations }) {
            let forwarder = Forwarder(destinations: destinations, upstreamVhost: upstreamVhost, source: source, request: publisher.request,
                                      vhost: vhost, loop: source.loop, connector: connector, contextId: publisher.clientId)
            forwarders.append(forwarder)
            forwarder.start()
        }
    }
}
