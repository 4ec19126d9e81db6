/// A vhost's cluster role: SRS 2.0's flat `mode remote; origin a:p b:p; token_traverse on;
/// vhost X;` or SRS 3+'s `cluster { mode remote; origin ...; token_traverse; vhost; }`.
public struct EdgeConfig: Sendable, Equatable {
    /// `mode remote`: this vhost is an edge of the origins. Default: local (an origin).
    public var isEdge = false
    /// The origins, tried in order; the edge stays on a healthy one.
    public var origins: [UpstreamAddress] = []
    /// `token_traverse on`: a client's connect is checked by the origin before the edge
    /// accepts it. Default: off
    public var tokenTraverse = false
    /// `vhost X`: the vhost to ask the origin for. Default: this vhost's name.
    public var upstreamVhost: String?

    public init() {}

    init(reader: SettingReader, vhostName: String) throws(ConfigError) {
        let mode = try reader.choice("local", expected: "local or remote", ["mode"], ["cluster", "mode"]) { ["local", "remote"].contains($0) ? $0 : nil }
        isEdge = mode == "remote"
        tokenTraverse = try reader.flag(false, ["token_traverse"], ["cluster", "token_traverse"])
        let upstream = try reader.text(vhostName, ["vhost"], ["cluster", "vhost"])
        upstreamVhost = upstream == vhostName ? nil : upstream
        let words = try reader.words(["origin"], ["cluster", "origin"]) ?? []
        for word in words {
            guard let address = UpstreamAddress(word) else {
                let found = try reader.setting(["origin"], ["cluster", "origin"])
                throw ConfigError(at: found!.directive, context: found!.context, message: "expects host:port origins, got '\(word)'")
            }
            origins.append(address)
        }
        if isEdge && origins.isEmpty {
            let found = try reader.setting(["mode"], ["cluster", "mode"])
            throw ConfigError(at: found!.directive, context: found!.context, message: "mode remote needs at least one origin host:port")
        }
    }
}
