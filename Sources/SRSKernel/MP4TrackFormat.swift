/// What an MP4 track holds, for its sample description (`stsd`): H.264 from an FLV AVC
/// sequence header, AAC from an FLV AAC sequence header, MP3 from an FLV MP3 frame.
public enum MP4TrackFormat: Sendable, Equatable {
    /// H.264 (`avc1` with the publisher's `avcC`).
    case avc(record: [UInt8], width: Int, height: Int)
    /// AAC (`mp4a`, object type 0x40, the AudioSpecificConfig as decoder specific info).
    case aac(config: [UInt8], sampleRate: Int, channels: Int)
    /// MP3 (`mp4a`, object type 0x6B).
    case mp3(sampleRate: Int, channels: Int)

    /// True for a video track.
    public var isVideo: Bool { if case .avc = self { true } else { false } }

    /// The format of an FLV video tag body that is an AVC sequence header; nil for any other.
    public static func video(fromFLVTag body: UnsafeRawBufferPointer) -> MP4TrackFormat? {
        guard let header = try? FLVVideoTagHeader(parsing: body), header.codec == .avc,
              header.avcPacketType == FLVVideoTagHeader.avcPacketTypeSequenceHeader else { return nil }
        let record = Array(body.dropFirst(header.headerSize))
        guard let parsed = try? AVCDecoderConfiguration(parsing: record) else { return nil }
        let sps = try? parsed.parsedSPS()
        return .avc(record: record, width: sps?.width ?? 0, height: sps?.height ?? 0)
    }

    /// The format of an FLV audio tag body that is an AAC sequence header or an MP3 frame; nil
    /// for any other.
    public static func audio(fromFLVTag body: UnsafeRawBufferPointer) -> MP4TrackFormat? {
        guard let header = try? FLVAudioTagHeader(parsing: body) else { return nil }
        switch header.codec {
        case .aac:
            guard header.aacPacketType == FLVAudioTagHeader.aacPacketTypeSequenceHeader,
                  let config = try? AACAudioSpecificConfig.fromFLVAudioTag(body) else { return nil }
            return .aac(config: Array(body.dropFirst(header.headerSize)), sampleRate: config.sampleRate,
                        channels: config.channelCount ?? header.channels)
        case .mp3, .mp3_8k:
            guard let frame = try? MP3FrameHeader.fromFLVAudioTag(body) else { return nil }
            return .mp3(sampleRate: frame.sampleRate, channels: frame.channels)
        default:
            return nil
        }
    }

    /// Writes the sample entry (`avc1` or `mp4a`) for track `trackId`.
    func writeSampleEntry(_ box: inout MP4BoxWriter, trackId: UInt32) {
        switch self {
        case .avc(let record, let width, let height):
            box.box("avc1") { entry in
                entry.zeros(6)
                entry.uint16(1)  // data_reference_index
                entry.zeros(16)  // pre_defined, reserved, pre_defined[3]
                entry.uint16(UInt16(clamping: width))
                entry.uint16(UInt16(clamping: height))
                entry.uint32(0x0048_0000)  // 72 dpi
                entry.uint32(0x0048_0000)
                entry.zeros(4)
                entry.uint16(1)  // frame_count
                entry.zeros(32)  // compressorname
                entry.uint16(0x0018)  // depth
                entry.uint16(0xFFFF)  // pre_defined = -1
                entry.box("avcC") { $0.raw(record) }
            }
        case .aac(_, let sampleRate, let channels), .mp3(let sampleRate, let channels):
            box.box("mp4a") { entry in
                entry.zeros(6)
                entry.uint16(1)  // data_reference_index
                entry.zeros(8)
                entry.uint16(UInt16(clamping: channels))
                entry.uint16(16)  // samplesize
                entry.zeros(4)
                entry.uint32(UInt32(clamping: sampleRate) << 16)
                entry.fullBox("esds") { esds in
                    esds.descriptor(0x03) { es in  // ES_Descriptor
                        es.uint16(UInt16(truncatingIfNeeded: trackId))
                        es.uint8(0)
                        es.descriptor(0x04) { config in  // DecoderConfigDescriptor
                            if case .aac = self { config.uint8(0x40) } else { config.uint8(0x6B) }
                            config.uint8(0x15)  // audio stream, upstream 0, reserved 1
                            config.uint24(0)  // bufferSizeDB
                            config.uint32(0)  // maxBitrate
                            config.uint32(0)  // avgBitrate
                            if case .aac(let specific, _, _) = self {
                                config.descriptor(0x05) { $0.raw(specific) }  // DecoderSpecificInfo
                            }
                        }
                        es.descriptor(0x06) { $0.uint8(0x02) }  // SLConfigDescriptor: MP4 file
                    }
                }
            }
        }
    }
}
