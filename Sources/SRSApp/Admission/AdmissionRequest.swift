import SRSConfig
import SRSRTMP

/// What a client asks to do, whatever its protocol: the one value every entry point (RTMP,
/// HTTP-FLV/TS/AAC/MP3; later casters, WebSocket, RTSP) builds for the admission pipeline.
struct AdmissionRequest: Sendable {
    enum Action: String, Sendable {
        case connect, publish, play
    }

    var action: Action
    var clientId: Int
    var ip: String
    /// The stream as asked; admission resolves its vhost. An HTTP player's Referer is its
    /// pageUrl.
    var stream: StreamRequest
    /// An HTTP player connects and plays in one request: the connect-level page-URL list
    /// (`refer`) applies too.
    var connectsToo = false
}

/// Why admission refused a client: what the protocol answers (an RTMP status, an HTTP
/// status) follows from `kind`; `reason` names the rule and the client's value.
struct AdmissionRefusal: Error, Sendable, CustomStringConvertible {
    enum Kind: Sendable {
        /// No vhost serves the request (HTTP: 404).
        case vhostNotServed
        /// The app or stream name has a `..` component or a control character.
        case unsafeName
        /// `security` allow/deny rules.
        case security
        /// `refer`, `refer_publish`, `refer_play`.
        case refer
        /// An edge's origin refused the connect (`token_traverse`).
        case origin
        /// A callback (on_connect, on_publish, on_play) rejected or failed.
        case callback
    }

    var kind: Kind
    var reason: String

    var description: String { reason }
}

/// The outcome of admission.
enum AdmissionVerdict: Sendable {
    /// Go ahead: the vhost that serves the client, and the request with its vhost renamed to
    /// it (every unconfigured host name lands on `__defaultVhost__`'s streams, as in SRS).
    case admitted(VhostConfig, StreamRequest)
    case refused(AdmissionRefusal)
}
