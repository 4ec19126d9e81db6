import Foundation

/// Waits until a stream time (ms) is due on the wall clock, from when the pacer started:
/// publishing at the media's real-time pace.
struct Pacer {
    private let start = Date()

    func wait(until timestampMs: UInt32, after firstMs: UInt32) {
        let due = Double(Int64(timestampMs) - Int64(firstMs)) / 1000
        let wait = due - Date().timeIntervalSince(start)
        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
    }

    var elapsed: TimeInterval { Date().timeIntervalSince(start) }

    /// Milliseconds left of a run limited to `seconds` (nil: no limit), at least 0.
    func remainingMs(of seconds: Double?) -> Int? {
        seconds.map { Int(max(0, ($0 - elapsed) * 1000)) }
    }
}
