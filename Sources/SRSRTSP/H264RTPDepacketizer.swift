/// Reassembles H.264 access units from RTP (RFC 6184, packetization modes 0 and 1): single
/// NAL unit packets, STAP-A aggregates and FU-A fragments. An access unit ends at the marker
/// bit or when the timestamp changes. A lost packet (a sequence gap) drops the access unit it
/// belonged to; late or repeated packets are dropped. Each access unit is bounded by
/// `maxAccessUnitBytes`, so no sender can make it grow without bound.
public struct H264RTPDepacketizer: Sendable {
    /// One access unit: its NAL units (no start codes) and RTP timestamp.
    public struct AccessUnit: Sendable, Equatable {
        public var units: [[UInt8]]
        public var timestamp: UInt32

        public init(units: [[UInt8]], timestamp: UInt32) {
            self.units = units
            self.timestamp = timestamp
        }
    }

    /// An access unit larger than this is dropped (a keyframe of a 50 Mbps stream fits).
    public static let maxAccessUnitBytes = 8 << 20

    private var units: [[UInt8]] = []
    private var bytes = 0
    private var timestamp: UInt32?
    private var damaged = false
    private var fragment: [UInt8]?
    private var lastSequence: UInt16?
    /// Access units dropped for a lost packet, an unknown packet type or their size.
    public private(set) var droppedUnits = 0

    public init() {}

    /// Takes the next packet; returns the access units it completes.
    public mutating func feed(_ packet: RTPPacket) -> [AccessUnit] {
        var out: [AccessUnit] = []
        if let last = lastSequence {
            let delta = Int(Int16(bitPattern: packet.sequenceNumber &- last))
            if delta <= 0 && delta > -RTPSequence.resyncDistance { return [] }  // late or repeated
            if delta != 1 {
                damaged = true  // lost packets, or a jump (a restarted sender): resync on this one
                fragment = nil
            }
        }
        lastSequence = packet.sequenceNumber
        if let timestamp, timestamp != packet.timestamp { finish(into: &out) }
        timestamp = packet.timestamp
        let payload = packet.payload
        guard let first = payload.first else { return out }
        switch first & 0x1F {
        case 1...23:
            append(Array(payload))
        case 24:  // STAP-A: 16-bit size, NAL unit, ...
            var index = payload.startIndex + 1
            while index + 2 <= payload.endIndex {
                let size = Int(payload[index]) << 8 | Int(payload[index + 1])
                index += 2
                guard size > 0, index + size <= payload.endIndex else {
                    damaged = true
                    break
                }
                append(Array(payload[index..<(index + size)]))
                index += size
            }
        case 28:  // FU-A: indicator, header (S, E, type), data
            guard payload.count >= 2 else {
                damaged = true
                break
            }
            let header = payload[payload.startIndex + 1]
            let data = payload[(payload.startIndex + 2)...]
            if header & 0x80 != 0 {
                fragment = [first & 0xE0 | header & 0x1F] + data
            } else if fragment != nil {
                fragment! += data
            } else {
                damaged = true  // the start was lost
            }
            if let current = fragment, current.count + bytes > Self.maxAccessUnitBytes {
                fragment = nil
                damaged = true
            }
            if header & 0x40 != 0, let complete = fragment {
                fragment = nil
                append(complete)
            }
        default:
            damaged = true  // STAP-B, MTAP, FU-B: interleaved mode, not supported
        }
        if packet.marker { finish(into: &out) }
        return out
    }

    private mutating func append(_ unit: [UInt8]) {
        guard !unit.isEmpty else { return }
        bytes += unit.count
        if bytes > Self.maxAccessUnitBytes {
            damaged = true
            units = []
            return
        }
        units.append(unit)
    }

    private mutating func finish(into out: inout [AccessUnit]) {
        if let timestamp, !units.isEmpty || damaged {
            if damaged || fragment != nil {
                droppedUnits += 1
            } else {
                out.append(AccessUnit(units: units, timestamp: timestamp))
            }
        }
        units = []
        bytes = 0
        damaged = false
        fragment = nil
        timestamp = nil
    }
}
