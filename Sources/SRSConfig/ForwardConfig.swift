/// A vhost's forward: SRS 2.0's `forward host:port ...;` or SRS 3+'s
/// `forward { enabled on; destination host:port ...; }`. Every publish on the vhost is relayed
/// to each destination (same app and stream).
public struct ForwardConfig: Sendable, Equatable {
    /// Where to relay; empty = no forward.
    public var destinations: [UpstreamAddress] = []

    public init() {}

    init(reader: SettingReader, block: ConfigDirective?) throws(ConfigError) {
        let words: [String]
        if let block, block.hasBlock {
            guard try reader.flag(true, ["forward", "enabled"]) else { return }
            words = try reader.words(["forward", "destination"]) ?? []
        } else {
            words = try reader.words(["forward"]) ?? []
        }
        for word in words {
            guard let address = UpstreamAddress(word) else {
                let found = try reader.setting(["forward"], ["forward", "destination"])
                throw ConfigError(at: found!.directive, context: found!.context, message: "expects host:port destinations, got '\(word)'")
            }
            destinations.append(address)
        }
    }
}
