/// The header of an FLV video tag body (Adobe FLV spec, E.4.3.1 VIDEODATA and AVCVIDEOPACKET).
public struct FLVVideoTagHeader: Sendable, Equatable {
    /// AVCPacketType 0: an AVCDecoderConfigurationRecord.
    public static let avcPacketTypeSequenceHeader: UInt8 = 0
    /// AVCPacketType 1: one or more AVCC NAL units.
    public static let avcPacketTypeNALU: UInt8 = 1
    /// AVCPacketType 2: end of sequence.
    public static let avcPacketTypeEndOfSequence: UInt8 = 2

    /// 1 keyframe, 2 inter frame, 3 disposable inter frame, 4 generated keyframe, 5 video info/command.
    public let frameType: UInt8
    /// 2 Sorenson H.263, 3 screen video, 4 VP6, 5 VP6 alpha, 6 screen video 2, 7 AVC, 12 HEVC.
    public let codecID: UInt8
    /// AVCPacketType, present for AVC (and the HEVC extension, codec id 12).
    public let avcPacketType: UInt8?
    /// Composition time offset (PTS - DTS) in milliseconds, a signed 24-bit value; 0 for other codecs.
    public let compositionTime: Int32

    /// The codec, when its id is a known one.
    public var codec: CodecInfo.VideoCodec? { CodecInfo.VideoCodec(rawValue: codecID) }
    /// Frame type 1 (keyframe).
    public var isKeyframe: Bool { frameType == 1 }
    /// Bytes before the codec data: 5 for AVC/HEVC, 1 otherwise.
    public var headerSize: Int { avcPacketType == nil ? 1 : 5 }

    /// Parses the header at the start of an FLV video tag body. Throws when the body is shorter
    /// than the header (1 byte, or 5 bytes for AVC/HEVC).
    public init(parsing body: some Collection<UInt8>) throws(KernelError) {
        var reader = ByteReader(Array(body.prefix(5)))
        let first = try reader.readUInt8("FLV video tag header")
        frameType = first >> 4
        codecID = first & 0x0F
        if codecID == CodecInfo.VideoCodec.avc.rawValue || codecID == CodecInfo.VideoCodec.hevc.rawValue {
            avcPacketType = try reader.readUInt8("FLV AVC video tag header")
            let raw = try reader.readUInt24("FLV AVC composition time")
            compositionTime = Int32(bitPattern: raw << 8) >> 8
        } else {
            avcPacketType = nil
            compositionTime = 0
        }
    }

    /// Parses the header of an FLV video tag body held in shared message memory.
    public init(parsing payload: UnsafeRawBufferPointer) throws(KernelError) {
        try self.init(parsing: payload.prefix(5))
    }
}

/// The header of an FLV audio tag body (Adobe FLV spec, E.4.2.1 AUDIODATA).
public struct FLVAudioTagHeader: Sendable, Equatable {
    /// AACPacketType 0: an AudioSpecificConfig.
    public static let aacPacketTypeSequenceHeader: UInt8 = 0
    /// AACPacketType 1: one raw AAC frame.
    public static let aacPacketTypeRaw: UInt8 = 1

    /// SoundFormat: 0 linear PCM, 1 ADPCM, 2 MP3, 3 PCM little-endian, 4-6 Nellymoser,
    /// 7 G.711 A-law, 8 G.711 mu-law, 10 AAC, 11 Speex, 14 MP3 8 kHz, 15 device specific.
    public let soundFormat: UInt8
    /// SoundRate code: 0 5.5 kHz, 1 11 kHz, 2 22 kHz, 3 44 kHz.
    public let soundRateCode: UInt8
    /// SoundSize: 8 or 16 bits per sample.
    public let soundSizeBits: Int
    /// SoundType: true for stereo.
    public let isStereo: Bool
    /// AACPacketType, present for AAC.
    public let aacPacketType: UInt8?

    /// The codec, when its sound format is a known one.
    public var codec: CodecInfo.AudioCodec? { CodecInfo.AudioCodec(rawValue: soundFormat) }
    /// The nominal rate from SoundRate in Hz: 5512, 11025, 22050 or 44100 (AAC always signals 44100).
    public var soundRate: Int { [5512, 11025, 22050, 44100][Int(soundRateCode)] }
    /// 2 for stereo, 1 for mono.
    public var channels: Int { isStereo ? 2 : 1 }
    /// Bytes before the codec data: 2 for AAC, 1 otherwise.
    public var headerSize: Int { aacPacketType == nil ? 1 : 2 }

    /// Parses the header at the start of an FLV audio tag body. Throws when the body is shorter
    /// than the header (1 byte, or 2 bytes for AAC).
    public init(parsing body: some Collection<UInt8>) throws(KernelError) {
        var reader = ByteReader(Array(body.prefix(2)))
        let first = try reader.readUInt8("FLV audio tag header")
        soundFormat = first >> 4
        soundRateCode = (first >> 2) & 0x03
        soundSizeBits = first & 0x02 == 0 ? 8 : 16
        isStereo = first & 0x01 == 1
        aacPacketType = soundFormat == CodecInfo.AudioCodec.aac.rawValue ? try reader.readUInt8("FLV AAC audio tag header") : nil
    }

    /// Parses the header of an FLV audio tag body held in shared message memory.
    public init(parsing payload: UnsafeRawBufferPointer) throws(KernelError) {
        try self.init(parsing: payload.prefix(2))
    }
}
