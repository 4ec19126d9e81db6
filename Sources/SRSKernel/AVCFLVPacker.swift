/// Packs H.264 access units (NAL units without start codes or length prefixes) into FLV video
/// tag bodies: AVCC frames (4-byte lengths) behind an AVC sequence header that is sent again
/// whenever the SPS or PPS changes. Parameter sets come in band or from outside (an SDP's
/// sprop-parameter-sets); delimiters and filler are dropped. Nothing is sent until both are
/// known, since no player could decode it.
public struct AVCFLVPacker: Sendable {
    private var sps: [UInt8]?
    private var pps: [UInt8]?
    private var announced: [UInt8]?

    public init() {}

    /// Sets the parameter sets known out of band; the next frame carries them.
    public mutating func setParameterSets(sps: [UInt8]?, pps: [UInt8]?) {
        if let sps, !sps.isEmpty { self.sps = sps }
        if let pps, !pps.isEmpty { self.pps = pps }
    }

    /// The messages for one access unit at `timestamp` (DTS, ms) with `compositionTime`
    /// (PTS - DTS, ms): a sequence header when the parameter sets changed, then the frame.
    public mutating func pack(units: [ArraySlice<UInt8>], timestamp: Int64, compositionTime: Int32) -> [DemuxedMessage] {
        var out: [DemuxedMessage] = []
        var avcc: [UInt8] = []
        var keyframe = false
        for unit in units {
            guard let header = unit.first else { continue }
            switch header & 0x1F {
            case 7:
                sps = Array(unit)
                continue
            case 8:
                pps = Array(unit)
                continue
            case 9, 10, 11, 12: continue  // delimiters and filler carry nothing for FLV
            case 5: keyframe = true
            default: break
            }
            let length = UInt32(unit.count)
            avcc += [UInt8(truncatingIfNeeded: length >> 24), UInt8(truncatingIfNeeded: length >> 16),
                     UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)]
            avcc += unit
        }
        if let sps, let pps, sps.count >= 4 {
            let record = AVCDecoderConfiguration(profileIndication: sps[1], profileCompatibility: sps[2], levelIndication: sps[3],
                                                 sps: [sps], pps: [pps]).serialize()
            if record != announced {
                announced = record
                out.append(DemuxedMessage(kind: .video, timestamp: timestamp, body: [0x17, 0x00, 0, 0, 0] + record, isSequenceHeader: true))
            }
        }
        guard !avcc.isEmpty, announced != nil else { return out }
        let cts = UInt32(bitPattern: compositionTime) & 0xFF_FFFF
        let header: [UInt8] = [keyframe ? 0x17 : 0x27, 0x01, UInt8(truncatingIfNeeded: cts >> 16), UInt8(truncatingIfNeeded: cts >> 8),
                               UInt8(truncatingIfNeeded: cts)]
        out.append(DemuxedMessage(kind: .video, timestamp: timestamp, body: header + avcc, isSequenceHeader: false))
        return out
    }
}
