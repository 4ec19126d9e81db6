import SRSConfig
import SRSIO

/// A running `stream_caster`: started by the `CasterSupervisor`, stopped on reload or quit.
protocol StreamCaster: AnyObject, Sendable {
    var config: StreamCasterConfig { get }
    /// Binds its port; throws when it cannot.
    func start() throws
    /// Stops for good: the port closes, its own publish ends (clients of a TCP caster keep
    /// their connections, as clients of a removed RTMP port do).
    func stop()
    /// The port bound (tests ask for port 0).
    var port: Int? { get }
}

/// A caster that listens on TCP (`rtsp`, `flv`): each client is handed to the server's
/// admission of connections (max_connections, the client list) as the connection
/// `makeClient` builds.
final class TCPCaster: StreamCaster, @unchecked Sendable {
    let config: StreamCasterConfig
    private unowned let server: Server
    private let makeClient: @Sendable (_ id: Int, _ transport: any Transport) -> any TransportDelegate & ServerClient & Sendable
    private var listener: TCPListener?

    init(config: StreamCasterConfig, server: Server,
         makeClient: @escaping @Sendable (_ id: Int, _ transport: any Transport) -> any TransportDelegate & ServerClient & Sendable) {
        self.config = config
        self.server = server
        self.makeClient = makeClient
    }

    func start() throws {
        let name = config.kind == .rtsp ? "RTSP" : "FLV-POST"
        let listener = try TCPListener(
            host: config.listen.host, port: config.listen.port, group: server.group,
            onAccept: { [unowned server, makeClient] fd, ip, port, loop in
                let tcp = TCPConnection(fd: fd, loop: loop, peerAddress: ip, peerPort: port)
                server.accept(tcp, name: name, detail: "fd=\(fd), ") { id in makeClient(id, tcp) }
            },
            onError: { message in log.error(Server.serverContextId, message) })
        self.listener = listener
        listener.start()
        log.trace(Server.serverContextId, "stream_caster \(name) listen at tcp \(config.listen), publishes \(config.output)")
    }

    func stop() {
        listener?.close()
        listener = nil
    }

    var port: Int? { listener?.port }
}
