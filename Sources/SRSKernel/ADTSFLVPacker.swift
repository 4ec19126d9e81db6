/// The fields of one ADTS frame header (ISO/IEC 14496-3, 1.A.2) that framing needs.
public struct ADTSHeader: Sendable, Equatable {
    /// The whole frame, header included.
    public var frameLength: Int
    public var headerSize: Int
    public var profile: Int
    public var sampleRate: Int
    public var channels: UInt8

    /// The header at `index` of `data`, when a whole frame with a known sample rate starts
    /// there.
    public init?(_ data: ArraySlice<UInt8>, at index: Int) {
        guard index >= data.startIndex, index + 7 <= data.endIndex, data[index] == 0xFF, data[index + 1] & 0xF0 == 0xF0 else { return nil }
        headerSize = data[index + 1] & 0x01 == 1 ? 7 : 9
        profile = Int(data[index + 2] >> 6)
        let rateIndex = Int(data[index + 2] >> 2 & 0x0F)
        channels = UInt8((data[index + 2] & 0x01) << 2 | data[index + 3] >> 6)
        frameLength = Int(data[index + 3] & 0x03) << 11 | Int(data[index + 4]) << 3 | Int(data[index + 5] >> 5)
        guard frameLength >= headerSize, index + frameLength <= data.endIndex, rateIndex < AACAudioSpecificConfig.sampleRates.count else { return nil }
        sampleRate = AACAudioSpecificConfig.sampleRates[rateIndex]
    }
}

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
        while let header = ADTSHeader(data, at: index) {
            let rate = header.sampleRate
            let length = header.frameLength
            sampleRate = rate
            if let config = try? AACAudioSpecificConfig(audioObjectType: header.profile + 1, sampleRate: rate, channelConfiguration: header.channels) {
                let bytes = config.serialize()
                if bytes != announced {
                    announced = bytes
                    out.append(DemuxedMessage(kind: .audio, timestamp: timestamp, body: [0xAF, 0x00] + bytes, isSequenceHeader: true))
                }
            }
            let at = timestamp + Int64(frame) * 1024 * 1000 / Int64(rate)
            if announced != nil {
                out.append(DemuxedMessage(kind: .audio, timestamp: at, body: [0xAF, 0x01] + data[(index + header.headerSize)..<(index + length)],
                                          isSequenceHeader: false))
            }
            index += length
            frame += 1
        }
        return (out, index - data.startIndex)
    }
}
