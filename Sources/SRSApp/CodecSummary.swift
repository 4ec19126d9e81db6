import SRSKernel

/// Reads a stream's codec details from its sequence headers into its statistics.
enum CodecSummary {
    static func update(_ statistics: StreamStatistics, from message: SharedMessage) {
        switch message.kind {
        case .video:
            var video = StreamCodecs.Video()
            video.codec = CodecInfo.videoCodec(message.payload) == .hevc ? "H265" : "H264"
            statistics.updateCodecs { $0.video = video }
        case .audio:
            var audio = StreamCodecs.Audio()
            audio.codec = CodecInfo.audioCodec(message.payload) == .mp3 ? "MP3" : "AAC"
            statistics.updateCodecs { $0.audio = audio }
        case .data:
            break
        }
    }
}
