/// The 4-byte header of an MPEG audio frame (ISO/IEC 11172-3 and 13818-3, plus the
/// unofficial MPEG-2.5 extension), layers I, II and III.
public struct MP3FrameHeader: Sendable, Equatable {
    /// The MPEG audio version.
    public enum Version: Sendable, Equatable {
        case mpeg1, mpeg2, mpeg25

        /// "1", "2" or "2.5".
        public var name: String {
            switch self {
            case .mpeg1: "1"
            case .mpeg2: "2"
            case .mpeg25: "2.5"
            }
        }
    }

    /// The channel mode field.
    public enum ChannelMode: UInt8, Sendable, Equatable {
        case stereo = 0, jointStereo = 1, dualChannel = 2, mono = 3
    }

    /// MPEG-1, MPEG-2 or MPEG-2.5.
    public let version: Version
    /// Layer 1, 2 or 3.
    public let layer: Int
    /// True when a 16-bit CRC follows the header (protection_bit 0).
    public let hasCRC: Bool
    /// Bitrate in kbit/s.
    public let bitrateKbps: Int
    /// Sampling rate in Hz.
    public let sampleRate: Int
    /// True when the frame has one padding slot (4 bytes in layer I, 1 byte otherwise).
    public let padding: Bool
    /// The private bit.
    public let privateBit: Bool
    /// Stereo, joint stereo, dual channel or mono.
    public let channelMode: ChannelMode
    /// mode_extension (joint stereo coding), 0...3.
    public let modeExtension: UInt8
    /// The copyright bit.
    public let copyright: Bool
    /// The original/home bit.
    public let original: Bool
    /// emphasis: 0 none, 1 50/15 us, 3 CCITT J.17 (2 is reserved but tolerated).
    public let emphasis: UInt8

    /// 1 for mono, 2 otherwise.
    public var channels: Int { channelMode == .mono ? 1 : 2 }

    /// PCM samples per channel in one frame: 384 (layer I), 1152 (layer II, MPEG-1 layer III)
    /// or 576 (MPEG-2/2.5 layer III).
    public var samplesPerFrame: Int {
        switch layer {
        case 1: 384
        case 2: 1152
        default: version == .mpeg1 ? 1152 : 576
        }
    }

    /// The frame's length in bytes, header included.
    public var frameLength: Int {
        let bitsPerSecond = bitrateKbps * 1000
        switch layer {
        case 1: return (12 * bitsPerSecond / sampleRate + (padding ? 1 : 0)) * 4
        case 2: return 144 * bitsPerSecond / sampleRate + (padding ? 1 : 0)
        default: return (version == .mpeg1 ? 144 : 72) * bitsPerSecond / sampleRate + (padding ? 1 : 0)
        }
    }

    private static let bitratesV1: [[Int]] = [
        [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],  // layer I
        [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],  // layer II
        [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],  // layer III
    ]
    private static let bitratesV2: [[Int]] = [
        [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],  // layer I
        [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],  // layers II and III
    ]

    /// Parses the first 4 bytes of `bytes` as a frame header. Throws when fewer than 4 bytes are
    /// given, the 11-bit sync is missing, or the version, layer, bitrate (free format or index 15)
    /// or sampling rate index is reserved or unsupported.
    public init(parsing bytes: some Collection<UInt8>) throws(KernelError) {
        var reader = ByteReader(Array(bytes.prefix(4)))
        try self.init(word: try reader.readUInt32("MPEG audio frame header"))
    }

    /// Parses a frame header from its 32 bits, first byte most significant.
    public init(word: UInt32) throws(KernelError) {
        let context = "MPEG audio frame header"
        guard word >> 21 == 0x7FF else { throw KernelError(context, "no frame sync") }
        switch (word >> 19) & 0x3 {
        case 0: version = .mpeg25
        case 2: version = .mpeg2
        case 3: version = .mpeg1
        default: throw KernelError(context, "reserved version id")
        }
        let layerBits = Int((word >> 17) & 0x3)
        guard layerBits != 0 else { throw KernelError(context, "reserved layer") }
        layer = 4 - layerBits
        hasCRC = (word >> 16) & 1 == 0
        let bitrateIndex = Int((word >> 12) & 0xF)
        guard bitrateIndex != 0 else { throw KernelError(context, "free-format bitrate is not supported") }
        guard bitrateIndex != 15 else { throw KernelError(context, "reserved bitrate index 15") }
        bitrateKbps = version == .mpeg1
            ? Self.bitratesV1[layer - 1][bitrateIndex]
            : Self.bitratesV2[layer == 1 ? 0 : 1][bitrateIndex]
        let rateIndex = Int((word >> 10) & 0x3)
        guard rateIndex != 3 else { throw KernelError(context, "reserved sampling rate index") }
        let baseRate = [44100, 48000, 32000][rateIndex]
        sampleRate = switch version {
        case .mpeg1: baseRate
        case .mpeg2: baseRate / 2
        case .mpeg25: baseRate / 4
        }
        padding = (word >> 9) & 1 == 1
        privateBit = (word >> 8) & 1 == 1
        channelMode = ChannelMode(rawValue: UInt8((word >> 6) & 0x3))!
        modeExtension = UInt8((word >> 4) & 0x3)
        copyright = (word >> 3) & 1 == 1
        original = (word >> 2) & 1 == 1
        emphasis = UInt8(word & 0x3)
    }

    /// Parses the header of the first MP3 frame in an FLV MP3 audio tag body (sound format 2 or
    /// 14, one header byte, then MPEG audio frames). Throws when the tag is not MP3.
    public static func fromFLVAudioTag(_ payload: UnsafeRawBufferPointer) throws(KernelError) -> MP3FrameHeader {
        try fromFLVAudioTag(Array(payload.prefix(5)))
    }

    /// Parses the first MP3 frame header in an FLV MP3 audio tag body held in an array.
    public static func fromFLVAudioTag(_ body: [UInt8]) throws(KernelError) -> MP3FrameHeader {
        let header = try FLVAudioTagHeader(parsing: body)
        guard header.codec == .mp3 || header.codec == .mp3_8k else {
            throw KernelError("FLV MP3 audio tag", "sound format \(header.soundFormat) is not MP3 (2 or 14)")
        }
        return try MP3FrameHeader(parsing: body.dropFirst(header.headerSize))
    }
}
