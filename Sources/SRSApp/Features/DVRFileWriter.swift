import SRSKernel

/// One DVR file in its format, used on the stream's DVR lane only (never on a loop).
protocol DVRFileWriter: AnyObject, Sendable {
    var path: String { get }
    /// The first failure; later writes are skipped.
    var failure: ContextError? { get }
    /// Opens the file and writes what every file begins with: the stream's metadata (the
    /// payload of its onMetaData message) and sequence headers, for the tracks announced.
    func open(metadata: [UInt8]?, sequenceHeaders: [SharedMessage], hasAudio: Bool, hasVideo: Bool)
    /// Writes media messages.
    func write(_ messages: [SharedMessage])
    /// Completes and closes the file; returns its path when it is complete.
    func close() -> String?
}
