import Foundation
import SRSRTMP

/// The one builder of `http_hooks` bodies, with SRS 2.0's fields for each event (`action` is
/// added by the caller). Every protocol's clients and every feature use it, so an RTMP player
/// and an HTTP-FLV player of the same stream are announced alike.
enum HookBody {
    typealias Fields = [(String, JSONValue)]

    /// on_connect: the client's tcUrl and pageUrl.
    static func connect(clientId: Int, ip: String, _ request: StreamRequest) -> Fields {
        common(clientId, ip, request) + [("tcUrl", .string(request.tcUrl)), ("pageUrl", .string(request.pageUrl))]
    }

    /// on_close: the bytes the connection moved.
    static func close(clientId: Int, ip: String, _ request: StreamRequest, sent: UInt64, received: UInt64) -> Fields {
        [("client_id", .number(clientId)), ("ip", .string(ip)), ("vhost", .string(request.vhost)),
         ("send_bytes", .number(sent)), ("recv_bytes", .number(received)), ("app", .string(request.app))]
    }

    /// on_publish.
    static func publish(clientId: Int, ip: String, _ request: StreamRequest) -> Fields {
        common(clientId, ip, request) + [("tcUrl", .string(request.tcUrl)), ("stream", .string(request.stream)), ("param", .string(request.param))]
    }

    /// on_unpublish and on_stop.
    static func streamEnded(clientId: Int, ip: String, _ request: StreamRequest) -> Fields {
        common(clientId, ip, request) + [("stream", .string(request.stream)), ("param", .string(request.param))]
    }

    /// on_play.
    static func play(clientId: Int, ip: String, _ request: StreamRequest) -> Fields {
        streamEnded(clientId: clientId, ip: ip, request) + [("pageUrl", .string(request.pageUrl))]
    }

    /// on_hls: the publisher and the segment just written.
    static func hls(_ publisher: StreamPublisher, segment: HLSSegmentNotice) -> Fields {
        streamEnded(clientId: publisher.clientId, ip: publisher.ip, publisher.request) + [
            ("duration", .double(segment.duration)), ("cwd", .string(FileManager.default.currentDirectoryPath)),
            ("file", .string(segment.file)), ("url", .string(segment.url)), ("m3u8", .string(segment.m3u8)),
            ("m3u8_url", .string(segment.m3u8URL)), ("seq_no", .number(segment.sequence)),
        ]
    }

    /// on_dvr: the publisher and the file just closed.
    static func dvr(_ publisher: StreamPublisher, file: String) -> Fields {
        streamEnded(clientId: publisher.clientId, ip: publisher.ip, publisher.request) + [
            ("cwd", .string(FileManager.default.currentDirectoryPath)), ("file", .string(file)),
        ]
    }

    private static func common(_ clientId: Int, _ ip: String, _ request: StreamRequest) -> Fields {
        [("client_id", .number(clientId)), ("ip", .string(ip)), ("vhost", .string(request.vhost)), ("app", .string(request.app))]
    }
}
