/// An RTP packet (RFC 3550 5.1): the fixed header, CSRCs and a header extension skipped,
/// padding removed.
public struct RTPPacket: Sendable, Equatable {
    public var marker: Bool
    public var payloadType: UInt8
    public var sequenceNumber: UInt16
    public var timestamp: UInt32
    public var ssrc: UInt32
    public var payload: ArraySlice<UInt8>

    public init(marker: Bool, payloadType: UInt8, sequenceNumber: UInt16, timestamp: UInt32, ssrc: UInt32, payload: ArraySlice<UInt8>) {
        self.marker = marker
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
        self.payload = payload
    }

    /// Parses one packet; nil when it is not RTP version 2 or its lengths do not fit.
    public init?(parsing bytes: [UInt8]) {
        guard bytes.count >= 12, bytes[0] >> 6 == 2 else { return nil }
        let csrcCount = Int(bytes[0] & 0x0F)
        var start = 12 + 4 * csrcCount
        if bytes[0] & 0x10 != 0 {  // header extension: 16-bit profile, 16-bit length in words
            guard bytes.count >= start + 4 else { return nil }
            start += 4 + 4 * (Int(bytes[start + 2]) << 8 | Int(bytes[start + 3]))
        }
        var end = bytes.count
        if bytes[0] & 0x20 != 0 {  // padding: its count is the last byte
            guard let padding = bytes.last, padding > 0 else { return nil }
            end -= Int(padding)
        }
        guard start <= end else { return nil }
        marker = bytes[1] & 0x80 != 0
        payloadType = bytes[1] & 0x7F
        sequenceNumber = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
        timestamp = UInt32(bytes[4]) << 24 | UInt32(bytes[5]) << 16 | UInt32(bytes[6]) << 8 | UInt32(bytes[7])
        ssrc = UInt32(bytes[8]) << 24 | UInt32(bytes[9]) << 16 | UInt32(bytes[10]) << 8 | UInt32(bytes[11])
        payload = bytes[start..<end]
    }

    /// The RTP header of a packet (tests and tools).
    public static func header(marker: Bool, payloadType: UInt8, sequenceNumber: UInt16, timestamp: UInt32, ssrc: UInt32) -> [UInt8] {
        [0x80, (marker ? 0x80 : 0) | payloadType & 0x7F, UInt8(sequenceNumber >> 8), UInt8(truncatingIfNeeded: sequenceNumber),
         UInt8(timestamp >> 24), UInt8(truncatingIfNeeded: timestamp >> 16), UInt8(truncatingIfNeeded: timestamp >> 8), UInt8(truncatingIfNeeded: timestamp),
         UInt8(ssrc >> 24), UInt8(truncatingIfNeeded: ssrc >> 16), UInt8(truncatingIfNeeded: ssrc >> 8), UInt8(truncatingIfNeeded: ssrc)]
    }
}

/// What the server takes from RTCP (RFC 3550 6.4.1): sender reports, which tie a source's RTP
/// clock to wall-clock (NTP) time, so audio and video start in sync. Everything else in a
/// compound packet is skipped.
public struct RTCPSenderReport: Sendable, Equatable {
    public var ssrc: UInt32
    /// NTP time in 1/65536 s (the middle 32 bits of the 64-bit NTP timestamp).
    public var ntpMiddle: UInt32
    public var rtpTimestamp: UInt32

    public init(ssrc: UInt32, ntpMiddle: UInt32, rtpTimestamp: UInt32) {
        self.ssrc = ssrc
        self.ntpMiddle = ntpMiddle
        self.rtpTimestamp = rtpTimestamp
    }

    /// The sender reports of a compound RTCP packet.
    public static func reports(in bytes: [UInt8]) -> [RTCPSenderReport] {
        var reports: [RTCPSenderReport] = []
        var offset = 0
        while bytes.count - offset >= 4, bytes[offset] >> 6 == 2 {
            let length = ((Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])) + 1) * 4
            guard bytes.count - offset >= length else { break }
            if bytes[offset + 1] == 200, length >= 28 {
                func word(_ at: Int) -> UInt32 {
                    UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
                }
                let ntpHigh = word(offset + 8)
                let ntpLow = word(offset + 12)
                reports.append(RTCPSenderReport(ssrc: word(offset + 4), ntpMiddle: ntpHigh << 16 | ntpLow >> 16, rtpTimestamp: word(offset + 16)))
            }
            offset += length
        }
        return reports
    }
}

/// RTP sequence numbers (RFC 3550 A.1, simplified): a packet up to `resyncDistance` behind
/// the last one is late or repeated and dropped; one further away either way is a jump (a
/// restarted sender) that the depacketizers follow at once, dropping only the frame it broke.
enum RTPSequence {
    static let resyncDistance = 3000
}
