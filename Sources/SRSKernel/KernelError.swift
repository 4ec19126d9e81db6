/// An error found while decoding bytes in the media kernel: what was being decoded, and why it failed.
public struct KernelError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What was being decoded, for example "AMF0 string".
    public let context: String
    /// Why it failed.
    public let reason: String

    public init(_ context: String, _ reason: String) {
        self.context = context
        self.reason = reason
    }

    public var description: String { "\(context): \(reason)" }

    /// Input ended before `context` was complete.
    public static func truncated(_ context: String, need: Int, have: Int) -> KernelError {
        KernelError(context, "truncated input: need \(need) bytes, have \(have)")
    }
}
