import SRSKernel
import CoreMetrics
import Prometheus
import Synchronization

/// Prometheus text at `/metrics` (beyond SRS 2.0): swift-metrics counters and gauges backed by
/// a swift-prometheus registry, refreshed from the server's counters on each scrape.
final class MetricsExporter: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let connections: CoreMetrics.Gauge
    private let streams: CoreMetrics.Gauge
    private let residentMemory: CoreMetrics.Gauge
    private let cpuPercent: CoreMetrics.Gauge
    private let state = LockedValue(State())

    /// Per-stream metrics and the counter values last exported (counters only move forward).
    private struct StreamMetrics {
        var clients: CoreMetrics.Gauge
        var received: CoreMetrics.Counter
        var sent: CoreMetrics.Counter
        var dropped: CoreMetrics.Counter
        var frames: CoreMetrics.Counter
        var last: (received: UInt64, sent: UInt64, dropped: UInt64, frames: UInt64) = (0, 0, 0, 0)

        func destroy() {
            clients.destroy()
            received.destroy()
            sent.destroy()
            dropped.destroy()
            frames.destroy()
        }
    }

    private struct State {
        var streams: [Int: StreamMetrics] = [:]
        var clientsByType: [String: CoreMetrics.Gauge] = [:]
    }

    init() {
        factory = PrometheusMetricsFactory(registry: registry)
        connections = CoreMetrics.Gauge(label: "srs_connections", factory: factory)
        streams = CoreMetrics.Gauge(label: "srs_streams", factory: factory)
        residentMemory = CoreMetrics.Gauge(label: "srs_resident_memory_kbytes", factory: factory)
        cpuPercent = CoreMetrics.Gauge(label: "srs_cpu_percent", factory: factory)
    }

    /// The Prometheus text exposition of the server's state now.
    func render(_ server: Server) -> [UInt8] {
        let sources = server.streams.all
        let clients = server.clients.all
        connections.record(server.activeConnections)
        streams.record(sources.count)
        residentMemory.record(SystemStatistics.residentKB())
        cpuPercent.record(server.systemStatistics.processCPUPercent)
        state.withLock { state in
            var byType: [String: Int] = [:]
            for client in clients { byType[client.kind.rawValue, default: 0] += 1 }
            for type in Set(byType.keys).union(state.clientsByType.keys) {
                let gauge = state.clientsByType[type] ?? CoreMetrics.Gauge(label: "srs_clients", dimensions: [("type", type)], factory: factory)
                state.clientsByType[type] = gauge
                gauge.record(byType[type] ?? 0)
            }
            var live = Set<Int>()
            for source in sources {
                live.insert(source.id)
                let labels = [("vhost", source.vhost), ("app", source.app), ("stream", source.stream)]
                var metrics = state.streams[source.id] ?? StreamMetrics(
                    clients: CoreMetrics.Gauge(label: "srs_stream_clients", dimensions: labels, factory: factory),
                    received: CoreMetrics.Counter(label: "srs_stream_received_bytes_total", dimensions: labels, factory: factory),
                    sent: CoreMetrics.Counter(label: "srs_stream_sent_bytes_total", dimensions: labels, factory: factory),
                    dropped: CoreMetrics.Counter(label: "srs_stream_dropped_messages_total", dimensions: labels, factory: factory),
                    frames: CoreMetrics.Counter(label: "srs_stream_video_frames_total", dimensions: labels, factory: factory))
                let statistics = source.statistics
                let now = (statistics.received, statistics.sent, statistics.dropped, statistics.frames)
                metrics.received.increment(by: Int64(now.0 - metrics.last.received))
                metrics.sent.increment(by: Int64(now.1 - metrics.last.sent))
                metrics.dropped.increment(by: Int64(now.2 - metrics.last.dropped))
                metrics.frames.increment(by: Int64(now.3 - metrics.last.frames))
                metrics.last = now
                metrics.clients.record(clients.filter { $0.vhost == source.vhost && $0.app == source.app && $0.stream == source.stream }.count)
                state.streams[source.id] = metrics
            }
            for (id, metrics) in state.streams where !live.contains(id) {
                metrics.destroy()
                state.streams[id] = nil
            }
        }
        return Self.addingHelp(to: registry.emitToBuffer())
    }

    /// What each metric means, written as `# HELP` before its `# TYPE` line.
    static let help: [String: String] = [
        "srs_connections": "Client connections open now (RTMP and HTTP).",
        "srs_streams": "Live streams known now (published, or waited for by players).",
        "srs_resident_memory_kbytes": "Resident memory of the server process, kB.",
        "srs_cpu_percent": "CPU used by the server process over the last sample, percent of one core.",
        "srs_clients": "Clients now, by type (fmle-publish, rtmp-play, flv-play, ...).",
        "srs_stream_clients": "Clients of the stream now (its publisher and players).",
        "srs_stream_received_bytes_total": "Bytes the stream received from its publisher.",
        "srs_stream_sent_bytes_total": "Bytes the stream sent to its players.",
        "srs_stream_dropped_messages_total": "Messages skipped for players that fell behind (queue_length).",
        "srs_stream_video_frames_total": "Video frames the stream received.",
    ]

    /// The exposition with a `# HELP` line before each `# TYPE` line of a known metric.
    static func addingHelp(to text: [UInt8]) -> [UInt8] {
        var lines: [Substring] = []
        for line in String(decoding: text, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# TYPE "), let name = line.split(separator: " ").dropFirst(2).first, let meaning = help[String(name)] {
                lines.append(Substring("# HELP \(name) \(meaning)"))
            }
            lines.append(line)
        }
        return Array(lines.joined(separator: "\n").utf8)
    }
}
