/// Writes ISO base media file format boxes (ISO/IEC 14496-12, 4.2): each box's 32-bit size is
/// filled in when its body is done, so boxes nest as closures.
public struct MP4BoxWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// Where the next byte goes.
    public var offset: Int { bytes.count }

    /// A box of `type` (four ASCII characters) whose body `body` writes.
    public mutating func box(_ type: String, _ body: (inout MP4BoxWriter) -> Void) {
        let start = bytes.count
        uint32(0)
        fourCC(type)
        body(&self)
        patchUInt32(UInt32(truncatingIfNeeded: bytes.count - start), at: start)
    }

    /// A full box: a box whose body begins with a version byte and 24 bits of flags.
    public mutating func fullBox(_ type: String, version: UInt8 = 0, flags: UInt32 = 0, _ body: (inout MP4BoxWriter) -> Void) {
        box(type) { box in
            box.uint8(version)
            box.uint24(flags)
            body(&box)
        }
    }

    /// An MPEG-4 descriptor (ISO/IEC 14496-1, 8.3.3): tag, a size of 7 bits per byte, body.
    public mutating func descriptor(_ tag: UInt8, _ body: (inout MP4BoxWriter) -> Void) {
        var inner = MP4BoxWriter()
        body(&inner)
        uint8(tag)
        let size = inner.bytes.count
        var shift = 21
        while shift > 0 && size >> shift == 0 { shift -= 7 }
        while shift > 0 {
            uint8(UInt8(truncatingIfNeeded: size >> shift) & 0x7F | 0x80)
            shift -= 7
        }
        uint8(UInt8(truncatingIfNeeded: size) & 0x7F)
        bytes += inner.bytes
    }

    public mutating func uint8(_ value: UInt8) { bytes.append(value) }

    public mutating func uint16(_ value: UInt16) {
        bytes += [UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    public mutating func uint24(_ value: UInt32) {
        bytes += [UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    public mutating func uint32(_ value: UInt32) {
        bytes += [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
                  UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    public mutating func uint64(_ value: UInt64) {
        uint32(UInt32(truncatingIfNeeded: value >> 32))
        uint32(UInt32(truncatingIfNeeded: value))
    }

    /// Four ASCII characters (a box type, brand or handler).
    public mutating func fourCC(_ code: String) {
        precondition(code.utf8.count == 4, "a four-character code has four characters: \(code)")
        bytes += code.utf8
    }

    /// `count` zero bytes (reserved and pre-defined fields).
    public mutating func zeros(_ count: Int) { bytes += repeatElement(0, count: count) }

    public mutating func raw(_ data: some Sequence<UInt8>) { bytes += data }

    /// The unity transformation matrix of movie and track headers.
    public mutating func unityMatrix() {
        for value: UInt32 in [0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000] { uint32(value) }
    }

    /// Overwrites a big-endian UInt32 at `offset`.
    public mutating func patchUInt32(_ value: UInt32, at offset: Int) {
        bytes[offset] = UInt8(truncatingIfNeeded: value >> 24)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: value >> 16)
        bytes[offset + 2] = UInt8(truncatingIfNeeded: value >> 8)
        bytes[offset + 3] = UInt8(truncatingIfNeeded: value)
    }
}
