import Foundation
import Histogram
import SRSIO
import SRSKernel
import Synchronization

/// Counters shared by every client of a run, plus what the summary needs.
final class BenchStatistics: Sendable {
    let connected = Atomic<Int>(0)
    let playing = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
    let bytes = Atomic<Int>(0)
    let messages = Atomic<Int>(0)
    let regressions = Atomic<Int>(0)
    private let failures = LockedValue<[String: Int]>([:])
    private let startup = LockedValue(Histogram<UInt64>(highestTrackableValue: 3_600_000, numberOfSignificantValueDigits: .three))
    private let rates = LockedValue<[Double]>([])
    private let latency = LockedValue(Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three))

    func fail(_ reason: String) {
        failed.add(1, ordering: .relaxed)
        failures.withLock { $0[reason, default: 0] += 1 }
    }

    /// Connect-to-first-video time of one player, ms.
    func recordStartup(milliseconds: Int64) {
        startup.withLock { _ = $0.record(UInt64(max(0, milliseconds))) }
    }

    /// Publish-to-play delay of one frame, microseconds.
    func recordLatency(microseconds: Int64) {
        latency.withLock { _ = $0.record(UInt64(max(0, microseconds))) }
    }

    /// A player's average receive rate over its playing time, kbps.
    func recordRate(kbps: Double) { rates.withLock { $0.append(kbps) } }

    var failureReasons: [String: Int] { failures.withLock { $0 } }
    var startupPercentiles: (p50: UInt64, p90: UInt64, p99: UInt64, max: UInt64, count: UInt64) {
        startup.withLock { histogram in
            (histogram.valueAtPercentile(50), histogram.valueAtPercentile(90), histogram.valueAtPercentile(99), histogram.max, histogram.totalCount)
        }
    }
    /// Delay percentiles in milliseconds.
    var latencyPercentiles: (p50: Double, p90: Double, p99: Double, max: Double, count: UInt64) {
        latency.withLock { histogram in
            (Double(histogram.valueAtPercentile(50)) / 1000, Double(histogram.valueAtPercentile(90)) / 1000,
             Double(histogram.valueAtPercentile(99)) / 1000, Double(histogram.max) / 1000, histogram.totalCount)
        }
    }
    var receiveRates: [Double] { rates.withLock { $0 } }
}
