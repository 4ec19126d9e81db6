/// The project's version, shared by the server (`srs -v`, the API) and the client library.
public enum SwiftSRSVersion {
    public static let major = 0
    public static let minor = 1
    public static let revision = 0
    public static var string: String { "\(major).\(minor).\(revision)" }
}
