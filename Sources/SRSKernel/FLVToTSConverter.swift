/// FLV messages to MPEG-TS, for live `.ts` over HTTP and HLS segments: FLV AVC to
/// Annex B (AUD, SPS/PPS before each IDR), AAC to ADTS, MP3 as is, muxed by `TSMuxer` with
/// PTS/DTS from the FLV timestamps and composition times.
public final class FLVToTSConverter {
    public init() {}

    private var muxer: TSMuxer?
    private var avcConfig: AVCDecoderConfiguration?
    private var aacConfig: AACAudioSpecificConfig?
    public private(set) var audioCodec: TSStreamType?
    public private(set) var hasVideo = false
    /// Audio frames are gathered into one PES up to this many bytes (FFmpeg's mpegts
    /// pes_payload_size default): one PES per 90-byte AAC frame would cost a whole 188-byte
    /// packet each, 45% overhead at 100 kbps instead of ~15%.
    public static let audioPESMaxBytes = 2930
    /// ...or up to this much audio time (ms), so audio never lags video by more.
    public static let audioPESMaxMs: Int64 = 480
    private var audioBuffer: [UInt8] = []
    private var audioBufferPTS: Int64 = 0

    /// Fixes which elementary streams the muxer carries (from the stream's headers).
    public func configure(hasVideo: Bool, audio: TSStreamType?) {
        self.hasVideo = hasVideo
        audioCodec = audio
        muxer = TSMuxer(video: hasVideo ? .h264 : nil, audio: audio)
    }

    /// Adds one frame (`header` then `body`: an ADTS header and the raw AAC, or an MP3 frame).
    private func bufferAudio(header: [UInt8], body: UnsafeRawBufferPointer, timestamp: Int64, to out: inout [UInt8]) {
        if audioBuffer.isEmpty { audioBufferPTS = timestamp }
        audioBuffer.append(contentsOf: header)
        audioBuffer.append(contentsOf: body)
        if audioBuffer.count >= Self.audioPESMaxBytes || timestamp - audioBufferPTS >= Self.audioPESMaxMs {
            flushAudio(to: &out)
        }
    }

    /// The audio gathered so far as one PES (at a segment's end, or a stream's).
    public func flushAudio() -> [UInt8] {
        var out: [UInt8] = []
        flushAudio(to: &out)
        return out
    }

    /// As `flushAudio()`, appending the packets to `out`.
    public func flushAudio(to out: inout [UInt8]) {
        guard !audioBuffer.isEmpty else { return }
        muxer?.writeAudio(audioBuffer, pts: audioBufferPTS &* 90, to: &out)
        audioBuffer.removeAll(keepingCapacity: true)
    }

    /// PAT and PMT (at the start of the stream and of each HLS segment).
    public func tables() -> [UInt8] { muxer?.tables() ?? [] }

    /// The TS packets for one message (nothing for headers, data and unsupported codecs).
    public func convert(_ message: SharedMessage, timestamp: Int64) -> [UInt8] {
        var out: [UInt8] = []
        convert(message, timestamp: timestamp, to: &out)
        return out
    }

    /// As `convert(_:timestamp:)`, appending the packets to `out` (an HLS segment's bytes):
    /// the frame is copied once into its Annex B form and once into the packets.
    public func convert(_ message: SharedMessage, timestamp: Int64, to out: inout [UInt8]) {
        switch message.kind {
        case .video:
            guard CodecInfo.videoCodec(message.payload) == .avc else { return }
            if message.isSequenceHeader {
                avcConfig = try? AVCDecoderConfiguration.fromFLVVideoTag(message.payload)
                return
            }
            guard let config = avcConfig, let header = try? FLVVideoTagHeader(parsing: message.payload),
                header.avcPacketType == FLVVideoTagHeader.avcPacketTypeNALU,
                let units = try? AVCNALUnits.fromFLVVideoTag(message.payload, lengthSize: Int(config.nalUnitLengthSize))
            else { return }
            var nalUnits: [ArraySlice<UInt8>] = [[0x09, 0xF0]]  // access unit delimiter
            let isKeyframe = header.isKeyframe
            let hasParameterSets = units.contains { AVCNALUnits.nalType($0)?.rawValue == 7 }
            if isKeyframe && !hasParameterSets {
                nalUnits += config.sps.map { $0[...] } + config.pps.map { $0[...] }
            }
            nalUnits += units.filter { AVCNALUnits.nalType($0)?.rawValue != 9 }
            // 90 kHz clocks, taken modulo 2^33 by the muxer: wrapping arithmetic loses nothing.
            let dts = timestamp &* 90
            let pts = (timestamp &+ Int64(header.compositionTime)) &* 90
            muxer?.writeVideo(AVCNALUnits.annexB(nalUnits: nalUnits), pts: pts, dts: dts, isKeyframe: isKeyframe, to: &out)
        case .audio:
            switch CodecInfo.audioCodec(message.payload) {
            case .aac:
                if message.isSequenceHeader {
                    aacConfig = try? AACAudioSpecificConfig.fromFLVAudioTag(message.payload)
                    return
                }
                guard let config = aacConfig, message.size > 2,
                    let header = try? config.adtsHeader(frameLength: message.size - 2)
                else { return }
                bufferAudio(header: header, body: UnsafeRawBufferPointer(rebasing: message.payload[2...]),
                            timestamp: timestamp, to: &out)
            case .mp3:
                guard message.size > 1 else { return }
                bufferAudio(header: [], body: UnsafeRawBufferPointer(rebasing: message.payload[1...]),
                            timestamp: timestamp, to: &out)
            default:
                return
            }
        case .data:
            return
        }
    }
}
