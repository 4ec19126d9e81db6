import Glibc

/// Monotonic time for timeouts and rates.
public enum MonotonicClock {
    /// Milliseconds since an arbitrary start (CLOCK_MONOTONIC).
    @inline(__always)
    public static func milliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    /// Microseconds since an arbitrary start (CLOCK_MONOTONIC).
    @inline(__always)
    public static func microseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000
    }
}
