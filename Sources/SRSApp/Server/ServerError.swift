/// A server-level failure: what was being done, and why it failed.
public struct ServerError: Error, CustomStringConvertible, Sendable {
    public let context: String
    public let reason: String

    public init(_ context: String, _ reason: String) {
        self.context = context
        self.reason = reason
    }

    public var description: String { "\(context): \(reason)" }
}
