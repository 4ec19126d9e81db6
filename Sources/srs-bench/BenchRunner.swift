import Foundation
import SRSIO
import SRSKernel
import Synchronization

/// Starts clients at the ramp rate on the I/O loops, prints a line per second, stops every
/// client after the duration and prints the summary.
final class BenchRunner: @unchecked Sendable {
    let options: BenchOptions
    let statistics = BenchStatistics()
    /// A latency player skips the frames of its first 3 s: they include the GOP cache, whose
    /// frames are old by design (with gop_cache on, p99 was 906 ms with them, 350 ms without).
    static let latencyWarmupMs: Int64 = 3000
    /// The stamping publisher of a `latency` run, counted apart from the players.
    private let publisherStatistics = BenchStatistics()
    private let group = EventLoopGroup()
    /// Touched only on `control`.
    private var clients: [BenchClient] = []
    /// `churn` clients still alive, by start index. Touched only on `control`.
    private var churning: [Int: BenchClient] = [:]
    private let control = DispatchQueue(label: "srs-bench.control")
    private var started = 0
    private var startTime: Int64 = 0
    private var lastLine = (bytes: 0, messages: 0)
    private let url: BenchURL
    private let tags: [FLV.Tag]
    private let flvURL: BenchURL?

    init(options: BenchOptions) throws {
        self.options = options
        url = try BenchURL(options.url)
        flvURL = try options.flvURL.map(BenchURL.init)
        if let input = options.input {
            let data = try Data(contentsOf: URL(fileURLWithPath: input))
            do {
                tags = try FLV.parseFile([UInt8](data)).filter { $0.type == 8 || $0.type == 9 || $0.type == 18 }
            } catch {
                throw BenchError("\(input) is not an FLV file: \(error)")
            }
            guard !tags.isEmpty else { throw BenchError("\(input) holds no tags") }
        } else {
            tags = []
        }
    }

    /// Runs to the end and exits the process.
    func run() -> Never {
        SignalWatcher.ignoreBrokenPipe()
        ProcessLimits.raiseFileDescriptorLimit()
        startTime = MonotonicClock.milliseconds()
        var rampDelay = DispatchTimeInterval.seconds(0)
        if options.mode == .latency || options.mode == .churn {
            control.sync { startPublisher() }
            rampDelay = .seconds(1)
        }
        let ramp = DispatchSource.makeTimerSource(queue: control)
        ramp.schedule(deadline: .now() + rampDelay, repeating: .milliseconds(10))
        var rampStart: Int64?
        ramp.setEventHandler { [self] in
            // As many clients as the time since the ramp began calls for (timer ticks drift).
            let now = MonotonicClock.milliseconds()
            let due = Int((now - (rampStart ?? now)) * Int64(options.ramp) / 1000) + 1
            if rampStart == nil { rampStart = now }
            while started < due && (options.mode == .churn || started < options.clients) {
                startClient(index: started)
                started += 1
            }
        }
        ramp.activate()
        let report = DispatchSource.makeTimerSource(queue: control)
        report.schedule(deadline: .now() + 1, repeating: 1)
        report.setEventHandler { [self] in printLine() }
        report.activate()
        let timers = UncheckedSendable([ramp, report])
        control.asyncAfter(deadline: .now() + .seconds(options.duration)) { [self] in
            for timer in timers.value { timer.cancel() }
            finish()
        }
        dispatchMain()
    }

    private func startPublisher() {
        let loop = group.next()
        do {
            let tcp = try TCPConnection.connect(host: url.host, port: url.port, loop: loop)
            launch(try RTMPBenchPublisher(tcp: tcp, url: options.url, tags: tags, statistics: publisherStatistics,
                                          stampsLatency: options.mode == .latency))
        } catch {
            publisherStatistics.fail("\(error)")
        }
    }

    private func startClient(index: Int) {
        let loop = group.next()
        do {
            let client: BenchClient
            switch options.mode {
            case .play, .latency:
                let tcp = try TCPConnection.connect(host: url.host, port: url.port, loop: loop)
                client = try RTMPBenchPlayer(tcp: tcp, url: options.url, statistics: statistics, measuresLatency: options.mode == .latency)
            case .flv:
                let tcp = try TCPConnection.connect(host: url.host, port: url.port, loop: loop)
                client = FLVBenchPlayer(tcp: tcp, url: url, statistics: statistics)
            case .hls:
                client = HLSBenchPlayer(loop: loop, url: url, statistics: statistics)
            case .publish:
                let tcp = try TCPConnection.connect(host: url.host, port: url.port, loop: loop)
                let name = options.clients > 1 ? "\(options.url)-\(index)" : options.url
                client = try RTMPBenchPublisher(tcp: tcp, url: name, tags: tags, statistics: statistics)
            case .churn:
                try startChurnClient(index: index, loop: loop)
                return
            }
            launch(client)
        } catch {
            statistics.fail("\(error)")
        }
    }

    /// One short-lived client of a `churn` run (see the usage text for the mix).
    private func startChurnClient(index: Int, loop: EventLoop) throws {
        let kind = index % 10
        let client: BenchClient
        if kind >= 8 {
            let tcp = try TCPConnection.connect(host: url.host, port: url.port, loop: loop)
            client = try RTMPBenchPublisher(tcp: tcp, url: "\(options.url)-churn-\(index)", tags: tags, statistics: statistics)
        } else if kind >= 6, let flvURL {
            let tcp = try TCPConnection.connect(host: flvURL.host, port: flvURL.port, loop: loop)
            client = FLVBenchPlayer(tcp: tcp, url: flvURL, statistics: statistics, byteLimit: Int.random(in: 1024...65536))
        } else {
            let tcp = try TCPConnection.connect(host: url.host, port: url.port, loop: loop)
            client = try RTMPBenchPlayer(tcp: tcp, url: options.url, statistics: statistics)
        }
        churning[index] = client
        let box = UncheckedSendable(client)
        loop.post { box.value.start() }
        control.asyncAfter(deadline: .now() + .milliseconds(Int.random(in: 200...2000))) { [self] in
            guard churning.removeValue(forKey: index) != nil else { return }
            loop.post { box.value.finish() }
        }
    }

    /// Keeps `client` for the end of the run and starts it on its loop.
    private func launch(_ client: BenchClient) {
        clients.append(client)
        let box = UncheckedSendable(client)
        client.loop.post { box.value.start() }
    }

    private func printLine() {
        guard !options.json else { return }
        let seconds = (MonotonicClock.milliseconds() - startTime) / 1000
        let bytes = statistics.bytes.load(ordering: .relaxed)
        let messages = statistics.messages.load(ordering: .relaxed)
        let mbps = Double(bytes - lastLine.bytes) * 8 / 1_000_000
        print(String(format: "[%4llds] connected=%d playing=%d failed=%d %.2f Mbps %d msgs/s", seconds,
                     statistics.connected.load(ordering: .relaxed), statistics.playing.load(ordering: .relaxed),
                     statistics.failed.load(ordering: .relaxed), mbps, messages - lastLine.messages))
        lastLine = (bytes, messages)
        fflush(nil)
    }

    private func finish() {
        let all = clients + Array(churning.values)
        churning = [:]
        let done = DispatchGroup()
        for client in all {
            done.enter()
            let box = UncheckedSendable(client)
            client.loop.post {
                box.value.finish()
                done.leave()
            }
        }
        done.wait()
        printSummary()
        let failures = statistics.failed.load(ordering: .relaxed) + publisherStatistics.failed.load(ordering: .relaxed)
        exit(failures == 0 ? 0 : 2)
    }

    private func printSummary() {
        let elapsed = Double(MonotonicClock.milliseconds() - startTime) / 1000
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        let startup = statistics.startupPercentiles
        let rates = statistics.receiveRates.sorted()
        let median = rates.isEmpty ? 0 : rates[rates.count / 2]
        let starved = rates.filter { $0 < median / 2 }.count
        let failures = statistics.failureReasons
        let bytes = statistics.bytes.load(ordering: .relaxed)
        var summary: [(String, String)] = [
            ("mode", "\"\(options.mode.rawValue)\""), ("clients", "\(options.mode == .churn ? started : options.clients)"), ("duration_s", String(format: "%.1f", elapsed)),
            ("connected", "\(statistics.connected.load(ordering: .relaxed))"), ("playing", "\(statistics.playing.load(ordering: .relaxed))"),
            ("failed", "\(statistics.failed.load(ordering: .relaxed))"),
            ("failures", "{" + failures.sorted { $0.key < $1.key }.map { "\"\($0.key.replacingOccurrences(of: "\"", with: "'"))\":\($0.value)" }.joined(separator: ",") + "}"),
            ("startup_ms_p50", "\(startup.p50)"), ("startup_ms_p90", "\(startup.p90)"), ("startup_ms_p99", "\(startup.p99)"),
            ("startup_ms_max", "\(startup.max)"), ("startup_samples", "\(startup.count)"),
            ("rate_kbps_min", String(format: "%.1f", rates.first ?? 0)), ("rate_kbps_median", String(format: "%.1f", median)),
            ("starved", "\(starved)"), ("timestamp_regressions", "\(statistics.regressions.load(ordering: .relaxed))"),
            ("total_mbytes", String(format: "%.1f", Double(bytes) / 1e6)),
            ("tool_cpu_s", String(format: "%.2f", cpu)), ("tool_cpu_percent", String(format: "%.1f", cpu / elapsed * 100)),
        ]
        if options.mode == .latency || options.mode == .churn {
            summary.append(("publisher_failures", "\(publisherStatistics.failed.load(ordering: .relaxed))"))
        }
        if options.mode == .latency {
            let delay = statistics.latencyPercentiles
            summary += [
                ("latency_ms_p50", String(format: "%.1f", delay.p50)), ("latency_ms_p90", String(format: "%.1f", delay.p90)),
                ("latency_ms_p99", String(format: "%.1f", delay.p99)), ("latency_ms_max", String(format: "%.1f", delay.max)),
                ("latency_samples", "\(delay.count)"),
            ]
        }
        if options.json {
            print("{" + summary.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}")
        } else {
            print("summary:")
            for (key, value) in summary { print("  \(key): \(value)") }
        }
        fflush(nil)
    }
}

/// Hands a loop-confined object to its loop.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
