import SRSKernel

/// Version facts reported by `srs -v`, the RTMP connect reply and the HTTP API.
public enum ServerVersion {
    public static let name = "SwiftSRS"
    public static let version = SwiftSRSVersion.string
    /// The SRS release line whose behaviour, config and API this server follows.
    public static let compatibleSRS = "2.0.276"
    public static var signature: String { "\(name)/\(version)" }
}
