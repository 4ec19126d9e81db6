import SRSConfig
import SRSIO
import SRSKernel

/// The features of one stream, built from its vhost by the server's modules, and rebuilt by a
/// reload: a module newly wanted adds its feature (told of a running publish and fed the
/// cached headers), one no longer wanted stops it, a kept one takes the new settings or is
/// replaced. Confined to the stream's loop.
struct StreamFeatureSet {
    private struct Entry {
        let module: StreamFeatureModule
        var feature: StreamFeature
    }

    private var entries: [Entry] = []

    /// Adds the feature of every module that `vhost` wants (a new stream).
    mutating func build(modules: [StreamFeatureModule], source: LiveSource, vhost: VhostConfig) {
        for module in modules where module.isWanted(vhost) {
            entries.append(Entry(module: module, feature: module.make(source, vhost)))
        }
    }

    var features: [StreamFeature] { entries.map(\.feature) }
    var isEmpty: Bool { entries.isEmpty }
    var names: [String] { entries.map(\.module.name) }

    var keepsStreamWhenIdle: Bool { entries.contains { $0.feature.keepsStreamWhenIdle } }

    @inline(__always)
    func forEach(_ body: (StreamFeature) -> Void) {
        for entry in entries { body(entry.feature) }
    }

    /// Applies a reloaded vhost. `publisher` is the running publish, if any; `headers` what
    /// the ring caches (a new feature learns the codecs from them: the publisher will not send
    /// them again). Returns the names of the features added and removed.
    mutating func reload(modules: [StreamFeatureModule], source: LiveSource, vhost: VhostConfig, publisher: StreamPublisher?,
                         headers: MessageRing.Headers) -> (added: [String], removed: [String]) {
        var added: [String] = []
        var removed: [String] = []
        var next: [Entry] = []
        for module in modules {
            let current = entries.first { $0.module.name == module.name }
            guard module.isWanted(vhost) else {
                if let current {
                    current.feature.stop()
                    removed.append(module.name)
                }
                continue
            }
            if let current, current.feature.apply(vhost) {
                next.append(current)
                continue
            }
            current?.feature.stop()
            let feature = module.make(source, vhost)
            if let publisher {
                feature.onPublish(publisher)
                let cached = headers.all
                if !cached.isEmpty { feature.onMessages(cached, headers: headers) }
            }
            next.append(Entry(module: module, feature: feature))
            added.append(module.name)
        }
        entries = next
        return (added, removed)
    }

    /// Stops every feature (the stream retired).
    mutating func stopAll() {
        for entry in entries { entry.feature.stop() }
        entries.removeAll()
    }
}
