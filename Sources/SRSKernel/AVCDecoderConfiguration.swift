/// An AVCDecoderConfigurationRecord (ISO/IEC 14496-15, 5.2.4.1): the H.264 sequence header an
/// FLV/RTMP publisher sends as an AVC sequence header tag (AVCPacketType 0).
public struct AVCDecoderConfiguration: Sendable, Equatable {
    /// The optional tail of the record for High profiles (profile_idc 100, 110, 122, 144).
    public struct HighProfileExtension: Sendable, Equatable {
        /// chroma_format_idc, 0...3.
        public var chromaFormat: UInt8
        /// bit_depth_luma_minus8, 0...7.
        public var bitDepthLumaMinus8: UInt8
        /// bit_depth_chroma_minus8, 0...7.
        public var bitDepthChromaMinus8: UInt8
        /// Sequence parameter set extension NAL units.
        public var spsExtensions: [[UInt8]]

        public init(chromaFormat: UInt8, bitDepthLumaMinus8: UInt8, bitDepthChromaMinus8: UInt8, spsExtensions: [[UInt8]] = []) {
            self.chromaFormat = chromaFormat
            self.bitDepthLumaMinus8 = bitDepthLumaMinus8
            self.bitDepthChromaMinus8 = bitDepthChromaMinus8
            self.spsExtensions = spsExtensions
        }
    }

    /// configurationVersion, 1 in every known stream (not enforced).
    public var configurationVersion: UInt8
    /// AVCProfileIndication: profile_idc of the SPS.
    public var profileIndication: UInt8
    /// profile_compatibility: the constraint flags byte of the SPS.
    public var profileCompatibility: UInt8
    /// AVCLevelIndication: level_idc of the SPS.
    public var levelIndication: UInt8
    /// Size in bytes of the NAL unit length prefix in AVCC data: 1, 2 or 4.
    public var nalUnitLengthSize: Int
    /// Sequence parameter set NAL units, each with its 1-byte NAL header.
    public var sps: [[UInt8]]
    /// Picture parameter set NAL units, each with its 1-byte NAL header.
    public var pps: [[UInt8]]
    /// The High profile tail, when the record carries one.
    public var highProfileExtension: HighProfileExtension?

    /// A record built from parts.
    public init(
        configurationVersion: UInt8 = 1, profileIndication: UInt8, profileCompatibility: UInt8, levelIndication: UInt8,
        nalUnitLengthSize: Int = 4, sps: [[UInt8]], pps: [[UInt8]], highProfileExtension: HighProfileExtension? = nil
    ) {
        self.configurationVersion = configurationVersion
        self.profileIndication = profileIndication
        self.profileCompatibility = profileCompatibility
        self.levelIndication = levelIndication
        self.nalUnitLengthSize = nalUnitLengthSize
        self.sps = sps
        self.pps = pps
        self.highProfileExtension = highProfileExtension
    }

    /// Parses a record. Throws on truncation, a length size of 3, or an empty parameter set.
    /// Bytes after the PPS list are read as the High profile tail when the profile has one and
    /// at least 4 bytes remain; any other trailing bytes are ignored.
    public init(parsing record: some Collection<UInt8>) throws(KernelError) {
        let context = "AVCDecoderConfigurationRecord"
        var reader = ByteReader(Array(record))
        configurationVersion = try reader.readUInt8("\(context) configurationVersion")
        profileIndication = try reader.readUInt8("\(context) AVCProfileIndication")
        profileCompatibility = try reader.readUInt8("\(context) profile_compatibility")
        levelIndication = try reader.readUInt8("\(context) AVCLevelIndication")
        nalUnitLengthSize = Int(try reader.readUInt8("\(context) lengthSizeMinusOne") & 0x03) + 1
        try AVCNALUnits.validateLengthSize(nalUnitLengthSize, context)
        let spsCount = Int(try reader.readUInt8("\(context) numOfSequenceParameterSets") & 0x1F)
        sps = try Self.readParameterSets(&reader, count: spsCount, "\(context) SPS")
        let ppsCount = Int(try reader.readUInt8("\(context) numOfPictureParameterSets"))
        pps = try Self.readParameterSets(&reader, count: ppsCount, "\(context) PPS")
        if Self.profileHasExtension(profileIndication) && reader.remaining >= 4 {
            let chroma = try reader.readUInt8("\(context) chroma_format") & 0x03
            let luma = try reader.readUInt8("\(context) bit_depth_luma_minus8") & 0x07
            let chromaDepth = try reader.readUInt8("\(context) bit_depth_chroma_minus8") & 0x07
            let extCount = Int(try reader.readUInt8("\(context) numOfSequenceParameterSetExt"))
            let extensions = try Self.readParameterSets(&reader, count: extCount, "\(context) SPS extension")
            highProfileExtension = HighProfileExtension(
                chromaFormat: chroma, bitDepthLumaMinus8: luma, bitDepthChromaMinus8: chromaDepth, spsExtensions: extensions)
        } else {
            highProfileExtension = nil
        }
    }

    /// Parses the record inside an FLV AVC sequence header tag body (0x17 0x00 and a 24-bit
    /// composition time, then the record). Throws when the tag is not AVC or not a sequence header.
    public static func fromFLVVideoTag(_ payload: UnsafeRawBufferPointer) throws(KernelError) -> AVCDecoderConfiguration {
        try fromFLVVideoTag(Array(payload))
    }

    /// Parses the record inside an FLV AVC sequence header tag body held in an array.
    public static func fromFLVVideoTag(_ body: [UInt8]) throws(KernelError) -> AVCDecoderConfiguration {
        let header = try FLVVideoTagHeader(parsing: body)
        guard header.codecID == CodecInfo.VideoCodec.avc.rawValue else {
            throw KernelError("FLV AVC sequence header", "codec id \(header.codecID) is not AVC (7)")
        }
        guard header.avcPacketType == FLVVideoTagHeader.avcPacketTypeSequenceHeader else {
            throw KernelError("FLV AVC sequence header", "AVCPacketType \(header.avcPacketType ?? 0) is not a sequence header (0)")
        }
        return try AVCDecoderConfiguration(parsing: body[header.headerSize...])
    }

    /// The record's bytes, with every reserved bit set to 1 as the standard requires.
    /// Parameter set lists are truncated to what the count fields can hold (31 SPS, 255 PPS).
    public func serialize() -> [UInt8] {
        var out: [UInt8] = [
            configurationVersion, profileIndication, profileCompatibility, levelIndication,
            0xFC | UInt8(truncatingIfNeeded: nalUnitLengthSize - 1) & 0x03,
        ]
        let spsList = sps.prefix(31)
        out.append(0xE0 | UInt8(spsList.count))
        Self.appendParameterSets(spsList, to: &out)
        let ppsList = pps.prefix(255)
        out.append(UInt8(ppsList.count))
        Self.appendParameterSets(ppsList, to: &out)
        if let ext = highProfileExtension {
            out.append(0xFC | ext.chromaFormat & 0x03)
            out.append(0xF8 | ext.bitDepthLumaMinus8 & 0x07)
            out.append(0xF8 | ext.bitDepthChromaMinus8 & 0x07)
            let extList = ext.spsExtensions.prefix(255)
            out.append(UInt8(extList.count))
            Self.appendParameterSets(extList, to: &out)
        }
        return out
    }

    /// The first SPS decoded, or nil when the record has none.
    public func parsedSPS() throws(KernelError) -> H264SPS? {
        guard let first = sps.first else { return nil }
        return try H264SPS(parsing: first)
    }

    static func profileHasExtension(_ profile: UInt8) -> Bool {
        profile == 100 || profile == 110 || profile == 122 || profile == 144
    }

    private static func readParameterSets(_ reader: inout ByteReader, count: Int, _ context: String) throws(KernelError) -> [[UInt8]] {
        var sets: [[UInt8]] = []
        for index in 0..<count {
            let length = Int(try reader.readUInt16("\(context) \(index) length"))
            guard length > 0 else { throw KernelError("\(context) \(index)", "empty parameter set") }
            sets.append(Array(try reader.readBytes(length, "\(context) \(index)")))
        }
        return sets
    }

    private static func appendParameterSets(_ sets: ArraySlice<[UInt8]>, to out: inout [UInt8]) {
        for set in sets {
            let bytes = set.prefix(0xFFFF)
            out.append(UInt8(truncatingIfNeeded: bytes.count >> 8))
            out.append(UInt8(truncatingIfNeeded: bytes.count))
            out.append(contentsOf: bytes)
        }
    }
}
