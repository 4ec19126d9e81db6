/// Packs AAC in ADTS frames (a raw .aac file, an MPEG-TS audio PES) into FLV audio tag bodies:
/// an AudioSpecificConfig sequence header built from the first ADTS header (sent again when
/// the stream's profile, rate or channels change), then one raw frame per tag. Each frame
/// lasts 1024 samples: the frames of one call get consecutive times from `timestamp`.
public struct ADTSFLVPacker: Sendable {
    private var announced: [UInt8]?
    /// The sample rate of the last frame (Hz), 0 before the first.
    public private(set) var sampleRate = 0

    public init() {}

    /// The messages for the ADTS frames in `data` starting at `timestamp` (ms); stops at the
    /// first bytes that are not a whole ADTS frame. `consumed` tells how far it read.
    public mutating func pack(_ data: ArraySlice<UInt8>, timestamp: Int64) -> (messages: [DemuxedMessage], consumed: Int) {
        var out: [DemuxedMessage] = []
        var index = data.startIndex
        var frame = 0
        while index + 7 <= data.endIndex {
            guard data[index] == 0xFF, data[index + 1] & 0xF0 == 0xF0 else { break }
            let protectionAbsent = data[index + 1] & 0x01 == 1
            let profile = Int(data[index + 2] >> 6)
            let rateIndex = Int(data[index + 2] >> 2 & 0x0F)
            let channels = UInt8((data[index + 2] & 0x01) << 2 | data[index + 3] >> 6)
            let length = Int(data[index + 3] & 0x03) << 11 | Int(data[index + 4]) << 3 | Int(data[index + 5] >> 5)
            let headerSize = protectionAbsent ? 7 : 9
            guard length >= headerSize, index + length <= data.endIndex, rateIndex < AACAudioSpecificConfig.sampleRates.count else { break }
            let rate = AACAudioSpecificConfig.sampleRates[rateIndex]
            sampleRate = rate
            if let config = try? AACAudioSpecificConfig(audioObjectType: profile + 1, sampleRate: rate, channelConfiguration: channels) {
                let bytes = config.serialize()
                if bytes != announced {
                    announced = bytes
                    out.append(DemuxedMessage(kind: .audio, timestamp: timestamp, body: [0xAF, 0x00] + bytes, isSequenceHeader: true))
                }
            }
            let at = timestamp + Int64(frame) * 1024 * 1000 / Int64(rate)
            if announced != nil {
                out.append(DemuxedMessage(kind: .audio, timestamp: at, body: [0xAF, 0x01] + data[(index + headerSize)..<(index + length)],
                                          isSequenceHeader: false))
            }
            index += length
            frame += 1
        }
        return (out, index - data.startIndex)
    }
}
