import SRSIO
import SRSKernel
import SRSRTMP

/// One RTMP publisher looping an FLV file at real-time pace, with timestamps that keep
/// growing across loops. Paced by its loop's timer. Confined to its loop.
final class RTMPBenchPublisher: TransportDelegate, BenchClient {
    let tcp: TCPConnection
    private let session: RTMPClientSession
    private let statistics: BenchStatistics
    private let tags: [FLV.Tag]
    private let fileDuration: Int64
    private var startedAt: Int64 = 0
    private var next = 0
    private var loops: Int64 = 0
    private var tickId: Int?
    /// Stamps each coded video frame with its wall-clock send time (`latency` mode).
    private let stampsLatency: Bool
    private(set) var finished = false

    init(tcp: TCPConnection, url: String, tags: [FLV.Tag], statistics: BenchStatistics, stampsLatency: Bool = false) throws {
        guard let session = RTMPClientSession(url: url, mode: .publish) else { throw BenchError("bad RTMP URL \(url)") }
        self.tcp = tcp
        self.session = session
        self.tags = tags
        self.statistics = statistics
        self.stampsLatency = stampsLatency
        fileDuration = Int64(tags.last?.timestamp ?? 0) + 40
    }

    var loop: EventLoop { tcp.loop }

    func start() {
        tcp.start(delegate: self)
        tcp.send(session.start())
    }

    func connection(_ connection: any Transport, didReceive bytes: UnsafeRawBufferPointer) {
        let events: [RTMPClientSession.Event]
        do {
            events = try session.receive(bytes)
        } catch {
            fail("protocol error: \(error.context)")
            return
        }
        for event in events {
            switch event {
            case .connected:
                statistics.connected.add(1, ordering: .relaxed)
            case .started:
                statistics.playing.add(1, ordering: .relaxed)
                startedAt = MonotonicClock.milliseconds()
                tickId = tcp.loop.addTickHandler { [weak self] in self?.sendDue() }
                sendDue()
            case .status(let code, let level, _):
                if level == "error" { fail(code) }
            case .media, .call:
                break
            }
        }
        if session.hasOutput { tcp.send(session.takeOutput()) }
    }

    /// Sends every tag whose time has come.
    private func sendDue() {
        guard !finished, !tags.isEmpty else { return }
        let elapsed = MonotonicClock.milliseconds() - startedAt
        var sent = 0
        while true {
            let tag = tags[next]
            let timestamp = loops * fileDuration + Int64(tag.timestamp)
            if timestamp > elapsed { break }
            let payload = stampsLatency && tag.type == 9 ? LatencyStamp.stamped(tag.body, at: LatencyStamp.now()) : tag.body
            session.publish(RTMPMessage(typeId: tag.type, timestamp: timestamp, payload: payload))
            statistics.bytes.add(payload.count, ordering: .relaxed)
            sent += 1
            next += 1
            if next == tags.count {
                next = 0
                loops += 1
            }
        }
        if sent > 0 {
            statistics.messages.add(sent, ordering: .relaxed)
            tcp.send(session.takeOutput())
        }
    }

    func connectionDidDrain(_ connection: any Transport) {}

    func connection(_ connection: any Transport, didCloseWith reason: CloseReason) {
        if let tickId { tcp.loop.removeTickHandler(tickId) }
        tickId = nil
        if !finished { fail("closed: \(reason)") }
    }

    private func fail(_ reason: String) {
        guard !finished else { return }
        finished = true
        statistics.fail(reason)
        tcp.close(.local(reason))
    }

    func finish() {
        guard !finished else { return }
        finished = true
        tcp.close(.local("bench finished"))
    }
}
