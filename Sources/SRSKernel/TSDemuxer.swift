/// Demuxes an MPEG-TS byte stream (ISO/IEC 13818-1) into FLV-style messages: H.264 (Annex B
/// to AVCC, with an AVC sequence header built from its SPS/PPS whenever they change), AAC
/// (ADTS to raw frames, with an AudioSpecificConfig sequence header) and MP3. What stream
/// casters (MPEG-TS over UDP, HLS ingest) publish.
///
/// Packets come in any slicing (datagrams, segment files); garbage is skipped up to the next
/// sync byte. PAT and PMT pick the first program's H.264 and audio streams. A PES whose
/// packets skip a continuity counter is dropped (the frame would be corrupt); every PES is
/// bounded by `maxPESBytes`. Timestamps: 90 kHz PTS/DTS, 33-bit wrap followed, to ms from
/// the first one seen.
public struct TSDemuxer: Sendable {
    /// One message for the live source.
    public typealias Message = DemuxedMessage

    public static let packetSize = 188
    /// A PES larger than this is dropped (a keyframe of a 50 Mbps stream fits).
    public static let maxPESBytes = 8 << 20

    private enum AudioCodec { case aac, mp3 }

    private struct PES {
        var bytes: [UInt8] = []
        var continuity: UInt8?
        var broken = false
    }

    private var pending: [UInt8] = []
    private var pmtPID: UInt16?
    private var videoPID: UInt16?
    private var audioPID: UInt16?
    private var audioCodec: AudioCodec?
    private var pes: [UInt16: PES] = [:]
    private var avc = AVCFLVPacker()
    private var adts = ADTSFLVPacker()
    /// 90 kHz time of the first timestamp seen, and the last one (for the 33-bit wrap).
    private var base: Int64?
    private var last: Int64 = 0
    private var wraps: Int64 = 0
    /// Packets dropped: a continuity gap, an oversized PES, a malformed PES header.
    public private(set) var droppedFrames = 0

    public init() {}

    /// Takes one UDP datagram, which holds whole packets: one that does not (its length is
    /// not a multiple of 188, or a packet lacks its sync byte) is dropped whole, so a stray
    /// datagram never shifts the packets of the next ones.
    public mutating func feed(datagram: some Collection<UInt8>) -> [Message] {
        let bytes = Array(datagram)
        guard !bytes.isEmpty, bytes.count % Self.packetSize == 0,
              stride(from: 0, to: bytes.count, by: Self.packetSize).allSatisfy({ bytes[$0] == 0x47 }) else {
            droppedDatagrams += 1
            return []
        }
        var out: [Message] = []
        for offset in stride(from: 0, to: bytes.count, by: Self.packetSize) {
            packet(bytes[offset..<offset + Self.packetSize], into: &out)
        }
        return out
    }

    /// Datagrams dropped by `feed(datagram:)`.
    public private(set) var droppedDatagrams = 0

    /// Takes the next bytes of a byte stream (a file, an HTTP body), sliced anyhow; returns
    /// the messages they complete, in order. After garbage, a packet boundary is taken where
    /// two sync bytes 188 apart (or one at the very end) say so.
    public mutating func feed(_ bytes: some Collection<UInt8>) -> [Message] {
        pending += bytes
        var out: [Message] = []
        var offset = 0
        while pending.count - offset >= Self.packetSize {
            let next = offset + Self.packetSize
            guard pending[offset] == 0x47, next >= pending.count || pending[next] == 0x47 else {
                offset += 1  // resync at the next sync byte
                continue
            }
            packet(pending[offset..<offset + Self.packetSize], into: &out)
            offset += Self.packetSize
        }
        pending.removeFirst(offset)
        if pending.count > Self.packetSize * 2 { pending.removeAll() }
        return out
    }

    /// The messages of the PES still being gathered (the stream ended).
    public mutating func flush() -> [Message] {
        var out: [Message] = []
        for pid in [videoPID, audioPID].compactMap({ $0 }) {
            if let gathered = pes.removeValue(forKey: pid), !gathered.broken { finish(pid: pid, gathered.bytes, into: &out) }
        }
        return out
    }

    // MARK: Packets

    private mutating func packet(_ packet: ArraySlice<UInt8>, into out: inout [Message]) {
        let p = packet.startIndex
        let unitStart = packet[p + 1] & 0x40 != 0
        let pid = UInt16(packet[p + 1] & 0x1F) << 8 | UInt16(packet[p + 2])
        let adaptation = (packet[p + 3] >> 4) & 0x3
        let continuity = packet[p + 3] & 0x0F
        var start = p + 4
        var discontinuity = false
        if adaptation & 0x2 != 0 {
            let length = Int(packet[start])
            if length > 0 && start + 1 < packet.endIndex { discontinuity = packet[start + 1] & 0x80 != 0 }
            start += 1 + length
        }
        guard adaptation & 0x1 != 0, start < packet.endIndex else { return }
        let payload = packet[start...]
        if pid == 0 {
            if unitStart { parsePAT(payload) }
        } else if pid == pmtPID {
            if unitStart { parsePMT(payload) }
        } else if pid == videoPID || pid == audioPID {
            gather(pid: pid, payload, unitStart: unitStart, continuity: continuity, discontinuity: discontinuity, into: &out)
        }
    }

    /// The section of a PSI payload (after its pointer field), without the CRC.
    private func section(_ payload: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        guard let pointer = payload.first else { return nil }
        let start = payload.startIndex + 1 + Int(pointer)
        guard start + 3 <= payload.endIndex else { return nil }
        let length = Int(payload[start + 1] & 0x0F) << 8 | Int(payload[start + 2])
        let end = start + 3 + length
        guard length >= 9, end <= payload.endIndex else { return nil }
        return payload[start..<(end - 4)]
    }

    private mutating func parsePAT(_ payload: ArraySlice<UInt8>) {
        guard let table = section(payload), table[table.startIndex] == 0x00 else { return }
        var index = table.startIndex + 8
        while index + 4 <= table.endIndex {
            let program = UInt16(table[index]) << 8 | UInt16(table[index + 1])
            let pid = UInt16(table[index + 2] & 0x1F) << 8 | UInt16(table[index + 3])
            if program != 0 {
                pmtPID = pid
                return
            }
            index += 4
        }
    }

    private mutating func parsePMT(_ payload: ArraySlice<UInt8>) {
        guard let table = section(payload), table[table.startIndex] == 0x02 else { return }
        let s = table.startIndex
        guard s + 12 <= table.endIndex else { return }
        let infoLength = Int(table[s + 10] & 0x0F) << 8 | Int(table[s + 11])
        var index = s + 12 + infoLength
        while index + 5 <= table.endIndex {
            let type = table[index]
            let pid = UInt16(table[index + 1] & 0x1F) << 8 | UInt16(table[index + 2])
            let esInfo = Int(table[index + 3] & 0x0F) << 8 | Int(table[index + 4])
            switch type {
            case 0x1B where videoPID == nil: videoPID = pid
            case 0x0F where audioPID == nil:
                audioPID = pid
                audioCodec = .aac
            case 0x03, 0x04:
                if audioPID == nil {
                    audioPID = pid
                    audioCodec = .mp3
                }
            default: break
            }
            index += 5 + esInfo
        }
    }

    private mutating func gather(pid: UInt16, _ payload: ArraySlice<UInt8>, unitStart: Bool, continuity: UInt8, discontinuity: Bool,
                                 into out: inout [Message]) {
        if unitStart {
            if let previous = pes.removeValue(forKey: pid) {
                if previous.broken { droppedFrames += 1 } else { finish(pid: pid, previous.bytes, into: &out) }
            }
            pes[pid] = PES(bytes: Array(payload), continuity: continuity)
            return
        }
        guard var current = pes[pid] else { return }  // joined mid-PES: wait for the next start
        if let previous = current.continuity, !discontinuity, continuity != (previous + 1) & 0x0F {
            if continuity == previous { return }  // a duplicate packet
            current.broken = true
        }
        current.continuity = continuity
        if !current.broken {
            if current.bytes.count + payload.count > Self.maxPESBytes {
                current.broken = true
                current.bytes = []
            } else {
                current.bytes += payload
            }
        }
        pes[pid] = current
    }

    // MARK: PES

    private mutating func finish(pid: UInt16, _ bytes: [UInt8], into out: inout [Message]) {
        // PES header: 00 00 01, stream id, length, flags, header length, PTS/DTS.
        guard bytes.count >= 9, bytes[0] == 0, bytes[1] == 0, bytes[2] == 1 else {
            droppedFrames += 1
            return
        }
        let flags = bytes[7] >> 6
        let headerLength = Int(bytes[8])
        guard 9 + headerLength <= bytes.count, flags & 0x2 != 0, headerLength >= 5 else {
            droppedFrames += 1
            return
        }
        let pts = Self.timestamp(bytes[9..<14])
        let dts = flags == 0x3 && headerLength >= 10 ? Self.timestamp(bytes[14..<19]) : pts
        let data = bytes[(9 + headerLength)...]
        let dtsMs = milliseconds(dts)
        let ctsMs = Int32(clamping: (pts - dts) / 90)
        if pid == videoPID {
            video(data, timestamp: dtsMs, compositionTime: ctsMs, into: &out)
        } else if audioCodec == .aac {
            aac(data, timestamp: dtsMs, into: &out)
        } else {
            mp3(data, timestamp: dtsMs, into: &out)
        }
    }

    private static func timestamp(_ bytes: ArraySlice<UInt8>) -> Int64 {
        let b = Array(bytes)
        return Int64(b[0] >> 1 & 0x07) << 30 | Int64(b[1]) << 22 | Int64(b[2] >> 1) << 15 | Int64(b[3]) << 7 | Int64(b[4] >> 1)
    }

    /// 90 kHz to ms from the first timestamp, following the 33-bit wrap.
    private mutating func milliseconds(_ raw: Int64) -> Int64 {
        let period: Int64 = 1 << 33
        var value = raw + wraps * period
        if value < last - period / 2 {
            wraps += 1
            value += period
        } else if value > last + period / 2 && base != nil {
            value -= period  // a late timestamp from before the wrap
        }
        last = max(last, value)
        if base == nil { base = value }
        return (value - base!) / 90
    }

    private mutating func video(_ data: ArraySlice<UInt8>, timestamp: Int64, compositionTime: Int32, into out: inout [Message]) {
        out += avc.pack(units: AVCNALUnits.annexBUnits(data), timestamp: timestamp, compositionTime: compositionTime)
    }

    private mutating func aac(_ data: ArraySlice<UInt8>, timestamp: Int64, into out: inout [Message]) {
        out += adts.pack(data, timestamp: timestamp).messages
    }

    private mutating func mp3(_ data: ArraySlice<UInt8>, timestamp: Int64, into out: inout [Message]) {
        guard let header = try? MP3FrameHeader(parsing: data) else { return }
        // FLV's sound header: MP3 (2), rate code, 16-bit, channels.
        let rateCode: UInt8 = header.sampleRate >= 44100 ? 3 : header.sampleRate >= 22050 ? 2 : header.sampleRate >= 11025 ? 1 : 0
        let flags: UInt8 = 0x20 | rateCode << 2 | 0x02 | (header.channels == 2 ? 1 : 0)
        out.append(Message(kind: .audio, timestamp: timestamp, body: [flags] + data, isSequenceHeader: false))
    }
}
