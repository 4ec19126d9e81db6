import SRSConfig
import SRSIO
import SRSKernel
import SRSRTMP

/// `caster mpegts_over_udp`: MPEG-TS datagrams on a UDP port, demuxed (TSDemuxer) and
/// published in-process into the stream `output` names, through the same admission and
/// publish path as an RTMP publisher (security, on_publish, the stream features). The publish
/// begins with the first demuxed message and ends after `AppTuning.casterIdleMs` without a
/// datagram; a later datagram starts a new publish. Confined to its loop.
final class MPEGTSCaster: StreamCaster, @unchecked Sendable {
    let config: StreamCasterConfig
    private unowned let server: Server
    private let loop: EventLoop
    private var receiver: UDPReceiver?
    private var demuxer = TSDemuxer()
    private let request: StreamRequest
    private enum State {
        case idle
        /// Admission decides; messages wait (bounded).
        case admitting(CasterPublication)
        case publishing(CasterPublication)
        /// Refused: data is dropped until `until` (loop ms), then admission is asked again.
        case refused(until: Int64)
    }
    private var state = State.idle
    private var waiting: [SharedMessage] = []
    private var lastDatagramAt: Int64 = 0
    private var stopped = false

    init(config: StreamCasterConfig, server: Server, loop: EventLoop) {
        self.config = config
        self.server = server
        self.loop = loop
        request = CasterPublication.request(output: config.output)
    }

    /// Binds the port and starts. Throws `ListenError`.
    func start() throws(ListenError) {
        let receiver = try UDPReceiver(host: config.listen.host, port: config.listen.port, loop: loop) { [unowned self] datagrams in
            received(datagrams)
        }
        self.receiver = receiver
        receiver.start()
        log.trace(Server.serverContextId, "stream_caster mpegts_over_udp on udp \(config.listen) publishes \(config.output)")
        scheduleIdleCheck()
    }

    /// Stops for good: the socket closes and the publish ends.
    func stop() {
        loop.execute { [self] in
            stopped = true
            receiver?.close()
            receiver = nil
            endPublish("caster stopped")
        }
    }

    /// The UDP port actually bound.
    var port: Int? { receiver?.port }

    // MARK: On the loop

    private func received(_ datagrams: [[UInt8]]) {
        guard !stopped else { return }
        lastDatagramAt = loop.now
        var messages: [SharedMessage] = []
        for datagram in datagrams {
            for message in demuxer.feed(datagram: datagram) {
                messages.append(SharedMessage(message))
            }
        }
        guard !messages.isEmpty else { return }
        switch state {
        case .publishing(let publication):
            publication.submit(messages)
        case .admitting:
            hold(messages)
        case .refused(let until):
            guard loop.now >= until else { return }
            hold(messages)
            admit()
        case .idle:
            hold(messages)
            admit()
        }
    }

    /// Messages that wait for admission: at most `AppTuning.casterMaxWaitingMessages` (the
    /// oldest frames go first; the newest sequence header of each track stays).
    private func hold(_ messages: [SharedMessage]) {
        for message in messages where message.isSequenceHeader {
            waiting.removeAll { $0.isSequenceHeader && $0.kind == message.kind }  // the newest one of each track is enough
        }
        waiting += messages
        let excess = waiting.count - AppTuning.casterMaxWaitingMessages
        if excess > 0 {
            var dropped = 0
            waiting.removeAll { message in
                guard dropped < excess, !message.isSequenceHeader else { return false }
                dropped += 1
                return true
            }
        }
    }

    private func admit() {
        let publication = CasterPublication(server: server, loop: loop, id: server.newContextId(), ip: "127.0.0.1", request: request)
        state = .admitting(publication)
        publication.start { [self] result in
            guard case .admitting(let current) = state, current === publication, !stopped else { return }
            switch result {
            case .success(let source):
                log.trace(publication.id, "stream_caster publish \(source.key) from udp \(config.listen)")
                state = .publishing(publication)
                publication.submit(waiting)
                waiting = []
            case .failure(let refusal):
                log.warn(publication.id, "stream_caster \(config.output): publish refused (\(refusal)); retrying in \(AppTuning.casterRetryMs) ms")
                publication.end()
                waiting = []
                state = .refused(until: loop.now + Int64(AppTuning.casterRetryMs))
            }
        }
    }

    private func endPublish(_ reason: String) {
        switch state {
        case .publishing(let publication), .admitting(let publication):
            log.trace(publication.id, "stream_caster unpublish \(publication.streamName): \(reason)")
            publication.end()
        case .idle, .refused:
            break
        }
        state = .idle
        waiting = []
        demuxer = TSDemuxer()  // the next publish starts with fresh sequence headers
    }

    private func scheduleIdleCheck() {
        loop.schedule(afterMilliseconds: 1000) { [weak self] in
            guard let self, !stopped else { return }
            if case .publishing = state, loop.now - lastDatagramAt > Int64(AppTuning.casterIdleMs) {
                endPublish("no datagram for \(AppTuning.casterIdleMs) ms")
            }
            scheduleIdleCheck()
        }
    }
}
