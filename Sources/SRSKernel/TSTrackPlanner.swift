/// Decides the elementary streams of a TS output (its PMT, fixed once written) from what the
/// publisher announced: sequence headers, and onMetaData's codec ids (MP3 has no sequence
/// header, so with video first its track is only known from metadata until its first
/// frame). While an announced track's codec is unknown the output waits, at most
/// `waitLimitMs` of media; a track that has not come by then is left out.
public struct TSTrackPlanner: Sendable {
    /// The tracks of the output.
    public struct Plan: Sendable, Equatable {
        public var hasVideo: Bool
        public var audio: TSStreamType?

        public init(hasVideo: Bool, audio: TSStreamType?) {
            self.hasVideo = hasVideo
            self.audio = audio
        }
    }

    private let waitLimitMs: Int64
    private var waitingSince: Int64?

    public init(waitLimitMs: Int64) { self.waitLimitMs = waitLimitMs }

    /// The plan once `message` (a media message, not a sequence header) is to be written, or
    /// nil to hold it and wait. `hasVideoHeader`/`hasAudioHeader`: the stream's cached H.264
    /// and AAC sequence headers; `metadata`: what its onMetaData announced.
    public mutating func plan(for message: SharedMessage, hasVideoHeader: Bool, hasAudioHeader: Bool, metadata: StreamMetadata?) -> Plan? {
        var audio: TSStreamType?
        if hasAudioHeader {
            audio = .aac
        } else if message.kind == .audio {
            switch CodecInfo.audioCodec(message.payload) {
            case .mp3, .mp3_8k: audio = .mp3
            case .aac: audio = .aac
            default: audio = nil
            }
        }
        let audioPending = audio == nil && metadata?.hasAudio == true
        let videoPending = !hasVideoHeader && metadata?.hasVideo == true
        if audioPending || videoPending {
            let since = waitingSince ?? message.timestamp
            waitingSince = since
            if message.timestamp - since < waitLimitMs { return nil }
        }
        // Without metadata, a stream with neither header is taken as audio-only AAC (SRS 2.0).
        if audio == nil && !hasVideoHeader && metadata == nil { audio = .aac }
        return Plan(hasVideo: hasVideoHeader, audio: audio)
    }
}
