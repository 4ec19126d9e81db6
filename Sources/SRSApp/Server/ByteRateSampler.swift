import SRSIO

/// Receive/send rates over a sliding 30 s window (SRS's `kbps.recv_30s` / `send_30s`), from
/// byte counters sampled every few seconds.
struct ByteRateSampler: Sendable {
    static let windowMs: Int64 = 30_000
    private var samples: [(time: Int64, received: UInt64, sent: UInt64)] = []

    /// Records the counters at `now`; keeps one sample at or before the window's start.
    mutating func sample(now: Int64, received: UInt64, sent: UInt64) {
        samples.append((now, received, sent))
        while samples.count > 2 && samples[1].time <= now - Self.windowMs { samples.removeFirst() }
    }

    /// (recv kbps, send kbps) over the window, 0 until two samples exist.
    var kbps: (received: Int, sent: Int) {
        guard let first = samples.first, let last = samples.last, last.time > first.time else { return (0, 0) }
        let milliseconds = Double(last.time - first.time)
        let received = Double(last.received &- first.received) * 8 / milliseconds
        let sent = Double(last.sent &- first.sent) * 8 / milliseconds
        return (Int(received.rounded()), Int(sent.rounded()))
    }
}
