import SRSIO

/// What every bench player measures, the same way for RTMP, HTTP-FLV and HLS: bytes, the time
/// from connect to the first video frame, video timestamps that go backwards, and the receive
/// rate over the time it played. Confined to the player's loop.
struct PlayerTally {
    let statistics: BenchStatistics
    let startedAt = MonotonicClock.milliseconds()
    private(set) var bytes = 0
    private(set) var playingSince: Int64?
    private var gotVideo = false
    private var lastVideoTimestamp: Int64 = -1

    init(statistics: BenchStatistics) { self.statistics = statistics }

    mutating func received(bytes count: Int) {
        bytes += count
        statistics.bytes.add(count, ordering: .relaxed)
    }

    /// The server started the stream.
    mutating func playing() {
        guard playingSince == nil else { return }
        playingSince = MonotonicClock.milliseconds()
        statistics.playing.add(1, ordering: .relaxed)
    }

    /// A video message: the first one sets the startup time; `coded` frames must not go back
    /// in time.
    mutating func video(timestamp: Int64, coded: Bool = true) {
        if !gotVideo {
            gotVideo = true
            statistics.recordStartup(milliseconds: MonotonicClock.milliseconds() - startedAt)
        }
        guard coded else { return }
        if timestamp < lastVideoTimestamp { statistics.regressions.add(1, ordering: .relaxed) }
        lastVideoTimestamp = timestamp
    }

    /// The player's receive rate, once, at the end of the run.
    func recordRate() {
        guard let since = playingSince else { return }
        let seconds = Double(MonotonicClock.milliseconds() - since) / 1000
        if seconds > 0 { statistics.recordRate(kbps: Double(bytes) * 8 / 1000 / seconds) }
    }
}

/// What the runner needs of any client.
protocol BenchClient: AnyObject {
    /// The loop the client is confined to.
    var loop: EventLoop { get }
    func start()
    func finish()
}
