import SRSKernel

/// Reads a stream's codec details from its sequence headers into its statistics: H.264
/// profile, level and size from the SPS; AAC object type, rate and channels from the
/// AudioSpecificConfig. MP3 (which has no sequence header) is read from its first frame.
enum CodecSummary {
    static func update(_ statistics: StreamStatistics, from message: SharedMessage) {
        switch message.kind {
        case .video:
            var video = StreamCodecs.Video()
            video.codec = CodecInfo.videoCodec(message.payload) == .hevc ? "H265" : "H264"
            if let record = try? AVCDecoderConfiguration.fromFLVVideoTag(message.payload),
                let sps = try? record.parsedSPS()
            {
                video.profile = sps.profileName
                video.level = sps.levelName
                video.width = sps.width
                video.height = sps.height
            }
            statistics.updateCodecs { $0.video = video }
        case .audio:
            var audio = StreamCodecs.Audio()
            if let config = try? AACAudioSpecificConfig.fromFLVAudioTag(message.payload) {
                audio.codec = "AAC"
                audio.profile = config.profileName
                audio.sampleRate = config.outputSampleRate
                audio.channels = config.channelCount ?? Int(config.channelConfiguration)
            }
            statistics.updateCodecs { $0.audio = audio }
        case .data:
            break
        }
    }

    /// For codecs without a sequence header (MP3): fills the audio facts from a frame. True
    /// when the frame told them (the caller then stops asking).
    static func updateFromFrame(_ statistics: StreamStatistics, message: SharedMessage) -> Bool {
        guard message.kind == .audio, CodecInfo.audioCodec(message.payload) == .mp3,
            let header = try? MP3FrameHeader.fromFLVAudioTag(message.payload)
        else { return false }
        var audio = StreamCodecs.Audio()
        audio.codec = "MP3"
        audio.sampleRate = header.sampleRate
        audio.channels = header.channels
        audio.profile = ""
        statistics.updateCodecs { $0.audio = audio }
        return true
    }
}
