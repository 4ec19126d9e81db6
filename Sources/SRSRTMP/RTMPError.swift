import SRSKernel

/// A protocol violation or decoding failure on an RTMP connection, with what was being done:
/// the kernel's `ContextError`, wrapped by each layer on the way up.
public typealias RTMPError = ContextError
