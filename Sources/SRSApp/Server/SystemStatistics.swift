import SRSKernel
import Foundation
import SRSIO
import Synchronization

/// Process and machine figures for `/api/v1/summaries` and friends, read from /proc and
/// getrusage. CPU percentages come from the difference between two samples (every few s).
final class SystemStatistics: Sendable {
    private struct CPUSample {
        var time: Int64 = 0
        var processTicks: UInt64 = 0
        var systemBusy: UInt64 = 0
        var systemTotal: UInt64 = 0
        var processPercent = 0.0
        var systemPercent = 0.0
    }

    private struct DiskSample {
        var time: Int64 = 0
        var counters = DiskCounters()
        var readKBps = 0.0
        var writeKBps = 0.0
        var busyPercent = 0.0
    }

    /// Sums over disks of /proc/diskstats.
    struct DiskCounters {
        var sectorsRead: UInt64 = 0
        var sectorsWritten: UInt64 = 0
        /// Milliseconds spent doing I/O.
        var ioMs: UInt64 = 0
    }

    private let cpu = LockedValue(CPUSample())
    private let disk = LockedValue(DiskSample())
    let startedAt = MonotonicClock.milliseconds()
    let startedWallMs = Int64(Date().timeIntervalSince1970 * 1000)

    /// Takes a CPU and disk sample (called every few seconds); `disks`: `stats { disk ...; }`
    /// (every whole disk when empty).
    func sample(now: Int64, disks: [String] = []) {
        let counters = Self.diskCounters(devices: disks)
        disk.withLock { state in
            if state.time > 0 && now > state.time {
                let seconds = Double(now - state.time) / 1000
                // A counter that went down (a disk left the set) counts as no change.
                func grown(_ new: UInt64, _ old: UInt64) -> Double { new >= old ? Double(new - old) : 0 }
                state.readKBps = grown(counters.sectorsRead, state.counters.sectorsRead) * 512 / 1024 / seconds
                state.writeKBps = grown(counters.sectorsWritten, state.counters.sectorsWritten) * 512 / 1024 / seconds
                state.busyPercent = min(100, grown(counters.ioMs, state.counters.ioMs) / Double(now - state.time) * 100)
            }
            state.time = now
            state.counters = counters
        }
        let process = Self.processTicks()
        let (busy, total) = Self.systemTicks()
        cpu.withLock { state in
            if state.time > 0 && now > state.time {
                let seconds = Double(now - state.time) / 1000
                let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
                state.processPercent = Double(process &- state.processTicks) / ticksPerSecond / seconds * 100
                if total > state.systemTotal {
                    state.systemPercent = Double(busy &- state.systemBusy) / Double(total - state.systemTotal) * 100
                }
            }
            state.time = now
            state.processTicks = process
            state.systemBusy = busy
            state.systemTotal = total
        }
    }

    var processCPUPercent: Double { cpu.withLock { $0.processPercent } }
    /// Disk throughput and busy time between the last two samples.
    var diskRates: (readKBps: Double, writeKBps: Double, busyPercent: Double) {
        disk.withLock { ($0.readKBps, $0.writeKBps, $0.busyPercent) }
    }

    /// /proc/diskstats summed over `devices` (or over every whole disk: the entries of
    /// /sys/block but loop, ram and zram devices).
    static func diskCounters(devices: [String]) -> DiskCounters {
        let names = devices.isEmpty
            ? Set(((try? FileManager.default.contentsOfDirectory(atPath: "/sys/block")) ?? []).filter { !$0.hasPrefix("loop") && !$0.hasPrefix("ram") && !$0.hasPrefix("zram") })
            : Set(devices)
        var counters = DiskCounters()
        for line in read("/proc/diskstats").split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 13, names.contains(String(fields[2])) else { continue }
            counters.sectorsRead &+= UInt64(fields[5]) ?? 0
            counters.sectorsWritten &+= UInt64(fields[9]) ?? 0
            counters.ioMs &+= UInt64(fields[12]) ?? 0
        }
        return counters
    }
    var systemCPUPercent: Double { cpu.withLock { $0.systemPercent } }

    static func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// Fields of /proc/self/stat after the command name.
    static func selfStatFields() -> [String] {
        let text = read("/proc/self/stat")
        guard let close = text.lastIndex(of: ")") else { return [] }
        return text[text.index(after: close)...].split(separator: " ").map(String.init)
    }

    static func processTicks() -> UInt64 {
        let fields = selfStatFields()  // fields[0] is state (field 3); utime is field 14, stime 15
        guard fields.count > 13 else { return 0 }
        return (UInt64(fields[11]) ?? 0) + (UInt64(fields[12]) ?? 0)
    }

    static func systemTicks() -> (busy: UInt64, total: UInt64) {
        guard let line = read("/proc/stat").split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return (0, 0) }
        let values = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        let total = values.reduce(0, +)
        let idle = (values.count > 3 ? values[3] : 0) + (values.count > 4 ? values[4] : 0)
        return (total - idle, total)
    }

    /// /proc/meminfo as [name: kB].
    static func memoryInfo() -> [(String, Int64)] {
        read("/proc/meminfo").split(separator: "\n").compactMap { line in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let value = Int64(parts[1].split(separator: " ").first ?? "") else { return nil }
            return (String(parts[0]), value)
        }
    }

    /// Resident set size of this process in kB.
    static func residentKB() -> Int64 {
        for line in read("/proc/self/status").split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int64(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        return 0
    }

    static func loadAverages() -> [Double] {
        read("/proc/loadavg").split(separator: " ").prefix(3).compactMap { Double($0) }
    }

    static func uptimeSeconds() -> (uptime: Double, idle: Double) {
        let parts = read("/proc/uptime").split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        return (parts.first ?? 0, parts.count > 1 ? parts[1] : 0)
    }

    /// Received and sent bytes of the interfaces, and of the loopback (intranet).
    static func networkBytes() -> (received: Int64, sent: Int64, intranetReceived: Int64, intranetSent: Int64) {
        var received: Int64 = 0
        var sent: Int64 = 0
        var intranetReceived: Int64 = 0
        var intranetSent: Int64 = 0
        for line in read("/proc/net/dev").split(separator: "\n").dropFirst(2) {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let values = parts[1].split(separator: " ").compactMap { Int64($0) }
            guard values.count >= 9 else { continue }
            // SRS counts the loopback as intranet traffic (net_recvi_bytes).
            if parts[0].trimmingCharacters(in: .whitespaces) == "lo" {
                intranetReceived += values[0]
                intranetSent += values[8]
            } else {
                received += values[0]
                sent += values[8]
            }
        }
        return (received, sent, intranetReceived, intranetSent)
    }

    /// TCP sockets in use, established, time-wait; UDP in use (from /proc/net/sockstat).
    static func socketCounts() -> (tcp: Int, established: Int, timeWait: Int, udp: Int) {
        var tcp = 0
        var timeWait = 0
        var udp = 0
        for line in read("/proc/net/sockstat").split(separator: "\n") {
            let words = line.split(separator: " ")
            func value(_ key: String) -> Int {
                guard let index = words.firstIndex(where: { $0 == key }), index + 1 < words.count else { return 0 }
                return Int(words[index + 1]) ?? 0
            }
            if line.hasPrefix("TCP:") {
                tcp = value("inuse")
                timeWait = value("tw")
            } else if line.hasPrefix("UDP:") {
                udp = value("inuse")
            }
        }
        var established = 0
        for file in ["/proc/net/tcp", "/proc/net/tcp6"] {
            for line in read(file).split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                if fields.count > 3 && fields[3] == "01" { established += 1 }
            }
        }
        return (tcp, established, timeWait, udp)
    }
}
