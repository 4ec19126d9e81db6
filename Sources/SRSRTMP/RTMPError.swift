import SRSKernel

/// A protocol violation or decoding failure on an RTMP connection, with what was being done.
public struct RTMPError: Error, CustomStringConvertible, Sendable {
    public let context: String
    public let reason: String

    public init(_ context: String, _ reason: String) {
        self.context = context
        self.reason = reason
    }

    public init(_ context: String, _ error: KernelError) {
        self.context = context
        self.reason = error.description
    }

    public var description: String { "\(context): \(reason)" }
}
