/// What a publisher's onMetaData says about its tracks: ffmpeg, OBS and Flash name each
/// track's codec (`audiocodecid`, `videocodecid`). Read to know which tracks to wait for
/// (MP3 has no sequence header that would announce it).
public struct StreamMetadata: Sendable, Equatable {
    public var hasAudio: Bool
    public var hasVideo: Bool
    /// `bravo_atc` is the string "true": the encoder sends absolute time codes (SRS's
    /// `atc_auto` then keeps them).
    public var requestsAbsoluteTime: Bool

    /// Reads the payload of an onMetaData data message (`["onMetaData", object]`, with or
    /// without `@setDataFrame` first); nil when it holds no object.
    public init?(payload: some Collection<UInt8>) {
        guard let values = try? AMF0Decoder.decodeAll(Array(payload)) else { return nil }
        for value in values {
            switch value {
            case .object(let properties), .ecmaArray(let properties):
                let names = Set(properties.map(\.key))
                hasAudio = names.contains("audiocodecid")
                hasVideo = names.contains("videocodecid")
                requestsAbsoluteTime = properties.contains { $0.key == "bravo_atc" && $0.value == .string("true") }
                return
            default:
                continue
            }
        }
        return nil
    }
}
