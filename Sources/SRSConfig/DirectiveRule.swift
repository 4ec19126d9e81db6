/// What the schema knows about one directive name at one level.
struct DirectiveRule: Sendable {
    /// How the directive may be written.
    enum Shape: Sendable {
        /// `name args;` only.
        case leaf
        /// `name args { ... }` only, with these known children.
        case block([String: DirectiveRule])
        /// Either `name args;` (SRS 2.0) or `name { ... }` (SRS 3+), e.g. `forward`, `refer`.
        case leafOrBlock([String: DirectiveRule])
        /// `name { ... }` holding anything (ffmpeg parameters such as `vfilter`, `vparams`).
        case freeBlock
        /// `name args;` or `name { ... }` holding anything: what SRS itself does not check
        /// (e.g. `https { }` of SRS 4+, `tcp { }` in `rtc_server`).
        case anything
    }

    let shape: Shape
    /// True when this server acts on the directive (for blocks: on the block, whose children
    /// each say for themselves). Unimplemented directives are reported as unsupported.
    let implemented: Bool

    static let leaf = DirectiveRule(shape: .leaf, implemented: false)
    static let implementedLeaf = DirectiveRule(shape: .leaf, implemented: true)
    static let freeBlock = DirectiveRule(shape: .freeBlock, implemented: false)
    static let anything = DirectiveRule(shape: .anything, implemented: false)

    static func block(_ children: [String: DirectiveRule], implemented: Bool = false) -> DirectiveRule {
        DirectiveRule(shape: .block(children), implemented: implemented)
    }

    static func leafOrBlock(_ children: [String: DirectiveRule], implemented: Bool = false) -> DirectiveRule {
        DirectiveRule(shape: .leafOrBlock(children), implemented: implemented)
    }

    /// Leaves this server does not use yet.
    static func leaves(_ names: [String]) -> [String: DirectiveRule] {
        Dictionary(uniqueKeysWithValues: names.map { ($0, DirectiveRule.leaf) })
    }

    /// Names of later SRS versions whose content SRS does not check either (leaves or blocks).
    static func loose(_ names: [String]) -> [String: DirectiveRule] {
        Dictionary(uniqueKeysWithValues: names.map { ($0, DirectiveRule.anything) })
    }

    /// Leaves this server uses.
    static func implementedLeaves(_ names: [String]) -> [String: DirectiveRule] {
        Dictionary(uniqueKeysWithValues: names.map { ($0, DirectiveRule.implementedLeaf) })
    }
}

extension Dictionary where Key == String, Value == DirectiveRule {
    /// Both sets of rules; a name in both is a bug in the tables.
    func adding(_ other: [String: DirectiveRule]) -> [String: DirectiveRule] {
        merging(other) { first, _ in
            assertionFailure("directive listed twice in the schema")
            return first
        }
    }
}
