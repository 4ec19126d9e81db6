/// Cuts PES packets and PSI sections into 188-byte MPEG transport-stream packets.
///
/// Packet header: sync_byte 0x47, transport_error_indicator 0, payload_unit_start_indicator, transport_priority 0,
/// PID(13), transport_scrambling_control '00', adaptation_field_control, continuity_counter(4).
/// Every packet written here carries a payload, so every packet advances its PID's continuity counter (mod 16).
public enum TSPacketWriter {
    /// The size of a transport packet.
    public static let packetSize = 188
    /// The first byte of every transport packet.
    public static let syncByte: UInt8 = 0x47
    /// Payload bytes in a packet without adaptation field.
    public static let maxPayloadSize = 184

    /// adaptation_field_control '01': payload only.
    static let payloadOnly: UInt8 = 0x10
    /// adaptation_field_control '11': adaptation field followed by payload.
    static let adaptationAndPayload: UInt8 = 0x30

    /// Appends the 4-byte packet header and advances `continuityCounter`.
    static func appendHeader(
        pid: UInt16, unitStart: Bool, hasAdaptation: Bool, continuityCounter: inout UInt8, to out: inout [UInt8]
    ) {
        out.append(syncByte)
        out.append((unitStart ? 0x40 : 0x00) | UInt8(truncatingIfNeeded: (pid >> 8) & 0x1F))
        out.append(UInt8(truncatingIfNeeded: pid))
        out.append((hasAdaptation ? adaptationAndPayload : payloadOnly) | (continuityCounter & 0x0F))
        continuityCounter = (continuityCounter &+ 1) & 0x0F
    }

    /// Appends one PSI section (PAT or PMT, CRC included) as a single packet: header with
    /// payload_unit_start_indicator, pointer_field 0, the section, then 0xFF up to 188 bytes.
    /// The section must fit in 183 bytes.
    static func appendSection(pid: UInt16, section: [UInt8], continuityCounter: inout UInt8, to out: inout [UInt8]) {
        precondition(section.count <= maxPayloadSize - 1, "PSI section longer than one TS packet")
        let start = out.count
        appendHeader(pid: pid, unitStart: true, hasAdaptation: false, continuityCounter: &continuityCounter, to: &out)
        out.append(0x00)  // pointer_field
        out.append(contentsOf: section)
        out.append(contentsOf: repeatElement(0xFF, count: start + packetSize - out.count))
    }

    /// Appends one PES (its `header` then its `payload`) as transport packets on `pid`.
    ///
    /// The first packet has payload_unit_start_indicator set, and an adaptation field when `randomAccess` or `pcrBase`
    /// asks for one (random_access_indicator; PCR flag with PCR = `pcrBase` * 300, extension 0).
    /// The last packet is filled to exactly 188 bytes with adaptation-field stuffing: one missing byte is an
    /// adaptation_field_length of 0; two are length 1 (flags byte only); more add 0xFF stuffing bytes. When the last
    /// packet already has an adaptation field (a PES in one packet with PCR), that field is extended instead.
    static func appendPES(
        pid: UInt16, header: [UInt8], payload: [UInt8], randomAccess: Bool, pcrBase: Int64?,
        continuityCounter: inout UInt8, to out: inout [UInt8]
    ) {
        let total = header.count + payload.count
        out.reserveCapacity(out.count + (total / (maxPayloadSize - 8) + 2) * packetSize)
        var offset = 0  // bytes of header+payload already written
        var first = true
        repeat {
            let packetStart = out.count
            // The adaptation field this packet needs before stuffing: flags byte plus optional PCR.
            let wantsField = first && (randomAccess || pcrBase != nil)
            let fieldBody = wantsField ? 1 + (pcrBase != nil ? 6 : 0) : 0  // bytes after adaptation_field_length
            let fieldSize = wantsField ? 1 + fieldBody : 0
            let space = maxPayloadSize - fieldSize
            let remaining = total - offset
            let chunk = min(space, remaining)
            let stuffing = space - chunk  // > 0 only on the last packet
            let hasField = wantsField || stuffing > 0

            appendHeader(
                pid: pid, unitStart: first, hasAdaptation: hasField, continuityCounter: &continuityCounter, to: &out)
            if wantsField {
                out.append(UInt8(fieldBody + stuffing))  // adaptation_field_length
                // discontinuity 0, random_access_indicator, ES priority 0, PCR_flag, OPCR 0, splicing 0, private 0, ext 0
                out.append((randomAccess ? 0x40 : 0x00) | (pcrBase != nil ? 0x10 : 0x00))
                if let pcrBase {
                    TSTimestamps.appendPCR(base: pcrBase, extension: 0, to: &out)
                }
                out.append(contentsOf: repeatElement(0xFF, count: stuffing))
            } else if stuffing == 1 {
                out.append(0x00)  // adaptation_field_length 0: the length byte alone
            } else if stuffing > 1 {
                out.append(UInt8(stuffing - 1))  // adaptation_field_length
                out.append(0x00)  // no flags
                out.append(contentsOf: repeatElement(0xFF, count: stuffing - 2))
            }

            // The chunk [offset, offset + chunk) of header ++ payload.
            let end = offset + chunk
            if offset < header.count {
                out.append(contentsOf: header[offset..<min(end, header.count)])
            }
            if end > header.count {
                out.append(contentsOf: payload[max(offset - header.count, 0)..<(end - header.count)])
            }
            offset = end
            first = false
            assert(out.count - packetStart == packetSize)
        } while offset < total
    }
}
