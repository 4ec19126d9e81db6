/// One AMF0 value (Action Message Format 0, as used by RTMP commands and FLV script data).
/// Objects and ECMA arrays keep their properties in wire order.
public enum AMF0Value: Sendable, Equatable {
    case number(Double)
    case boolean(Bool)
    /// A string; encoded as AMF0 long string when longer than 65535 bytes.
    case string(String)
    case object([AMF0Property])
    case null
    case undefined
    case ecmaArray([AMF0Property])
    case strictArray([AMF0Value])
    /// Milliseconds since the epoch and the (ignored by most peers) time-zone offset in minutes.
    case date(Double, timeZone: Int16)

    /// AMF0 type markers.
    public enum Marker: UInt8, Sendable {
        case number = 0x00, boolean = 0x01, string = 0x02, object = 0x03, movieClip = 0x04
        case null = 0x05, undefined = 0x06, reference = 0x07, ecmaArray = 0x08, objectEnd = 0x09
        case strictArray = 0x0A, date = 0x0B, longString = 0x0C, unsupported = 0x0D
        case recordSet = 0x0E, xmlDocument = 0x0F, typedObject = 0x10, avmPlusObject = 0x11
    }

    /// The property `key` of an object or ECMA array, if any.
    public subscript(key: String) -> AMF0Value? {
        switch self {
        case .object(let properties), .ecmaArray(let properties):
            return properties.first(where: { $0.key == key })?.value
        default:
            return nil
        }
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var numberValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The number as a UInt32 (a stream id), or nil when it is not a number in 0...UInt32.max:
    /// a peer's NaN, -1 or 1e300 must not trap a conversion (found by fuzzing).
    public var uint32Value: UInt32? {
        guard let value = numberValue, value.isFinite, value >= 0, value <= Double(UInt32.max) else { return nil }
        return UInt32(value)
    }

    public var boolValue: Bool? {
        if case .boolean(let value) = self { return value }
        return nil
    }

    /// The properties of an object or ECMA array.
    public var properties: [AMF0Property]? {
        switch self {
        case .object(let properties), .ecmaArray(let properties): return properties
        default: return nil
        }
    }
}

/// A named property inside an AMF0 object or ECMA array.
public struct AMF0Property: Sendable, Equatable {
    public var key: String
    public var value: AMF0Value

    public init(_ key: String, _ value: AMF0Value) {
        self.key = key
        self.value = value
    }
}

extension AMF0Value: ExpressibleByStringLiteral, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
}
