import Foundation

/// The wall-clock send time a `latency` run carries inside each H.264 frame: an SEI NAL unit
/// (user_data_unregistered, payload type 5) with a fixed UUID and the time in microseconds
/// since the Unix epoch as 16 hex digits, placed before the frame's own NAL units. The frame
/// stays valid H.264 (hex digits never form a start-code or emulation-prevention pattern), so
/// any player or an HLS muxer takes it unchanged.
enum LatencyStamp {
    /// "srs-bench-latncy" in ASCII.
    static let uuid: [UInt8] = Array("srs-bench-latncy".utf8)
    /// NAL header byte (forbidden 0, nal_ref_idc 0, type 6 SEI), payload type 5, payload size 32.
    private static let prefix: [UInt8] = [0x06, 0x05, 32] + uuid
    /// 4-byte AVCC length + prefix + 16 digits + rbsp trailing bits.
    static let naluSize = 4 + prefix.count + 16 + 1

    /// Microseconds since the Unix epoch.
    static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1_000_000 + Int64(time.tv_nsec) / 1000
    }

    /// `payload` (an FLV video tag body) with the stamp inserted when it is an AVC coded frame
    /// (AVCPacketType 1, 4-byte NAL lengths); anything else is returned unchanged.
    static func stamped(_ payload: [UInt8], at micros: Int64) -> [UInt8] {
        guard payload.count > 5, payload[0] & 0x0F == 7, payload[1] == 1 else { return payload }
        let body = prefix.count + 16 + 1
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + naluSize)
        out += payload[0..<5]
        out += [UInt8(body >> 24 & 0xFF), UInt8(body >> 16 & 0xFF), UInt8(body >> 8 & 0xFF), UInt8(body & 0xFF)]
        out += prefix
        out += Array(String(format: "%016llx", UInt64(bitPattern: micros)).utf8)
        out.append(0x80)
        out += payload[5...]
        return out
    }

    /// The stamp of a video tag body made by `stamped`, if it has one.
    static func read(_ payload: UnsafeRawBufferPointer) -> Int64? {
        let start = 5 + 4
        guard payload.count >= 5 + naluSize, payload[1] == 1 else { return nil }
        for (index, byte) in prefix.enumerated() where payload[start + index] != byte { return nil }
        var value: UInt64 = 0
        for index in 0..<16 {
            let digit = payload[start + prefix.count + index]
            switch digit {
            case 0x30...0x39: value = value << 4 | UInt64(digit - 0x30)
            case 0x61...0x66: value = value << 4 | UInt64(digit - 0x61 + 10)
            default: return nil
            }
        }
        return Int64(bitPattern: value)
    }
}
