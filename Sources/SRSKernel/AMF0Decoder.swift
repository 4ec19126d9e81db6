/// Decodes AMF0 values from bytes. Rejects truncated input, unknown markers and nesting deeper
/// than `maxDepth`, so hostile input costs at most its own length.
public struct AMF0Decoder {
    /// Deepest nesting of objects and arrays accepted.
    public static let maxDepth = 32

    public var reader: ByteReader

    public init(_ bytes: [UInt8]) { reader = ByteReader(bytes) }
    public init(reader: ByteReader) { self.reader = reader }

    public var isAtEnd: Bool { reader.isAtEnd }

    /// Decodes every value until the input ends.
    public static func decodeAll(_ bytes: [UInt8]) throws(KernelError) -> [AMF0Value] {
        var decoder = AMF0Decoder(bytes)
        var values: [AMF0Value] = []
        while !decoder.isAtEnd { values.append(try decoder.decode()) }
        return values
    }

    public mutating func decode() throws(KernelError) -> AMF0Value {
        try decodeValue(depth: 0)
    }

    private mutating func decodeValue(depth: Int) throws(KernelError) -> AMF0Value {
        if depth > Self.maxDepth { throw KernelError("AMF0 value", "nesting deeper than \(Self.maxDepth)") }
        let markerByte = try reader.readUInt8("AMF0 marker")
        guard let marker = AMF0Value.Marker(rawValue: markerByte) else {
            throw KernelError("AMF0 value", "unknown marker 0x\(String(markerByte, radix: 16))")
        }
        switch marker {
        case .number:
            return .number(try reader.readDouble("AMF0 number"))
        case .boolean:
            return .boolean(try reader.readUInt8("AMF0 boolean") != 0)
        case .string:
            return .string(try readUTF8(length: Int(try reader.readUInt16("AMF0 string length")), "AMF0 string"))
        case .longString, .xmlDocument:
            let length = Int(try reader.readUInt32("AMF0 long string length"))
            return .string(try readUTF8(length: length, "AMF0 long string"))
        case .object:
            return .object(try readProperties(depth: depth))
        case .typedObject:
            _ = try readUTF8(length: Int(try reader.readUInt16("AMF0 class name length")), "AMF0 class name")
            return .object(try readProperties(depth: depth))
        case .null:
            return .null
        case .undefined, .unsupported:
            return .undefined
        case .ecmaArray:
            _ = try reader.readUInt32("AMF0 ECMA array count")  // advisory only; the end marker terminates
            return .ecmaArray(try readProperties(depth: depth))
        case .strictArray:
            let count = Int(try reader.readUInt32("AMF0 strict array count"))
            // Each element takes at least one byte: a count beyond the input is a lie.
            if count > reader.remaining { throw KernelError.truncated("AMF0 strict array", need: count, have: reader.remaining) }
            var values: [AMF0Value] = []
            values.reserveCapacity(count)
            for _ in 0..<count { values.append(try decodeValue(depth: depth + 1)) }
            return .strictArray(values)
        case .date:
            let millis = try reader.readDouble("AMF0 date")
            let zone = Int16(bitPattern: try reader.readUInt16("AMF0 date time zone"))
            return .date(millis, timeZone: zone)
        case .objectEnd:
            throw KernelError("AMF0 value", "object end marker outside an object")
        case .movieClip, .reference, .recordSet, .avmPlusObject:
            throw KernelError("AMF0 value", "unsupported marker \(marker)")
        }
    }

    private mutating func readUTF8(length: Int, _ context: String) throws(KernelError) -> String {
        String(decoding: try reader.readBytes(length, context), as: UTF8.self)
    }

    /// Reads key/value pairs up to the empty-key + object-end terminator.
    private mutating func readProperties(depth: Int) throws(KernelError) -> [AMF0Property] {
        var properties: [AMF0Property] = []
        while true {
            let keyLength = Int(try reader.readUInt16("AMF0 property name length"))
            if keyLength == 0 {
                // Some encoders omit the end marker at the very end of the body; accept that.
                if reader.isAtEnd { return properties }
                if reader.peekUInt8() == AMF0Value.Marker.objectEnd.rawValue {
                    try reader.skip(1)
                    return properties
                }
            }
            let key = try readUTF8(length: keyLength, "AMF0 property name")
            properties.append(AMF0Property(key, try decodeValue(depth: depth + 1)))
        }
    }
}
