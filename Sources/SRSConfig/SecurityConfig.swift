import Foundation

/// A vhost's `security { enabled on; allow|deny publish|play all|IP|CIDR; ... }`.
///
/// With security on, a client may publish (or play) when an `allow` rule for that action
/// matches its address and no `deny` rule does (SRS's rule: default deny, allow rules, then
/// deny rules). Beyond SRS 2.0: CIDR blocks (`192.168.0.0/16`, `::1/128`) besides single
/// addresses and `all`.
public struct SecurityConfig: Sendable, Equatable {
    public enum Action: String, Sendable { case publish, play }

    public struct Rule: Sendable, Equatable {
        public var allow: Bool
        public var action: Action
        public var match: AddressMatch
    }

    /// Default: off (everyone may publish and play).
    public var enabled = false
    public var rules: [Rule] = []

    public init() {}

    /// Whether a client at `address` (dotted IPv4 or IPv6 text) may perform `action`.
    public func allows(_ action: Action, from address: String) -> Bool {
        guard enabled else { return true }
        let relevant = rules.filter { $0.action == action && $0.match.matches(address) }
        return relevant.contains { $0.allow } && !relevant.contains { !$0.allow }
    }

    init(block: ConfigDirective?, context: String?) throws(ConfigError) {
        guard let block else { return }
        let inner = ConfigSchema.context(parent: context, block: block)
        for child in block.children {
            switch child.name {
            case "enabled":
                let word = try DirectiveValue.single(child, context: inner)
                guard word == "on" || word == "off" else {
                    throw ConfigError(at: child, context: inner, message: "expects on or off, got '\(word)'")
                }
                enabled = word == "on"
            case "allow", "deny":
                guard child.args.count == 2, let action = Action(rawValue: child.args[0]) else {
                    throw ConfigError(at: child, context: inner, message: "expects publish|play and all|IP|CIDR, e.g. \(child.name) play all;")
                }
                guard let match = AddressMatch(child.args[1]) else {
                    throw ConfigError(at: child, context: inner, message: "expects all, an IP address or a CIDR block, got '\(child.args[1])'")
                }
                rules.append(Rule(allow: child.name == "allow", action: action, match: match))
            default:
                break
            }
        }
    }
}

/// `all`, one address, or a CIDR block, matched against a client's address text.
public struct AddressMatch: Sendable, Equatable {
    private let all: Bool
    private let network: [UInt8]
    private let prefixBits: Int

    /// nil for text that is none of the three.
    public init?(_ text: String) {
        if text == "all" {
            all = true
            network = []
            prefixBits = 0
            return
        }
        all = false
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let bytes = Self.addressBytes(String(parts[0])) else { return nil }
        network = bytes
        if parts.count == 2 {
            guard let bits = Int(parts[1]), (0...bytes.count * 8).contains(bits) else { return nil }
            prefixBits = bits
        } else {
            prefixBits = bytes.count * 8
        }
    }

    public func matches(_ address: String) -> Bool {
        if all { return true }
        guard var bytes = Self.addressBytes(address) else { return false }
        // An IPv4 client seen through an IPv6 socket (::ffff:a.b.c.d) matches IPv4 rules.
        if bytes.count == 16, network.count == 4, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            bytes = Array(bytes[12...])
        }
        guard bytes.count == network.count else { return false }
        var bits = prefixBits
        for index in 0..<bytes.count where bits > 0 {
            let mask: UInt8 = bits >= 8 ? 0xFF : UInt8(0xFF) << (8 - bits)
            if bytes[index] & mask != network[index] & mask { return false }
            bits -= 8
        }
        return true
    }

    /// 4 bytes for IPv4 text, 16 for IPv6 text, nil otherwise.
    static func addressBytes(_ text: String) -> [UInt8]? {
        if !text.contains(":") {
            let octets = text.split(separator: ".", omittingEmptySubsequences: false)
            guard octets.count == 4 else { return nil }
            var bytes: [UInt8] = []
            for octet in octets {
                guard !octet.isEmpty, octet.count <= 3, let value = UInt8(octet) else { return nil }
                bytes.append(value)
            }
            return bytes
        }
        // IPv6: groups of hex, one "::" allowed, an IPv4 tail allowed.
        var text = Substring(text)
        var tail: [UInt8] = []
        if let lastColon = text.lastIndex(of: ":"), text[text.index(after: lastColon)...].contains(".") {
            guard let v4 = addressBytes(String(text[text.index(after: lastColon)...])) else { return nil }
            tail = v4
            text = text[...lastColon]
            if text.hasSuffix(":") && !text.hasSuffix("::") { text = text.dropLast() }
        }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt8]? {
            guard !part.isEmpty else { return [] }
            var out: [UInt8] = []
            for group in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard !group.isEmpty, group.count <= 4, let value = UInt16(group, radix: 16) else { return nil }
                out += [UInt8(value >> 8), UInt8(value & 0xFF)]
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        let rest = halves.count == 2 ? groups(halves[1]) : []
        guard let rest else { return nil }
        let known = head.count + rest.count + tail.count
        if halves.count == 2 {
            guard known < 16 else { return nil }
            return head + [UInt8](repeating: 0, count: 16 - known) + rest + tail
        }
        guard known == 16 else { return nil }
        return head + tail
    }
}
