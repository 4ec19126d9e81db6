/// Facts read from the first bytes of FLV audio/video tag bodies.
public enum CodecInfo {
    /// FLV video codec ids.
    public enum VideoCodec: UInt8, Sendable { case sorenson = 2, screen = 3, vp6 = 4, vp6Alpha = 5, screen2 = 6, avc = 7, hevc = 12 }
    /// FLV sound formats.
    public enum AudioCodec: UInt8, Sendable {
        case linearPCM = 0, adpcm = 1, mp3 = 2, linearPCMLE = 3, nellymoser16k = 4, nellymoser8k = 5, nellymoser = 6
        case g711a = 7, g711mu = 8, aac = 10, speex = 11, mp3_8k = 14, deviceSpecific = 15
    }

    public static func videoCodec(_ payload: UnsafeRawBufferPointer) -> VideoCodec? {
        guard let first = payload.first else { return nil }
        return VideoCodec(rawValue: first & 0x0F)
    }

    public static func audioCodec(_ payload: UnsafeRawBufferPointer) -> AudioCodec? {
        guard let first = payload.first else { return nil }
        return AudioCodec(rawValue: first >> 4)
    }

    /// Frame type 1 (keyframe) in the FLV video tag header; sequence headers are keyframes too.
    public static func isVideoKeyframe(_ payload: UnsafeRawBufferPointer) -> Bool {
        guard let first = payload.first else { return false }
        return first >> 4 == 1
    }

    /// An AVC/HEVC end-of-sequence tag (AVCPacketType 2), which ffmpeg writes at the end of a
    /// stream with frame type 1: no picture, so no place for a player to start.
    public static func isVideoEndOfSequence(_ payload: UnsafeRawBufferPointer) -> Bool {
        guard payload.count >= 2 else { return false }
        let codec = payload[0] & 0x0F
        return (codec == VideoCodec.avc.rawValue || codec == VideoCodec.hevc.rawValue) && payload[1] == 2
    }

    /// An AVC/HEVC decoder configuration record (AVCPacketType 0).
    public static func isVideoSequenceHeader(_ payload: UnsafeRawBufferPointer) -> Bool {
        guard payload.count >= 2 else { return false }
        let codec = payload[0] & 0x0F
        return (codec == VideoCodec.avc.rawValue || codec == VideoCodec.hevc.rawValue) && payload[0] >> 4 == 1
            && payload[1] == 0
    }

    /// An AAC AudioSpecificConfig (AACPacketType 0).
    public static func isAudioSequenceHeader(_ payload: UnsafeRawBufferPointer) -> Bool {
        guard payload.count >= 2 else { return false }
        return payload[0] >> 4 == AudioCodec.aac.rawValue && payload[1] == 0
    }
}
