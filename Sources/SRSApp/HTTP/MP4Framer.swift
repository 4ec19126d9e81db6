import SRSIO
import SRSKernel

/// HTTP `.mp4` live framing: fragmented MP4 that a browser's `<video>` plays with no player
/// library. The initialization part (`ftyp`, `moov`) waits for every track the publisher
/// announced (sequence headers, onMetaData), then a `moof` + `mdat` at each keyframe and at
/// least every `AppTuning.liveMP4MaxFragmentMs`, from the player's first keyframe on. Timestamps are
/// corrected as for FLV (`time_jitter`).
final class MP4Framer: MediaFramer {
    private let source: LiveSource
    private var muxer: FragmentedMP4Muxer?

    init(source: LiveSource) { self.source = source }

    func pieces(for batch: [SharedMessage], jitter: inout TimestampJitter) -> [OutboundPiece] {
        if muxer == nil {
            let headers = source.ring.headers
            let names = headers.metadata.flatMap { StreamMetadata(payload: $0.payload) }
            muxer = FragmentedMP4Muxer(expectsVideo: headers.videoSequenceHeader != nil || names?.hasVideo == true,
                                       expectsAudio: headers.audioSequenceHeader != nil || names?.hasAudio == true,
                                       waitForTracksMs: AppTuning.announcedTrackWaitMs, maxFragmentMs: AppTuning.liveMP4MaxFragmentMs)
        }
        var bytes: [UInt8] = []
        for message in batch where message.kind != .data {
            let timestamp = jitter.correct(message.timestamp, kind: message.kind)
            bytes += muxer!.append(kind: message.kind, timestamp: timestamp, payload: message.payload)
        }
        guard !bytes.isEmpty else { return [] }
        return [ByteStore(bytes).piece]
    }
}
