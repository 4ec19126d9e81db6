/// A `stream_caster { enabled; caster; output; listen; rtp_port_min; rtp_port_max; }` block
/// (repeatable): a server for encoders that cannot speak RTMP, publishing what they send into
/// the live stream named by `output`.
public struct StreamCasterConfig: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// MPEG-TS datagrams on a UDP port.
        case mpegtsOverUDP = "mpegts_over_udp"
        /// RTSP ANNOUNCE/SETUP/RECORD: H.264 and AAC over RTP, TCP-interleaved or UDP.
        case rtsp
        /// FLV over HTTP POST to /app/stream.flv.
        case flv
        /// SRS 4+'s GB/T 28181 (not implemented).
        case gb28181
    }

    /// Default: off
    public var enabled = false
    public var kind = Kind.mpegtsOverUDP
    /// The RTMP URL of the stream it publishes, e.g. rtmp://127.0.0.1/live/livestream
    /// (`[app]`/`[stream]` from the request for rtsp and flv).
    public var output = ""
    /// The port (and address) it listens on.
    public var listen = ListenAddress(port: 8935)
    public var rtpPortMin = 57200
    public var rtpPortMax = 57300
    /// Where the block is (for messages).
    public let file: String
    public let line: Int

    init(block: ConfigDirective, warnings: ConfigWarning.Collector) throws(ConfigError) {
        file = block.file
        line = block.line
        let context = ConfigSchema.context(parent: nil, block: block)
        let reader = SettingReader(directives: block.children, context: context, warnings: warnings)
        enabled = try reader.flag(false, ["enabled"])
        kind = try reader.choice(.mpegtsOverUDP, expected: "mpegts_over_udp, rtsp, flv or gb28181", ["caster"]) { Kind(rawValue: $0) }
        output = try reader.optionalText(["output"]) ?? ""
        if let found = try reader.setting(["listen"]) {
            let text = try DirectiveValue.single(found.directive, context: found.context, warnings: warnings)
            do {
                listen = try ListenAddress(parsing: text)
            } catch {
                throw ConfigError(at: found.directive, context: found.context, message: "\(error)")
            }
        }
        rtpPortMin = try reader.integer(rtpPortMin, in: 1...65535, ["rtp_port_min"])
        rtpPortMax = try reader.integer(rtpPortMax, in: 1...65535, ["rtp_port_max"])
        guard enabled else { return }
        if !output.hasPrefix("rtmp://") {
            throw ConfigError(at: block, context: nil, message: "stream_caster \(kind.rawValue) needs an rtmp:// output")
        }
        if kind == .rtsp && rtpPortMax < rtpPortMin + 1 {
            throw ConfigError(at: block, context: nil, message: "stream_caster rtsp: rtp_port_max \(rtpPortMax) leaves no port pair above rtp_port_min \(rtpPortMin)")
        }
        if kind == .gb28181 {
            warnings.add(block, "caster \(kind.rawValue) is not implemented yet; ignored")
        }
    }
}
