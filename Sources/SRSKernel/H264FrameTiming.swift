/// Timestamps for the access units of a raw H.264 stream (a .h264 file has none) at a
/// constant frame rate: decode times follow the file's order; presentation times follow the
/// picture order counts (ITU-T H.264 8.2.1.1, pic_order_cnt_type 0: the slices'
/// pic_order_cnt_lsb), so B-frames keep their composition times. Every PTS is shifted by the
/// stream's largest reordering, so that no DTS passes its PTS. Types 1 and 2 (no B-frames in
/// practice) present in decode order.
public enum H264FrameTiming {
    /// (dts, pts) in ms for `accessUnits` (each a list of NAL units, in decode order).
    public static func timestamps(_ accessUnits: [[ArraySlice<UInt8>]], frameDurationMs: Double) -> [(dts: Int64, pts: Int64)] {
        var sps: H264SPS?
        var order: [Int] = []  // presentation index of each access unit
        var gop: [(decode: Int, poc: Int)] = []
        var gopStart = 0
        var pocMsb = 0
        var previousLsb = 0

        func closeGOP() {
            let ranked = gop.sorted { $0.poc == $1.poc ? $0.decode < $1.decode : $0.poc < $1.poc }
            for (rank, entry) in ranked.enumerated() { order[entry.decode] = gopStart + rank }
            gopStart += gop.count
            gop.removeAll()
        }

        for (index, unit) in accessUnits.enumerated() {
            order.append(index)
            var poc = gop.count * 2
            for nal in unit {
                guard let header = nal.first else { continue }
                let type = header & 0x1F
                if type == 7 { sps = try? H264SPS(parsing: nal) }
                guard type == 1 || type == 5 else { continue }
                if type == 5 && !gop.isEmpty { closeGOP() }
                if type == 5 {
                    pocMsb = 0
                    previousLsb = 0
                }
                if let sps, case .type0(let log2MaxLsb) = sps.picOrderCount, let lsb = pictureOrderCountLsb(nal, sps: sps, idr: type == 5) {
                    // PicOrderCntMsb from the previous reference picture's MSB and LSB.
                    let maxLsb = 1 << log2MaxLsb
                    var msb = pocMsb
                    if lsb < previousLsb && previousLsb - lsb >= maxLsb / 2 {
                        msb += maxLsb
                    } else if lsb > previousLsb && lsb - previousLsb > maxLsb / 2 {
                        msb -= maxLsb
                    }
                    poc = msb + lsb
                    if header & 0x60 != 0 {  // only reference pictures carry the state on
                        pocMsb = msb
                        previousLsb = lsb
                    }
                }
                break
            }
            gop.append((index, poc))
        }
        closeGOP()
        let delay = zip(order.indices, order).map { $0 - $1 }.max() ?? 0
        return order.enumerated().map { decode, presentation in
            (Int64((Double(decode) * frameDurationMs).rounded()), Int64((Double(presentation + max(0, delay)) * frameDurationMs).rounded()))
        }
    }

    /// pic_order_cnt_lsb of a slice (7.3.3), or nil when the header cannot be read.
    static func pictureOrderCountLsb(_ nal: ArraySlice<UInt8>, sps: H264SPS, idr: Bool) -> Int? {
        guard case .type0(let log2MaxLsb) = sps.picOrderCount else { return nil }
        var reader = BitReader(AVCNALUnits.rbsp(fromNAL: nal.prefix(64)).dropFirst())
        do {
            _ = try reader.readUE()  // first_mb_in_slice
            _ = try reader.readUE()  // slice_type
            _ = try reader.readUE()  // pic_parameter_set_id
            if sps.separateColourPlane { _ = try reader.readBits(2) }
            _ = try reader.readBits(sps.log2MaxFrameNum)
            if !sps.frameMbsOnly, try reader.readBit() { _ = try reader.readBit() }
            if idr { _ = try reader.readUE() }
            return Int(try reader.readBits(log2MaxLsb))
        } catch {
            return nil
        }
    }
}
