/// Why a request could not be parsed, with the status to answer before closing the connection.
public struct HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The status to answer: 400, 413, 414, 431, 501 or 505.
    public let status: Int
    /// What was wrong, for logs (not meant for the client).
    public let reason: String

    /// Makes an error.
    public init(status: Int, reason: String) {
        self.status = status
        self.reason = reason
    }

    /// `400 Bad Request: <reason>`.
    public var description: String {
        "\(status) \(HTTPStatus.reasonPhrase(status)): \(reason)"
    }

    static func badRequest(_ reason: String) -> HTTPParseError { HTTPParseError(status: 400, reason: reason) }
    static func tooLarge(_ reason: String) -> HTTPParseError { HTTPParseError(status: 413, reason: reason) }
}
