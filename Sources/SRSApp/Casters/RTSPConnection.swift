import SRSConfig
import SRSIO
import SRSKernel
import SRSRTSP

/// One client of `caster rtsp` that pushes a stream: its requests go to an `RTSPPushSession`,
/// its RECORD asks admission and claims `[app]/[stream]` of the caster's `output` (the RTSP
/// URL's path), and its RTP (interleaved on this connection, or on UDP ports of the caster's
/// range that take datagrams from this client only) is published in-process. A malformed
/// request is answered and the client closed; it harms no one else. Confined to its loop.
final class RTSPConnection: TransportDelegate, ServerClient, @unchecked Sendable {
    let id: Int
    let tcp: any Transport
    private unowned let server: Server
    private let config: StreamCasterConfig
    private let ports: RTPPortPool
    private var parser = RTSPMessageParser()
    private var session: RTSPPushSession
    private var publication: CasterPublication?
    private var receivers: [UDPReceiver] = []
    /// The RTP ports this client holds in the pool.
    private var boundPorts: [Int] = []
    private var lastActivity: Int64
    private var recording = false
    private var closed = false
    private var closeWhenDrained = false

    init(id: Int, tcp: any Transport, server: Server, config: StreamCasterConfig, ports: RTPPortPool) {
        self.id = id
        self.tcp = tcp
        self.server = server
        self.config = config
        self.ports = ports
        session = RTSPPushSession(sessionId: String(format: "%08X", UInt32(truncatingIfNeeded: id &* 2_654_435_761)))
        lastActivity = tcp.loop.now
    }

    // MARK: TransportDelegate

    func connection(_ connection: any Transport, didReceive bytes: UnsafeRawBufferPointer) {
        lastActivity = tcp.loop.now
        guard !closeWhenDrained else { return }
        let messages: [RTSPMessageParser.Message]
        do {
            messages = try parser.feed(bytes)
        } catch {
            log.warn(id, "bad RTSP request from \(tcp.peerAddress): \(error)")
            send(RTSPResponse(status: error.status).serialize(cseq: nil), thenClose: true)
            return
        }
        var media: [DemuxedMessage] = []
        for message in messages {
            switch message {
            case .request(let request):
                submit(&media)
                handle(request)
            case .interleaved(let channel, let payload):
                media += session.interleaved(channel: channel, payload: payload)
            }
        }
        submit(&media)
    }

    func connectionDidDrain(_ connection: any Transport) {
        if closeWhenDrained { tcp.close(.local("response sent")) }
    }

    func connection(_ connection: any Transport, didCloseWith reason: CloseReason) {
        closed = true
        var rest = session.finish()
        submit(&rest)
        for receiver in receivers { receiver.close() }
        receivers = []
        for port in boundPorts { ports.release(port) }
        boundPorts = []
        if let publication {
            log.trace(id, "RTSP unpublish \(publication.streamName), dropped \(session.droppedFrames) frames, \(session.droppedPackets) packets")
            publication.end()
        }
        publication = nil
        server.connectionClosed(self, loop: tcp.loop)
    }

    func close(_ reason: String) {
        guard !closed else { return }
        tcp.close(.local(reason))
    }

    // MARK: Requests

    private func handle(_ request: RTSPRequest) {
        log.info(id, "RTSP \(request.method) \(request.uri) CSeq=\(request.cseq ?? "-")")
        let reply = session.handle(request) { [self] track in bindUDP(track: track) }
        switch reply {
        case .respond(let bytes):
            send(bytes, thenClose: false)
        case .respondAndClose(let bytes):
            send(bytes, thenClose: true)
        case .record(let path, let query):
            record(path: path, query: query, cseq: request.cseq)
        }
    }

    private func send(_ bytes: [UInt8], thenClose: Bool) {
        let complete = tcp.send(bytes)
        guard thenClose else { return }
        closeWhenDrained = true
        if complete { tcp.close(.local("RTSP session ended")) }
    }

    /// RECORD: `/app/stream` (the app may hold slashes) published as the caster's output.
    private func record(path: String, query: String, cseq: String?) {
        guard publication == nil else {
            send(RTSPResponse(status: 455).serialize(cseq: cseq), thenClose: false)  // a RECORD already decided or pending
            return
        }
        guard let request = CasterPublication.request(output: config.output, path: path, query: query) else {
            log.warn(id, "RTSP RECORD of \(path): the path needs an app and a stream (rtsp://host:port/app/stream)")
            send(session.recordDecided(status: 404, cseq: cseq), thenClose: true)
            return
        }
        let publication = CasterPublication(server: server, loop: tcp.loop, id: id, ip: tcp.peerAddress, request: request)
        self.publication = publication
        tcp.holdReading(true)  // the packets after RECORD wait for the verdict
        publication.start { [self] result in
            guard !closed else { return }
            tcp.holdReading(false)
            switch result {
            case .success(let source):
                recording = true
                log.trace(id, "RTSP publish \(source.key) from \(tcp.peerAddress), tracks \(session.transports.map { $0.map(Self.describe) ?? "-" })")
                send(session.recordDecided(status: 200, cseq: cseq), thenClose: false)
                for receiver in receivers { receiver.start() }
            case .failure(let refusal):
                log.warn(id, "RTSP publish of \(request.streamURL) refused: \(refusal)")
                self.publication = nil
                let status: Int
                if case .refused = refusal { status = 403 } else { status = 503 }
                send(session.recordDecided(status: status, cseq: cseq), thenClose: true)
            }
        }
    }

    private static func describe(_ transport: RTSPPushSession.TrackTransport) -> String {
        switch transport {
        case .interleaved(let rtp, let rtcp): "tcp interleaved \(rtp)-\(rtcp)"
        case .udp(_, _, let rtp, let rtcp): "udp \(rtp)-\(rtcp)"
        }
    }

    /// A UDP SETUP: a pair of ports that reads this client's datagrams once recording.
    private func bindUDP(track: Int) -> (rtp: Int, rtcp: Int)? {
        let bound = ports.bind(peer: tcp.peerAddress, loop: tcp.loop,
                               onRTP: { [weak self] datagrams in self?.datagrams(datagrams, track: track, rtcp: false) },
                               onRTCP: { [weak self] datagrams in self?.datagrams(datagrams, track: track, rtcp: true) })
        guard let bound else {
            log.warn(id, "RTSP SETUP over UDP: no free port pair in \(ports.range)")
            return nil
        }
        receivers += [bound.rtp, bound.rtcp]
        boundPorts.append(bound.rtp.port)
        return (bound.rtp.port, bound.rtcp.port)
    }

    private func datagrams(_ datagrams: [[UInt8]], track: Int, rtcp: Bool) {
        guard !closed else { return }
        lastActivity = tcp.loop.now
        var media: [DemuxedMessage] = []
        for datagram in datagrams { media += session.datagram(track: track, rtcp: rtcp, datagram) }
        submit(&media)
    }

    private func submit(_ media: inout [DemuxedMessage]) {
        guard !media.isEmpty else { return }
        publication?.submit(media.map(SharedMessage.init))
        media = []
    }

    // MARK: ServerClient

    func checkTimeouts(now: Int64) {
        guard !closed else { return }
        if now - lastActivity > AppTuning.rtspIdleTimeoutMs {
            log.warn(id, "RTSP client \(tcp.peerAddress) sent nothing for \(AppTuning.rtspIdleTimeoutMs) ms; closing")
            close("RTSP idle timeout")
        } else if parser.bufferedByteCount > 0 && !recording && now - lastActivity > AppTuning.casterRequestTimeoutMs {
            log.warn(id, "RTSP request from \(tcp.peerAddress) not complete within \(AppTuning.casterRequestTimeoutMs) ms; closing")
            close("RTSP request timeout")
        }
    }

    var pithyLine: String? {
        guard recording, let source = publication?.source else { return nil }
        return "<- RTSP \(source.key) recv=\(tcp.bytesReceived) bytes, dropped \(session.droppedFrames) frames"
    }

    func reloaded(_ config: ServerConfig) {}
}
