import SRSIO
import SRSKernel

/// Live MPEG-TS over HTTP (`.ts` mounts), and the converter HLS segments use: FLV AVC to
/// Annex B (AUD, SPS/PPS before each IDR), AAC to ADTS, MP3 as is, muxed by `TSMuxer` with
/// PTS/DTS from the FLV timestamps and composition times.
final class FLVToTSConverter {
    private var muxer: TSMuxer?
    private var avcConfig: AVCDecoderConfiguration?
    private var aacConfig: AACAudioSpecificConfig?
    private var audioCodec: TSStreamType?
    private var hasVideo = false
    private var pendingHeaders = true
    /// The stream ids (first video/audio seen) fix the PMT once media starts.
    private(set) var started = false

    /// Fixes which elementary streams the muxer carries (from the stream's headers).
    func configure(hasVideo: Bool, audio: TSStreamType?) {
        self.hasVideo = hasVideo
        audioCodec = audio
        muxer = TSMuxer(video: hasVideo ? .h264 : nil, audio: audio)
        pendingHeaders = true
    }

    /// PAT and PMT (at the start of the stream and of each HLS segment).
    func tables() -> [UInt8] { muxer?.tables() ?? [] }

    /// The TS packets for one message (nothing for headers, data and unsupported codecs).
    func convert(_ message: SharedMessage, timestamp: Int64) -> [UInt8] {
        switch message.kind {
        case .video:
            guard CodecInfo.videoCodec(message.payload) == .avc else { return [] }
            if message.isSequenceHeader {
                avcConfig = try? AVCDecoderConfiguration.fromFLVVideoTag(message.payload)
                return []
            }
            guard let config = avcConfig, let header = try? FLVVideoTagHeader(parsing: message.payload),
                header.avcPacketType == FLVVideoTagHeader.avcPacketTypeNALU,
                let units = try? AVCNALUnits.fromFLVVideoTag(message.payload, lengthSize: Int(config.nalUnitLengthSize))
            else { return [] }
            var nalUnits: [ArraySlice<UInt8>] = [[0x09, 0xF0]]  // access unit delimiter
            let isKeyframe = header.isKeyframe
            let hasParameterSets = units.contains { AVCNALUnits.nalType($0)?.rawValue == 7 }
            if isKeyframe && !hasParameterSets {
                nalUnits += config.sps.map { $0[...] } + config.pps.map { $0[...] }
            }
            nalUnits += units.filter { AVCNALUnits.nalType($0)?.rawValue != 9 }
            let dts = timestamp * 90
            let pts = (timestamp + Int64(header.compositionTime)) * 90
            return muxer?.writeVideo(AVCNALUnits.annexB(nalUnits: nalUnits), pts: pts, dts: dts, isKeyframe: isKeyframe) ?? []
        case .audio:
            switch CodecInfo.audioCodec(message.payload) {
            case .aac:
                if message.isSequenceHeader {
                    aacConfig = try? AACAudioSpecificConfig.fromFLVAudioTag(message.payload)
                    return []
                }
                guard let config = aacConfig, message.size > 2,
                    let header = try? config.adtsHeader(frameLength: message.size - 2)
                else { return [] }
                return muxer?.writeAudio(header + Array(message.payload[2...]), pts: timestamp * 90) ?? []
            case .mp3:
                guard message.size > 1 else { return [] }
                return muxer?.writeAudio(Array(message.payload[1...]), pts: timestamp * 90) ?? []
            default:
                return []
            }
        case .data:
            return []
        }
    }
}

/// HTTP `.ts` live framing: tables first, then TS packets per message.
final class TSFramer: MediaFramer {
    private let converter = FLVToTSConverter()
    private var configured = false
    private let source: LiveSource

    init(source: LiveSource) { self.source = source }

    func pieces(for batch: [SharedMessage], jitter: inout TimestampJitter) -> [OutboundPiece] {
        var bytes: [UInt8] = []
        for message in batch {
            let timestamp = jitter.correct(message.timestamp, kind: message.kind)
            if !configured && !message.isSequenceHeader && message.kind != .data {
                // The PMT is fixed from what the stream carries when media starts.
                let headers = source.ring.headers
                let audio: TSStreamType? = headers.audioSequenceHeader != nil ? .aac
                    : (message.kind == .audio && CodecInfo.audioCodec(message.payload) == .mp3 ? .mp3 : nil)
                let hasVideo = headers.videoSequenceHeader != nil
                converter.configure(hasVideo: hasVideo, audio: audio ?? (hasVideo ? nil : .aac))
                bytes += converter.tables()
                configured = true
            }
            if message.isSequenceHeader || configured {
                bytes += converter.convert(message, timestamp: timestamp)
            }
        }
        guard !bytes.isEmpty else { return [] }
        return [ByteStore(bytes).piece]
    }
}
