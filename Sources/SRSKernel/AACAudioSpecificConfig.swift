/// An MPEG-4 AudioSpecificConfig (ISO/IEC 14496-3, 1.6.2.1): the AAC sequence header an
/// FLV/RTMP publisher sends as an AAC sequence header tag (AACPacketType 0).
///
/// The object type, sampling frequency, channel configuration and the explicit SBR/PS
/// (HE-AAC) fields are decoded; the rest (GASpecificConfig and any extensions) is kept verbatim
/// so that `serialize()` reproduces the input.
public struct AACAudioSpecificConfig: Sendable, Equatable {
    /// The sampling frequencies of samplingFrequencyIndex 0...12 (ISO/IEC 14496-3 table 1.18).
    public static let sampleRates = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350]

    /// The explicit SBR/PS signalling of HE-AAC (audioObjectType 5 or 29).
    public struct SBRExtension: Sendable, Equatable {
        /// extensionSamplingFrequencyIndex; 0xF means `sampleRate` is explicit.
        public var samplingFrequencyIndex: UInt8
        /// The output sampling rate with SBR, in Hz.
        public var sampleRate: Int
        /// The object type of the core coder (usually 2, AAC LC).
        public var coreObjectType: Int
        /// extensionChannelConfiguration, present only when the core is ER BSAC (22).
        public var channelConfiguration: UInt8?

        public init(samplingFrequencyIndex: UInt8, sampleRate: Int, coreObjectType: Int, channelConfiguration: UInt8? = nil) {
            self.samplingFrequencyIndex = samplingFrequencyIndex
            self.sampleRate = sampleRate
            self.coreObjectType = coreObjectType
            self.channelConfiguration = channelConfiguration
        }
    }

    /// audioObjectType as signalled: 1 Main, 2 LC, 3 SSR, 4 LTP, 5 SBR (HE-AAC), 29 PS (HE-AAC v2), ...
    public let audioObjectType: Int
    /// samplingFrequencyIndex; 0xF means `sampleRate` is explicit.
    public let samplingFrequencyIndex: UInt8
    /// The (core) sampling rate in Hz.
    public let sampleRate: Int
    /// channelConfiguration: 0 (program config element), 1...7 and the later additions 11...14.
    public let channelConfiguration: UInt8
    /// The explicit HE-AAC fields, for audioObjectType 5 and 29.
    public let sbr: SBRExtension?
    /// The bits after the fields above (GASpecificConfig and extensions), packed MSB-first.
    public let remainingBits: [UInt8]
    /// How many bits of `remainingBits` are meaningful.
    public let remainingBitCount: Int

    /// The core coder's object type: the SBR core for HE-AAC, else `audioObjectType`.
    public var coreObjectType: Int { sbr?.coreObjectType ?? audioObjectType }

    /// The output sampling rate: the SBR rate for explicit HE-AAC, else `sampleRate`.
    public var outputSampleRate: Int { sbr?.sampleRate ?? sampleRate }

    /// Number of channels for channelConfiguration 1...7 and 11...14, nil for 0 (defined by a PCE).
    public var channelCount: Int? {
        switch channelConfiguration {
        case 1...6: Int(channelConfiguration)
        case 7, 12, 14: 8
        case 11: 7
        case 13: 24
        default: nil
        }
    }

    /// The profile's name: "Main", "LC", "SSR", "LTP", "HE", "HEv2", ... or "AOT n".
    public var profileName: String {
        switch audioObjectType {
        case 1: "Main"
        case 2: "LC"
        case 3: "SSR"
        case 4: "LTP"
        case 5: "HE"
        case 6: "Scalable"
        case 17: "ER LC"
        case 19: "ER LTP"
        case 23: "LD"
        case 29: "HEv2"
        case 39: "ELD"
        case 42: "xHE"
        default: "AOT \(audioObjectType)"
        }
    }

    /// A config for a plain (non-HE) object type, with a default GASpecificConfig (1024-sample
    /// frames, no core coder, no extension) for the general audio object types.
    /// Throws for object types 5 and 29 (which need SBR fields), object types outside 1...95,
    /// or channelConfiguration above 15.
    public init(audioObjectType: Int, sampleRate: Int, channelConfiguration: UInt8) throws(KernelError) {
        let context = "AAC AudioSpecificConfig"
        guard (1...95).contains(audioObjectType), audioObjectType != 5, audioObjectType != 29 else {
            throw KernelError(context, "cannot build object type \(audioObjectType)")
        }
        guard channelConfiguration <= 15 else { throw KernelError(context, "channel configuration \(channelConfiguration) above 15") }
        guard sampleRate > 0, sampleRate < 1 << 24 else { throw KernelError(context, "sample rate \(sampleRate) out of range") }
        self.audioObjectType = audioObjectType
        self.sampleRate = sampleRate
        self.samplingFrequencyIndex = Self.sampleRates.firstIndex(of: sampleRate).map { UInt8($0) } ?? 0xF
        self.channelConfiguration = channelConfiguration
        self.sbr = nil
        let generalAudio: Set<Int> = [1, 2, 3, 4, 6, 7, 17, 19, 20, 21, 22, 23]
        // frameLengthFlag, dependsOnCoreCoder, extensionFlag all 0.
        remainingBits = generalAudio.contains(audioObjectType) ? [0] : []
        remainingBitCount = generalAudio.contains(audioObjectType) ? 3 : 0
    }

    /// Parses an AudioSpecificConfig. Throws when it is truncated or uses a reserved
    /// sampling frequency index (13, 14).
    public init(parsing bytes: some Collection<UInt8>) throws(KernelError) {
        let context = "AAC AudioSpecificConfig"
        var bits = BitReader(bytes)
        audioObjectType = try Self.readObjectType(&bits, "\(context) audioObjectType")
        (samplingFrequencyIndex, sampleRate) = try Self.readFrequency(&bits, "\(context) samplingFrequencyIndex")
        channelConfiguration = UInt8(try bits.readBits(4, "\(context) channelConfiguration"))
        if audioObjectType == 5 || audioObjectType == 29 {
            let (index, rate) = try Self.readFrequency(&bits, "\(context) extensionSamplingFrequencyIndex")
            let core = try Self.readObjectType(&bits, "\(context) core audioObjectType")
            let extensionChannels = core == 22 ? UInt8(try bits.readBits(4, "\(context) extensionChannelConfiguration")) : nil
            sbr = SBRExtension(samplingFrequencyIndex: index, sampleRate: rate, coreObjectType: core, channelConfiguration: extensionChannels)
        } else {
            sbr = nil
        }
        remainingBitCount = bits.bitsRemaining
        var tail = BitWriter()
        while bits.bitsRemaining > 0 {
            let count = min(32, bits.bitsRemaining)
            tail.writeBits(try bits.readBits(count, context), count: count)
        }
        remainingBits = tail.bytes
    }

    /// Parses the config inside an FLV AAC sequence header tag body (0xAF 0x00, then the config).
    /// Throws when the tag is not AAC or not a sequence header.
    public static func fromFLVAudioTag(_ payload: UnsafeRawBufferPointer) throws(KernelError) -> AACAudioSpecificConfig {
        try fromFLVAudioTag(Array(payload))
    }

    /// Parses the config inside an FLV AAC sequence header tag body held in an array.
    public static func fromFLVAudioTag(_ body: [UInt8]) throws(KernelError) -> AACAudioSpecificConfig {
        let header = try FLVAudioTagHeader(parsing: body)
        guard header.soundFormat == CodecInfo.AudioCodec.aac.rawValue else {
            throw KernelError("FLV AAC sequence header", "sound format \(header.soundFormat) is not AAC (10)")
        }
        guard header.aacPacketType == FLVAudioTagHeader.aacPacketTypeSequenceHeader else {
            throw KernelError("FLV AAC sequence header", "AACPacketType \(header.aacPacketType ?? 0) is not a sequence header (0)")
        }
        return try AACAudioSpecificConfig(parsing: body[header.headerSize...])
    }

    /// The config's bytes; for a parsed config, exactly the input bytes.
    public func serialize() -> [UInt8] {
        var out = BitWriter()
        Self.writeObjectType(audioObjectType, to: &out)
        Self.writeFrequency(index: samplingFrequencyIndex, rate: sampleRate, to: &out)
        out.writeBits(UInt32(channelConfiguration & 0x0F), count: 4)
        if let sbr, audioObjectType == 5 || audioObjectType == 29 {
            Self.writeFrequency(index: sbr.samplingFrequencyIndex, rate: sbr.sampleRate, to: &out)
            Self.writeObjectType(sbr.coreObjectType, to: &out)
            if sbr.coreObjectType == 22 { out.writeBits(UInt32((sbr.channelConfiguration ?? 0) & 0x0F), count: 4) }
        }
        var left = remainingBitCount
        var index = 0
        while left > 0 {
            let count = min(8, left)
            let byte = index < remainingBits.count ? remainingBits[index] : 0
            out.writeBits(UInt32(byte >> UInt8(8 - count)), count: count)
            left -= count
            index += 1
        }
        return out.bytes
    }

    /// The 7-byte ADTS header (ISO/IEC 13818-7 / 14496-3 1.A.2) for one raw AAC frame of
    /// `payloadBytes` bytes: MPEG-4 ID, no CRC, profile = core object type - 1 clamped to 0...3
    /// (so HE-AAC is carried as its LC core, with implicit SBR), the core sampling frequency
    /// index, frame length = payload + 7, buffer fullness 0x7FF (VBR), 1 raw data block.
    /// Throws when the frame does not fit the 13-bit length, the rate has no index,
    /// or the channel configuration is above 7.
    public func adtsHeader(frameLength payloadBytes: Int) throws(KernelError) -> [UInt8] {
        let context = "ADTS header"
        let frameLength = payloadBytes + 7
        guard payloadBytes >= 0, frameLength <= 0x1FFF else {
            throw KernelError(context, "payload of \(payloadBytes) bytes does not fit a 13-bit frame length")
        }
        var index = samplingFrequencyIndex
        if index > 12 {
            guard let standard = Self.sampleRates.firstIndex(of: sampleRate) else {
                throw KernelError(context, "sample rate \(sampleRate) has no ADTS frequency index")
            }
            index = UInt8(standard)
        }
        guard channelConfiguration <= 7 else {
            throw KernelError(context, "channel configuration \(channelConfiguration) does not fit ADTS")
        }
        let profile = UInt8(min(max(coreObjectType - 1, 0), 3))
        let channels = channelConfiguration
        return [
            0xFF,
            0xF1,  // sync, ID 0 (MPEG-4), layer 0, protection_absent 1
            profile << 6 | index << 2 | channels >> 2,
            (channels & 0x03) << 6 | UInt8(truncatingIfNeeded: frameLength >> 11),
            UInt8(truncatingIfNeeded: frameLength >> 3),
            UInt8(truncatingIfNeeded: frameLength & 0x07) << 5 | 0x1F,
            0xFC,  // buffer fullness low 6 bits, number_of_raw_data_blocks_in_frame 0 (one block)
        ]
    }

    private static func readObjectType(_ bits: inout BitReader, _ context: String) throws(KernelError) -> Int {
        let type = Int(try bits.readBits(5, context))
        return type == 31 ? 32 + Int(try bits.readBits(6, "\(context) extension")) : type
    }

    private static func writeObjectType(_ type: Int, to out: inout BitWriter) {
        if type >= 31 {
            out.writeBits(31, count: 5)
            out.writeBits(UInt32(clamping: type - 32) & 0x3F, count: 6)
        } else {
            out.writeBits(UInt32(clamping: max(type, 0)), count: 5)
        }
    }

    private static func readFrequency(_ bits: inout BitReader, _ context: String) throws(KernelError) -> (UInt8, Int) {
        let index = UInt8(try bits.readBits(4, context))
        if index == 0xF { return (index, Int(try bits.readBits(24, "\(context) explicit frequency"))) }
        guard Int(index) < sampleRates.count else { throw KernelError(context, "reserved sampling frequency index \(index)") }
        return (index, sampleRates[Int(index)])
    }

    private static func writeFrequency(index: UInt8, rate: Int, to out: inout BitWriter) {
        out.writeBits(UInt32(index & 0x0F), count: 4)
        if index & 0x0F == 0xF { out.writeBits(UInt32(clamping: rate) & 0xFF_FFFF, count: 24) }
    }
}
