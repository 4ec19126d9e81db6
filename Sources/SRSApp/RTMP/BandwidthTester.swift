import Glibc
import SRSConfig
import SRSIO
import SRSKernel
import SRSRTMP
import Synchronization

/// Something that takes over an RTMP connection once its connect was admitted, instead of
/// publish or play: SRS's bandwidth test. The connection asks `RTMPTakeovers` and names none.
protocol RTMPTakeover: AnyObject {
    /// Starts, after the connect answer was queued.
    func start()
    /// A command the session did not handle itself.
    func handle(_ event: RTMPServerEvent)
    /// Bytes arrived (a rate limit may pause reading).
    func received()
    /// The connection closed.
    func closed()
}

/// What the takeovers say about an admitted connect.
enum RTMPTakeoverDecision {
    /// Accept the connect and hand the connection over.
    case takeOver(RTMPTakeover)
    /// Refuse the connect with this description.
    case refuse(String)
}

/// The connection's view for a takeover: its session, socket and log id. Used on its loop.
struct RTMPTakeoverContext: @unchecked Sendable {
    let id: Int
    let session: RTMPServerSession
    let tcp: any Transport
    /// Sends what the session queued.
    let flush: () -> Void
    /// Closes the connection.
    let close: (String) -> Void
}

/// The takeovers the server knows, in order.
enum RTMPTakeovers {
    static func decide(vhost: VhostConfig, request: StreamRequest, context: RTMPTakeoverContext) -> RTMPTakeoverDecision? {
        BandwidthTester.decide(vhost: vhost, request: request, context: context)
    }
}

/// SRS's RTMP bandwidth test on a vhost with `bandcheck on`: a connect whose tcUrl carries
/// `key=KEY` is measured (`BandwidthCheck` holds the protocol), play then publish, each no
/// faster than `limit_kbps`; a test sooner than `interval` after the vhost's last one is
/// refused (SRS keeps one clock for every vhost; this server one per vhost). Confined to the
/// connection's loop.
final class BandwidthTester: RTMPTakeover, @unchecked Sendable {
    private static let lastTestAt = Mutex<[String: Int64]>([:])

    static func decide(vhost: VhostConfig, request: StreamRequest, context: RTMPTakeoverContext) -> RTMPTakeoverDecision? {
        let config = vhost.bandcheck
        guard config.enabled else { return nil }
        guard request.tcUrl.contains("key=" + config.key) || request.param.contains("key=" + config.key) else {
            log.warn(context.id, "bandcheck: tcUrl \(request.tcUrl) lacks key=\(config.key.isEmpty ? "" : "…") of vhost \(vhost.name); refused")
            return .refuse("bandcheck key mismatch")
        }
        let now = context.tcp.loop.now
        let intervalMs = Int64(config.interval * 1000)
        let allowed = lastTestAt.withLock { last -> Bool in
            if let previous = last[vhost.name], now - previous < intervalMs { return false }
            last[vhost.name] = now
            return true
        }
        guard allowed else {
            log.trace(context.id, "bandcheck: a test of vhost \(vhost.name) ran less than \(config.interval)s ago; refused")
            return .refuse("bandcheck rejected")
        }
        return .takeOver(BandwidthTester(context: context, limitKbps: config.limitKbps, isFlash: !request.swfUrl.isEmpty))
    }

    private let context: RTMPTakeoverContext
    private var check: BandwidthCheck
    private var finished = false
    private var startedAt: Int64 = 0

    private init(context: RTMPTakeoverContext, limitKbps: Int, isFlash: Bool) {
        self.context = context
        check = BandwidthCheck(limitKbps: limitKbps, durationMs: AppTuning.bandcheckPhaseMs, isFlash: isFlash)
    }

    private var tcp: any Transport { context.tcp }

    func start() {
        startedAt = tcp.loop.now
        log.trace(context.id, "bandcheck: start, limit \(check.limitKbps) kbps, \(check.durationMs) ms each way")
        send(check.start(now: tcp.loop.now, wallMs: Self.wallMs()))
        scheduleTick()
    }

    func handle(_ event: RTMPServerEvent) {
        guard case .call(_, let name, _) = event, !finished else { return }
        send(check.received(name, now: tcp.loop.now, wallMs: Self.wallMs(), sent: tcp.bytesSent, received: tcp.bytesReceived))
        afterStep()
    }

    func received() {
        // Publishing faster than the limit: stop reading until the rate, with one more read's
        // worth of bytes, is back within it (a read brings up to 64 KB at once).
        let pause = check.readPauseMs(now: tcp.loop.now, received: tcp.bytesReceived, headroomBytes: IOTuning.readBufferSize)
        if pause > 0 { tcp.pauseReading(milliseconds: Int(pause)) }
    }

    func closed() {
        finished = true
        connectionOpen = false
    }

    /// The connection is still open (the final close must not reach a closed one).
    private var connectionOpen = true

    private func scheduleTick() {
        let loop = tcp.loop
        loop.schedule(afterMilliseconds: AppTuning.bandcheckTickMs) { [weak self] in self?.tick() }
    }

    private func tick() {
        guard !finished else { return }
        let now = tcp.loop.now
        if now - startedAt > AppTuning.bandcheckMaxMs {
            log.warn(context.id, "bandcheck: not done within \(AppTuning.bandcheckMaxMs) ms (phase \(check.phase)); closing")
            finished = true
            context.close("bandcheck timeout")
            return
        }
        // Play packets until the rate reaches the limit or the socket is full.
        var packets = 0
        while packets < AppTuning.bandcheckPacketsPerTick {
            let messages = check.tick(now: now, wallMs: Self.wallMs(), sent: tcp.bytesSent, received: tcp.bytesReceived, canSend: tcp.isWritable)
            if messages.isEmpty { break }
            send(messages)
            packets += 1
        }
        afterStep()
        if !finished { scheduleTick() }
    }

    private func afterStep() {
        guard check.phase == .done, !finished else { return }
        finished = true
        let result = check.result
        log.trace(context.id, "bandcheck: done in \(tcp.loop.now - startedAt) ms, play \(result.playKbps) kbps (\(result.playBytes) bytes in \(result.playMs) ms), publish \(result.publishKbps) kbps (\(result.publishBytes) bytes in \(result.publishMs) ms)")
        // SRS waits 600 ms for Flash to read the last packets, then closes.
        tcp.loop.schedule(afterMilliseconds: AppTuning.bandcheckFinalWaitMs) { [weak self] in
            // The client may have left already (SRS's clients close after finalClientPacket).
            guard let self, connectionOpen else { return }
            context.close("bandcheck done")
        }
    }

    private func send(_ messages: [RTMPMessage]) {
        guard !messages.isEmpty else { return }
        for message in messages { context.session.send(message) }
        context.flush()
    }

    private static func wallMs() -> Int64 {
        var now = timeval()
        gettimeofday(&now, nil)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_usec) / 1000
    }
}
