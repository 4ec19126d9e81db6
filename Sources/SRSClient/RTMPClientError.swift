/// Why a client call failed: what it was doing, against which URL, and the cause (a socket
/// error, a timeout, the server's refusal with its status code).
public struct RTMPClientError: Error, CustomStringConvertible, Sendable {
    public let description: String
    /// The server's status code when it refused (NetStream.Publish.BadName, ...).
    public let statusCode: String?

    init(_ description: String, statusCode: String? = nil) {
        self.description = description
        self.statusCode = statusCode
    }
}
