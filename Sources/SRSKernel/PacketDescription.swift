/// One line describing an RTMP/FLV packet for people (SRS librtmp's
/// `srs_human_format_rtmp_packet`): kind, time, size and what its first bytes say.
public enum PacketDescription {
    /// `type`: 8 audio, 9 video, 18 script data; `timestamp` in ms.
    public static func describe(type: UInt8, timestamp: Int64, payload: some Collection<UInt8>) -> String {
        let bytes = Array(payload.prefix(16))
        switch type {
        case 9:
            guard let first = bytes.first else { return "Video packet id=\(type) dts=\(timestamp) size=0" }
            let frame = ["", "keyframe", "inter", "disposable inter", "generated keyframe", "info"][min(Int(first >> 4), 5)]
            let codec = first & 0x0F == 7 ? "H.264" : first & 0x0F == 12 ? "HEVC" : "codec \(first & 0x0F)"
            var line = "Video packet dts=\(timestamp)"
            if first & 0x0F == 7, bytes.count >= 5 {
                let cts = Int32(bitPattern: UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 8 | UInt32(bytes[4]) | (bytes[2] & 0x80 != 0 ? 0xFF00_0000 : 0))
                line += " pts=\(timestamp + Int64(cts))"
                line += " size=\(payload.count) \(codec) \(frame) (\(["sequence header", "nalu", "end of sequence"][min(Int(bytes[1]), 2)]))"
            } else {
                line += " size=\(payload.count) \(codec) \(frame)"
            }
            return line
        case 8:
            guard let first = bytes.first else { return "Audio packet dts=\(timestamp) size=0" }
            let format = first >> 4
            let name = format == 10 ? "AAC" : format == 2 ? "MP3" : "sound format \(format)"
            let rate = ["5.5kHz", "11kHz", "22kHz", "44kHz"][Int(first >> 2 & 0x03)]
            let channels = first & 0x01 == 1 ? "stereo" : "mono"
            var line = "Audio packet dts=\(timestamp) size=\(payload.count) \(name) \(rate) \(first & 0x02 != 0 ? 16 : 8)bit \(channels)"
            if format == 10, bytes.count >= 2 { line += bytes[1] == 0 ? " (sequence header)" : " (raw)" }
            return line
        case 18, 15:
            var line = "Data packet dts=\(timestamp) size=\(payload.count)"
            if let values = try? AMF0Decoder.decodeAll(Array(payload)), let name = values.first?.stringValue {
                line += " \(name)"
                for value in values.dropFirst() {
                    switch value {
                    case .object(let list), .ecmaArray(let list):
                        line += " " + list.prefix(12).map { "\($0.key)=\(short($0.value))" }.joined(separator: ", ")
                    default:
                        continue
                    }
                    break
                }
            }
            return line
        default:
            return "Packet type=\(type) dts=\(timestamp) size=\(payload.count)"
        }
    }

    private static func short(_ value: AMF0Value) -> String {
        switch value {
        case .number(let number): return number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .boolean(let flag): return String(flag)
        case .string(let text): return text.count > 40 ? String(text.prefix(40)) + "…" : text
        default: return "…"
        }
    }
}
