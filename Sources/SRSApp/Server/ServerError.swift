import SRSKernel

/// A server-level failure (a file, a port, a pid file): what was being done, and why. The
/// same wrapped `ContextError` as the kernel's and the protocols'.
public typealias ServerError = ContextError
