/// A vhost's page-URL rules: SRS 2.0's `refer d1 d2;`, `refer_publish ...;`, `refer_play ...;`
/// or SRS 3+'s `refer { enabled on; all ...; publish ...; play ...; }`.
///
/// A list that is set must contain the domain of the client's pageUrl (from its connect):
/// the domain equals an entry or ends with "." and the entry. (SRS matched any suffix, so
/// `evilchina.com` passed `china.com`; this does not.) An unset list lets everyone through.
public struct ReferConfig: Sendable, Equatable {
    /// Checked at connect for every client. nil = no rule.
    public var all: [String]?
    /// Checked at publish. nil = no rule.
    public var publish: [String]?
    /// Checked at play. nil = no rule.
    public var play: [String]?

    public init() {}

    /// Whether `pageUrl` passes `list`.
    public static func allows(_ list: [String]?, pageUrl: String) -> Bool {
        guard let list else { return true }
        var domain = Substring(pageUrl)
        if let scheme = domain.range(of: "://") { domain = domain[scheme.upperBound...] }
        if let slash = domain.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { domain = domain[..<slash] }
        if let at = domain.lastIndex(of: "@") { domain = domain[domain.index(after: at)...] }
        if let colon = domain.lastIndex(of: ":") { domain = domain[..<colon] }
        let host = domain.lowercased()
        guard !host.isEmpty else { return false }
        return list.contains { entry in
            let entry = entry.lowercased().drop { $0 == "." }
            return host == entry || host.hasSuffix("." + entry)
        }
    }

    init(reader: SettingReader, block: ConfigDirective?) throws(ConfigError) {
        if let block, block.hasBlock {
            let enabled = try reader.flag(true, ["refer", "enabled"])
            guard enabled else { return }
            all = try reader.words(["refer", "all"])
            publish = try reader.words(["refer", "publish"])
            play = try reader.words(["refer", "play"])
        } else {
            all = try reader.words(["refer"])
            publish = try reader.words(["refer_publish"])
            play = try reader.words(["refer_play"])
        }
    }
}
