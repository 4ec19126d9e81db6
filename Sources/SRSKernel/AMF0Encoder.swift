/// Encodes AMF0 values to bytes.
public struct AMF0Encoder {
    public private(set) var writer = ByteWriter()

    public init() {}

    public var bytes: [UInt8] { writer.bytes }

    /// Encodes `values` one after another, as in an RTMP command body.
    public static func encode(_ values: [AMF0Value]) -> [UInt8] {
        var encoder = AMF0Encoder()
        for value in values { encoder.encode(value) }
        return encoder.bytes
    }

    public mutating func encode(_ value: AMF0Value) {
        switch value {
        case .number(let number):
            writer.writeUInt8(AMF0Value.Marker.number.rawValue)
            writer.writeDouble(number)
        case .boolean(let flag):
            writer.writeUInt8(AMF0Value.Marker.boolean.rawValue)
            writer.writeUInt8(flag ? 1 : 0)
        case .string(let string):
            let utf8 = Array(string.utf8)
            if utf8.count > Int(UInt16.max) {
                writer.writeUInt8(AMF0Value.Marker.longString.rawValue)
                writer.writeUInt32(UInt32(utf8.count))
            } else {
                writer.writeUInt8(AMF0Value.Marker.string.rawValue)
                writer.writeUInt16(UInt16(utf8.count))
            }
            writer.writeBytes(utf8)
        case .object(let properties):
            writer.writeUInt8(AMF0Value.Marker.object.rawValue)
            writeProperties(properties)
        case .null:
            writer.writeUInt8(AMF0Value.Marker.null.rawValue)
        case .undefined:
            writer.writeUInt8(AMF0Value.Marker.undefined.rawValue)
        case .ecmaArray(let properties):
            writer.writeUInt8(AMF0Value.Marker.ecmaArray.rawValue)
            writer.writeUInt32(UInt32(properties.count))
            writeProperties(properties)
        case .strictArray(let values):
            writer.writeUInt8(AMF0Value.Marker.strictArray.rawValue)
            writer.writeUInt32(UInt32(values.count))
            for element in values { encode(element) }
        case .date(let millis, let zone):
            writer.writeUInt8(AMF0Value.Marker.date.rawValue)
            writer.writeDouble(millis)
            writer.writeUInt16(UInt16(bitPattern: zone))
        }
    }

    private mutating func writeProperties(_ properties: [AMF0Property]) {
        for property in properties {
            let key = Array(property.key.utf8.prefix(Int(UInt16.max)))
            writer.writeUInt16(UInt16(key.count))
            writer.writeBytes(key)
            encode(property.value)
        }
        writer.writeUInt16(0)
        writer.writeUInt8(AMF0Value.Marker.objectEnd.rawValue)
    }
}
