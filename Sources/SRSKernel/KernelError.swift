/// An error with the chain of what was being done when it happened, outermost first, as SRS's
/// wrapped errors: "publish live/s: RTMP chunk stream 4: AMF0 string: truncated input". Every
/// layer wraps what it was doing (and for which client) around the error it got, so the one
/// log line that reports it says the whole story.
public struct ContextError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What was being done, outermost first.
    public private(set) var contexts: [String]
    /// Why it failed.
    public let reason: String

    public init(_ context: String, _ reason: String) {
        contexts = [context]
        self.reason = reason
    }

    /// `error` with `context` around it.
    public init(_ context: String, _ error: ContextError) {
        contexts = [context] + error.contexts
        reason = error.reason
    }

    /// This error with `context` around it.
    public func wrapped(_ context: String) -> ContextError { ContextError(context, self) }

    /// The chain of contexts, outermost first.
    public var context: String { contexts.joined(separator: ": ") }

    public var description: String { (contexts + [reason]).joined(separator: ": ") }

    /// Input ended before `context` was complete.
    public static func truncated(_ context: String, need: Int, have: Int) -> ContextError {
        ContextError(context, "truncated input: need \(need) bytes, have \(have)")
    }
}

/// A decoding failure in the media kernel (bytes, AMF0, FLV, codec configs).
public typealias KernelError = ContextError
