import SRSIO
import SRSKernel
import SRSRTMP

/// One RTMP player of a run, on the project's own client state machine (complex handshake,
/// acknowledgements, ping replies, the server's chunk size). Confined to its loop.
final class RTMPBenchPlayer: TransportDelegate, BenchClient {
    let tcp: TCPConnection
    private let session: RTMPClientSession
    private let statistics: BenchStatistics
    private var tally: PlayerTally
    /// Reads the send-time stamps of a `latency` run.
    private let measuresLatency: Bool
    private(set) var finished = false

    init(tcp: TCPConnection, url: String, statistics: BenchStatistics, measuresLatency: Bool = false) throws {
        guard let session = RTMPClientSession(url: url, mode: .play) else { throw BenchError("bad RTMP URL \(url)") }
        self.tcp = tcp
        self.session = session
        self.statistics = statistics
        tally = PlayerTally(statistics: statistics)
        self.measuresLatency = measuresLatency
    }

    var loop: EventLoop { tcp.loop }

    func start() {
        tcp.start(delegate: self)
        tcp.send(session.start())
    }

    func connection(_ connection: any Transport, didReceive bytes: UnsafeRawBufferPointer) {
        tally.received(bytes: bytes.count)
        let events: [RTMPClientSession.Event]
        do {
            events = try session.receive(bytes)
        } catch {
            fail("protocol error: \(error.context)")
            return
        }
        var messages = 0
        for event in events {
            switch event {
            case .connected:
                statistics.connected.add(1, ordering: .relaxed)
            case .started:
                tally.playing()
            case .status(let code, let level, _):
                if level == "error" { fail(code) }
            case .media(let message):
                messages += 1
                guard message.typeId == RTMPMessageType.video, message.payload.count > 1 else { continue }
                let coded = message.payload[1] == 1
                tally.video(timestamp: message.timestamp, coded: coded)
                if coded, measuresLatency, MonotonicClock.milliseconds() - tally.startedAt > BenchRunner.latencyWarmupMs,
                   let sent = message.payload.withUnsafeBytes({ LatencyStamp.read($0) }) {
                    statistics.recordLatency(microseconds: LatencyStamp.now() - sent)
                }
            case .call:
                break
            }
        }
        if messages > 0 { statistics.messages.add(messages, ordering: .relaxed) }
        if session.hasOutput { tcp.send(session.takeOutput()) }
    }

    func connectionDidDrain(_ connection: any Transport) {}

    func connection(_ connection: any Transport, didCloseWith reason: CloseReason) {
        if !finished { fail("closed: \(reason)") }
    }

    private func fail(_ reason: String) {
        guard !finished else { return }
        finished = true
        statistics.fail(reason)
        tcp.close(.local(reason))
    }

    /// Ends the run for this player: records its receive rate and closes.
    func finish() {
        guard !finished else { return }
        finished = true
        tally.recordRate()
        tcp.close(.local("bench finished"))
    }
}
