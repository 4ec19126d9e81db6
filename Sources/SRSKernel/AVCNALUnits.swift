/// The 5-bit `nal_unit_type` of an H.264 NAL unit header (ITU-T H.264 table 7-1).
public struct AVCNALUnitType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The type number, 0...31.
    public let rawValue: UInt8

    /// A type from its number; only the low 5 bits are kept.
    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x1F }

    /// The type of a NAL unit whose first (header) byte is `header`.
    public init(header: UInt8) { self.init(rawValue: header) }

    /// Coded slice of a non-IDR picture.
    public static let slice = AVCNALUnitType(rawValue: 1)
    /// Coded slice data partition A.
    public static let dataPartitionA = AVCNALUnitType(rawValue: 2)
    /// Coded slice of an IDR picture (a keyframe).
    public static let idr = AVCNALUnitType(rawValue: 5)
    /// Supplemental enhancement information.
    public static let sei = AVCNALUnitType(rawValue: 6)
    /// Sequence parameter set.
    public static let sps = AVCNALUnitType(rawValue: 7)
    /// Picture parameter set.
    public static let pps = AVCNALUnitType(rawValue: 8)
    /// Access unit delimiter.
    public static let accessUnitDelimiter = AVCNALUnitType(rawValue: 9)
    /// End of sequence.
    public static let endOfSequence = AVCNALUnitType(rawValue: 10)
    /// End of stream.
    public static let endOfStream = AVCNALUnitType(rawValue: 11)
    /// Filler data.
    public static let fillerData = AVCNALUnitType(rawValue: 12)
    /// Sequence parameter set extension.
    public static let spsExtension = AVCNALUnitType(rawValue: 13)

    /// True for coded slices of a picture (types 1...5).
    public var isVideoCodingLayer: Bool { (1...5).contains(rawValue) }

    public var description: String {
        switch rawValue {
        case 1: "slice"
        case 2: "data partition A"
        case 3: "data partition B"
        case 4: "data partition C"
        case 5: "IDR"
        case 6: "SEI"
        case 7: "SPS"
        case 8: "PPS"
        case 9: "AUD"
        case 10: "end of sequence"
        case 11: "end of stream"
        case 12: "filler"
        case 13: "SPS extension"
        default: "NAL type \(rawValue)"
        }
    }
}

/// H.264 NAL unit framing: AVCC (ISO 14496-15 length-prefixed, as carried in FLV/RTMP) and
/// Annex B (start-code-prefixed, as carried in MPEG-TS).
public enum AVCNALUnits {
    /// The Annex B start code written before every NAL unit by `annexB`.
    public static let startCode: [UInt8] = [0, 0, 0, 1]

    /// The NAL units of an Annex B byte stream (between 00 00 01 start codes; the zeros of a
    /// 4-byte start code are not part of the unit before it).
    public static func annexBUnits(_ data: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var units: [ArraySlice<UInt8>] = []
        var index = data.startIndex
        var unitStart: Int?
        while index + 2 < data.endIndex {
            if data[index] == 0 && data[index + 1] == 0 && data[index + 2] == 1 {
                if let start = unitStart {
                    var end = index
                    while end > start && data[end - 1] == 0 { end -= 1 }
                    if end > start { units.append(data[start..<end]) }
                }
                index += 3
                unitStart = index
            } else {
                index += 1
            }
        }
        if let start = unitStart, start < data.endIndex { units.append(data[start...]) }
        return units
    }

    /// Groups the NAL units of an H.264 elementary stream (a raw .h264 file) into access units
    /// (ITU-T H.264 7.4.1.2.3): one begins at an access unit delimiter, or at an SPS, PPS or
    /// SEI after a slice, or at a slice whose first_mb_in_slice is 0 after a slice.
    public static func accessUnits(_ units: [ArraySlice<UInt8>]) -> [[ArraySlice<UInt8>]] {
        var out: [[ArraySlice<UInt8>]] = []
        var current: [ArraySlice<UInt8>] = []
        var sawSlice = false
        for unit in units {
            guard let header = unit.first else { continue }
            let type = header & 0x1F
            let isSlice = type == 1 || type == 5
            // first_mb_in_slice is ue(v): 0 is the single bit 1 at the top of the next byte.
            let firstSlice = isSlice && unit.count > 1 && unit[unit.startIndex + 1] & 0x80 != 0
            let starts = type == 9 || (sawSlice && (type == 6 || type == 7 || type == 8 || firstSlice))
            if starts && !current.isEmpty {
                out.append(current)
                current = []
                sawSlice = false
            }
            current.append(unit)
            if isSlice { sawSlice = true }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// The type of `nalUnit` from its header byte, or nil when it is empty.
    public static func nalType(_ nalUnit: some Collection<UInt8>) -> AVCNALUnitType? {
        nalUnit.first.map(AVCNALUnitType.init(header:))
    }

    /// Checks that `lengthSize` is one of the NAL length sizes ISO 14496-15 allows (1, 2, 4).
    static func validateLengthSize(_ lengthSize: Int, _ context: String) throws(KernelError) {
        guard lengthSize == 1 || lengthSize == 2 || lengthSize == 4 else {
            throw KernelError(context, "NAL unit length size \(lengthSize) is not 1, 2 or 4")
        }
    }

    /// Splits AVCC data (each NAL unit preceded by a big-endian length of `lengthSize` bytes)
    /// into NAL units, as slices of `avcc` (sharing its indices). Zero-length entries are skipped.
    /// Throws when `lengthSize` is not 1, 2 or 4, or a length field or NAL unit is truncated.
    public static func split(_ avcc: ArraySlice<UInt8>, lengthSize: Int) throws(KernelError) -> [ArraySlice<UInt8>] {
        let context = "AVC NAL units"
        try validateLengthSize(lengthSize, context)
        var units: [ArraySlice<UInt8>] = []
        var position = avcc.startIndex
        while position < avcc.endIndex {
            let left = avcc.endIndex - position
            guard left >= lengthSize else {
                throw KernelError.truncated("\(context) length field at offset \(position - avcc.startIndex)", need: lengthSize, have: left)
            }
            var length = 0
            for index in position..<(position + lengthSize) { length = length << 8 | Int(avcc[index]) }
            position += lengthSize
            guard length <= avcc.endIndex - position else {
                throw KernelError.truncated("\(context) NAL unit at offset \(position - avcc.startIndex)", need: length, have: avcc.endIndex - position)
            }
            if length > 0 { units.append(avcc[position..<(position + length)]) }
            position += length
        }
        return units
    }

    /// Splits AVCC data held in an array; see `split(_:lengthSize:)` for slices.
    public static func split(_ avcc: [UInt8], lengthSize: Int) throws(KernelError) -> [ArraySlice<UInt8>] {
        try split(avcc[...], lengthSize: lengthSize)
    }

    /// The NAL units of an FLV AVC video tag body (5-byte header: frame type/codec 7, AVCPacketType,
    /// 24-bit composition time, then AVCC data), as slices of `body`.
    /// An end-of-sequence tag (AVCPacketType 2) yields no NAL units; a sequence header
    /// (AVCPacketType 0) or a non-AVC tag throws.
    public static func fromFLVVideoTag(_ body: [UInt8], lengthSize: Int) throws(KernelError) -> [ArraySlice<UInt8>] {
        let header = try FLVVideoTagHeader(parsing: body)
        guard header.codecID == CodecInfo.VideoCodec.avc.rawValue else {
            throw KernelError("FLV AVC NALU tag", "codec id \(header.codecID) is not AVC (7)")
        }
        switch header.avcPacketType {
        case FLVVideoTagHeader.avcPacketTypeNALU: return try split(body[header.headerSize...], lengthSize: lengthSize)
        case FLVVideoTagHeader.avcPacketTypeEndOfSequence: return []
        default: throw KernelError("FLV AVC NALU tag", "AVCPacketType \(header.avcPacketType ?? 0) carries no NAL units")
        }
    }

    /// The NAL units of an FLV AVC video tag body held in shared message memory; the bytes are
    /// copied once, and the slices share that copy.
    public static func fromFLVVideoTag(_ payload: UnsafeRawBufferPointer, lengthSize: Int) throws(KernelError) -> [ArraySlice<UInt8>] {
        try fromFLVVideoTag(Array(payload), lengthSize: lengthSize)
    }

    /// Converts AVCC data to Annex B: each NAL unit preceded by the start code 00 00 00 01.
    public static func annexB(from avcc: ArraySlice<UInt8>, lengthSize: Int) throws(KernelError) -> [UInt8] {
        annexB(nalUnits: try split(avcc, lengthSize: lengthSize))
    }

    /// Converts AVCC data held in an array to Annex B.
    public static func annexB(from avcc: [UInt8], lengthSize: Int) throws(KernelError) -> [UInt8] {
        try annexB(from: avcc[...], lengthSize: lengthSize)
    }

    /// Joins NAL units into Annex B, each preceded by the start code 00 00 00 01.
    public static func annexB<Units: Sequence>(nalUnits: Units) -> [UInt8]
    where Units.Element: Collection, Units.Element.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(nalUnits.reduce(0) { $0 + startCode.count + $1.count })
        for unit in nalUnits {
            out.append(contentsOf: startCode)
            out.append(contentsOf: unit)
        }
        return out
    }

    /// Joins NAL units into AVCC, each preceded by its big-endian length in `lengthSize` bytes.
    /// Throws when `lengthSize` is not 1, 2 or 4 or a unit is too long for it.
    public static func lengthPrefixed<Units: Sequence>(nalUnits: Units, lengthSize: Int) throws(KernelError) -> [UInt8]
    where Units.Element: Collection, Units.Element.Element == UInt8 {
        try validateLengthSize(lengthSize, "AVCC NAL units")
        var out: [UInt8] = []
        for unit in nalUnits {
            let count = unit.count
            guard UInt64(count) < UInt64(1) << UInt64(8 * lengthSize) else {
                throw KernelError("AVCC NAL units", "NAL unit of \(count) bytes does not fit a \(lengthSize)-byte length")
            }
            for shift in stride(from: 8 * (lengthSize - 1), through: 0, by: -8) {
                out.append(UInt8(truncatingIfNeeded: count >> shift))
            }
            out.append(contentsOf: unit)
        }
        return out
    }

    /// The raw byte sequence payload of a NAL unit: its bytes with every emulation-prevention
    /// byte (the 03 of each 00 00 03) removed. The header byte, if present, is kept.
    public static func rbsp(fromNAL nalUnit: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(nalUnit.count)
        var zeros = 0
        for byte in nalUnit {
            if zeros >= 2 && byte == 0x03 {
                zeros = 0
                continue
            }
            out.append(byte)
            zeros = byte == 0 ? zeros + 1 : 0
        }
        return out
    }
}
