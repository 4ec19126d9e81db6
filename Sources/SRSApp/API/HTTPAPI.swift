import Foundation
import SRSConfig
import SRSIO

/// SRS's HTTP API (`/api/v1/...`) as JSON values, answered from the server's registries.
/// Transport concerns (JSONP, CORS, gzip) are the HTTP connection's.
struct HTTPAPI {
    unowned let server: Server

    /// SRS error codes used by the API.
    enum Code {
        static let success = 0
        static let vhostNotFound = 1018
        static let streamNotFound = 2048
        static let clientNotFound = 2049
        static let notFound = 404
        static let methodNotAllowed = 405
        /// SRS 5 srs_kernel_error.hpp: the raw API refused the rpc, or is off.
        static let rawFailed = 1060
        static let rawDisabled = 1061
    }

    /// The answer to `method path?query` (HTTP status and body).
    func handle(method: String, path: String, query: (String) -> String?) -> (status: Int, body: JSONValue) {
        var parts = path.split(separator: "/").map(String.init)
        // SRS 2.0 srs_app_http_api.cpp:144-150: the root lists the API.
        if parts.isEmpty { return (200, ["code": 0, "server": serverId, "urls": ["api": "the api root"]]) }
        guard parts.first == "api" else { return (404, error(Code.notFound)) }
        parts.removeFirst()
        if parts.isEmpty {
            return (200, ["code": 0, "server": serverId, "urls": ["v1": "the api version 1.0"]])
        }
        guard parts.first == "v1" else { return (404, error(Code.notFound)) }
        parts.removeFirst()
        let resource = parts.first ?? ""
        let id = parts.count > 1 ? Int(parts[1]) : nil
        if parts.count > 1 && id == nil { return (404, error(Code.notFound)) }
        if method == "DELETE" && resource != "clients" { return (405, error(Code.methodNotAllowed)) }
        switch resource {
        case "": return (200, index)
        case "versions": return (200, versions)
        case "summaries": return (200, summaries)
        case "rusages": return (200, rusages)
        case "self_proc_stats": return (200, selfProcStats)
        case "system_proc_stats": return (200, systemProcStats)
        case "meminfos": return (200, memoryInfo)
        case "authors": return (200, authors)
        case "features": return (200, features)
        case "vhosts": return vhosts(id: id)
        case "streams": return streams(id: id, start: query("start"), count: query("count"))
        case "clients": return clients(method: method, id: id, start: query("start"), count: query("count"))
        case "processes": return (200, processes)
        case "raw": return (200, raw(rpc: query("rpc") ?? ""))
        default: return (404, error(Code.notFound))
        }
    }

    private var serverId: JSONValue { .number(server.serverId) }

    /// SRS 5's raw API: `rpc=raw` shows its settings; `rpc=reload` reloads the config file (as
    /// SIGHUP) when `raw_api { enabled on; allow_reload on; }`.
    private func raw(rpc: String) -> JSONValue {
        let api = server.config.httpAPI
        if rpc == "raw" {
            return ["code": 0, "server": serverId, "http_api": [
                "enabled": .bool(api.enabled), "listen": .string("\(api.listen)"), "crossdomain": .bool(api.crossdomain),
                "raw_api": ["enabled": .bool(api.rawAPI), "allow_reload": .bool(api.rawAPIAllowReload), "allow_query": false, "allow_update": false],
            ]]
        }
        guard api.rawAPI else { return error(Code.rawDisabled) }
        guard rpc == "reload" else { return error(Code.rawFailed) }
        guard api.rawAPIAllowReload else { return error(Code.rawDisabled) }
        log.trace(Server.serverContextId, "reload asked through the raw API")
        server.reloadSoon()
        return ["code": 0, "server": serverId]
    }

    private func error(_ code: Int) -> JSONValue { ["code": .number(code), "server": serverId] }

    private var index: JSONValue {
        [
            "code": 0, "server": serverId,
            "urls": [
                "versions": "the version of SRS", "summaries": "the summary(pid, argv, pwd, cpu, mem) of SRS",
                "rusages": "the rusage of SRS", "self_proc_stats": "the self process stats",
                "system_proc_stats": "the system process stats", "meminfos": "the meminfo of system",
                "authors": "the license, copyright, authors and contributors", "features": "the supported features of SRS",
                "vhosts": "manage all vhosts or specified vhost", "streams": "manage all streams or specified stream",
                "clients": "manage all clients or specified client (all of them unless count is given)",
                "processes": "the ffmpeg processes of transcode and ingest (SwiftSRS)",
            ],
        ]
    }

    private var versions: JSONValue {
        let parts = ServerVersion.compatibleSRS.split(separator: ".").compactMap { Int($0) }
        return [
            "code": 0, "server": serverId,
            "data": [
                "major": .number(parts.first ?? 2), "minor": .number(parts.count > 1 ? parts[1] : 0),
                "revision": .number(parts.count > 2 ? parts[2] : 0), "version": .string(ServerVersion.compatibleSRS),
                "server": .string(ServerVersion.signature),
            ],
        ]
    }

    private var summaries: JSONValue { ["code": 0, "server": serverId, "data": summariesData] }

    /// What `/api/v1/summaries` reports under `data` (the heartbeat sends it too).
    var summariesData: JSONValue {
        let now = MonotonicClock.milliseconds()
        let system = server.systemStatistics
        let memory = Dictionary(SystemStatistics.memoryInfo(), uniquingKeysWith: { first, _ in first })
        let total = memory["MemTotal"] ?? 0
        let available = memory["MemAvailable"] ?? 0
        let rss = SystemStatistics.residentKB()
        let load = SystemStatistics.loadAverages() + [0, 0, 0]
        let uptime = SystemStatistics.uptimeSeconds()
        let network = SystemStatistics.networkBytes()
        let disks = system.diskRates
        let sockets = SystemStatistics.socketCounts()
        let totals = server.streams.all.reduce((UInt64(0), UInt64(0))) { ($0.0 + $1.statistics.received, $0.1 + $1.statistics.sent) }
        let cpus = ProcessInfo.processInfo.processorCount
        return [
                "ok": true,
                "now_ms": .number(Int64(Date().timeIntervalSince1970 * 1000)),
                "self": [
                    "version": .string(ServerVersion.compatibleSRS), "pid": .number(getpid()), "ppid": .number(getppid()),
                    "argv": .string(CommandLine.arguments.joined(separator: " ")),
                    "cwd": .string(FileManager.default.currentDirectoryPath),
                    "mem_kbyte": .number(rss), "mem_percent": .double(total > 0 ? Double(rss) / Double(total) * 100 : 0),
                    "cpu_percent": .double(system.processCPUPercent), "srs_uptime": .number((now - system.startedAt) / 1000),
                ],
                "system": [
                    "cpu_percent": .double(system.systemCPUPercent),
                    "disk_read_KBps": .double(disks.readKBps), "disk_write_KBps": .double(disks.writeKBps),
                    "disk_busy_percent": .double(disks.busyPercent),
                    "mem_ram_kbyte": .number(total),
                    "mem_ram_percent": .double(total > 0 ? Double(total - available) / Double(total) * 100 : 0),
                    "mem_swap_kbyte": .number(memory["SwapTotal"] ?? 0),
                    "mem_swap_percent": .double(0),
                    "cpus": .number(cpus), "cpus_online": .number(ProcessInfo.processInfo.activeProcessorCount),
                    "uptime": .double(uptime.uptime), "ilde_time": .double(uptime.idle),
                    "load_1m": .double(load[0]), "load_5m": .double(load[1]), "load_15m": .double(load[2]),
                    "net_sample_time": .number(now), "net_recv_bytes": .number(network.received),
                    "net_send_bytes": .number(network.sent), "net_recvi_bytes": .number(network.intranetReceived),
                    "net_sendi_bytes": .number(network.intranetSent),
                    "srs_sample_time": .number(now), "srs_recv_bytes": .number(totals.0), "srs_send_bytes": .number(totals.1),
                    "conn_sys": .number(sockets.tcp), "conn_sys_et": .number(sockets.established),
                    "conn_sys_tw": .number(sockets.timeWait), "conn_sys_udp": .number(sockets.udp),
                    "conn_srs": .number(server.clients.count),
                ],
        ]
    }

    private var rusages: JSONValue {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func millis(_ time: timeval) -> JSONValue { .number(Int64(time.tv_sec) * 1000 + Int64(time.tv_usec) / 1000) }
        return [
            "code": 0, "server": serverId,
            "data": [
                "ok": true, "sample_time": .number(Int64(Date().timeIntervalSince1970 * 1000)),
                "ru_utime": millis(usage.ru_utime), "ru_stime": millis(usage.ru_stime),
                "ru_maxrss": .number(usage.ru_maxrss), "ru_ixrss": .number(usage.ru_ixrss), "ru_idrss": .number(usage.ru_idrss),
                "ru_isrss": .number(usage.ru_isrss), "ru_minflt": .number(usage.ru_minflt), "ru_majflt": .number(usage.ru_majflt),
                "ru_nswap": .number(usage.ru_nswap), "ru_inblock": .number(usage.ru_inblock), "ru_oublock": .number(usage.ru_oublock),
                "ru_msgsnd": .number(usage.ru_msgsnd), "ru_msgrcv": .number(usage.ru_msgrcv), "ru_nsignals": .number(usage.ru_nsignals),
                "ru_nvcsw": .number(usage.ru_nvcsw), "ru_nivcsw": .number(usage.ru_nivcsw),
            ],
        ]
    }

    private var selfProcStats: JSONValue {
        // proc(5) field names from field 3 (state) on.
        let names = ["state", "ppid", "pgrp", "session", "tty_nr", "tpgid", "flags", "minflt", "cminflt", "majflt",
                     "cmajflt", "utime", "stime", "cutime", "cstime", "priority", "nice", "num_threads", "itrealvalue",
                     "starttime", "vsize", "rss", "rsslim", "startcode", "endcode", "startstack", "kstkesp", "kstkeip",
                     "signal", "blocked", "sigignore", "sigcatch", "wchan", "nswap", "cnswap", "exit_signal",
                     "processor", "rt_priority", "policy"]
        let fields = SystemStatistics.selfStatFields()
        var data: [(String, JSONValue)] = [("ok", true), ("sample_time", .number(Int64(Date().timeIntervalSince1970 * 1000))),
                                           ("percent", .double(server.systemStatistics.processCPUPercent)), ("pid", .number(getpid())),
                                           ("comm", .string(ProcessInfo.processInfo.processName))]
        for (name, value) in zip(names, fields) {
            data.append((name, Int64(value).map { JSONValue.int($0) } ?? .string(value)))
        }
        return ["code": 0, "server": serverId, "data": .object(data)]
    }

    private var systemProcStats: JSONValue {
        let names = ["user", "nice", "sys", "idle", "iowait", "irq", "softirq", "steal", "guest"]
        let line = SystemStatistics.read("/proc/stat").split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) ?? ""
        let values = line.split(separator: " ").dropFirst().compactMap { Int64($0) }
        var data: [(String, JSONValue)] = [("ok", true), ("sample_time", .number(Int64(Date().timeIntervalSince1970 * 1000))),
                                           ("percent", .double(server.systemStatistics.systemCPUPercent))]
        for (name, value) in zip(names, values) { data.append((name, .int(value))) }
        return ["code": 0, "server": serverId, "data": .object(data)]
    }

    private var memoryInfo: JSONValue {
        let memory = SystemStatistics.memoryInfo()
        let lookup = Dictionary(memory, uniquingKeysWith: { first, _ in first })
        let total = lookup["MemTotal"] ?? 0
        let available = lookup["MemAvailable"] ?? 0
        var data: [(String, JSONValue)] = [("ok", true), ("sample_time", .number(Int64(Date().timeIntervalSince1970 * 1000))),
                                           ("percent_ram", .double(total > 0 ? Double(total - available) / Double(total) * 100 : 0)),
                                           ("percent_swap", .double(0))]
        for (name, value) in memory { data.append((name, .int(value))) }
        return ["code": 0, "server": serverId, "data": .object(data)]
    }

    private var authors: JSONValue {
        [
            "code": 0, "server": serverId,
            "data": [
                "primary": "SwiftSRS developers", "license": "The MIT License (MIT)",
                "copyright": "SwiftSRS, an SRS 2.0 compatible server in Swift",
                "authors": "see the repository history", "contributors_link": "",
                "contributors": "",
            ],
        ]
    }

    /// SRS 2.0's flat `data` (srs_app_http_api.cpp:580-602) and SRS 3+'s `data.features`,
    /// saying what this server does.
    private var features: JSONValue {
        let flags: [(String, Bool)] = [
            ("ssl", true), ("hls", true), ("hds", true), ("callback", true), ("api", true), ("httpd", true),
            ("dvr", true), ("transcode", false), ("ingest", false), ("stat", true), ("nginx", false), ("ffmpeg", false),
            ("stream_caster", false), ("caster", false), ("complex_send", true), ("tcp_nodelay", true), ("so_sendbuf", true),
            ("mr", true), ("http_flv", true), ("prometheus", true),
        ]
        var data: [(String, JSONValue)] = [
            ("options", "swift"), ("options2", "dispatch"), ("build", "SwiftPM"), ("build2", "release"),
            ("features", .object(flags.map { ($0.0, .bool($0.1)) })),
        ]
        data += flags.map { ($0.0, .bool($0.1)) }
        return ["code": 0, "server": serverId, "data": .object(data)]
    }

    /// The supervised ffmpegs: what each one does and how it runs.
    private var processes: JSONValue {
        let list: [JSONValue] = server.ffmpeg.all.map { entry in
            let status = entry.process.status
            return [
                "id": .number(entry.id), "type": .string(entry.kind.rawValue), "vhost": .number(server.vhostId(entry.vhost)),
                "vhost_name": .string(entry.vhost), "name": .string(entry.name), "stream": .string(entry.stream),
                "output": entry.publishes.map { .string($0) } ?? .null,
                "state": .string(status.running ? "running" : "restarting"), "pid": status.pid.map { .number($0) } ?? .null,
                "restarts": .number(status.restarts), "last_exit": status.lastExit.map { .string($0) } ?? .null,
                "argv": .array(entry.process.argv.map { .string($0) }), "log": .string(entry.process.logPath),
            ]
        }
        return ["code": 0, "server": serverId, "processes": .array(list)]
    }

    // MARK: Vhosts, streams, clients

    private func vhostJSON(_ vhost: VhostConfig) -> JSONValue {
        let sources = server.streams.all.filter { $0.vhost == vhost.name }
        let received = sources.reduce(UInt64(0)) { $0 + $1.statistics.received }
        let sent = sources.reduce(UInt64(0)) { $0 + $1.statistics.sent }
        let kbps = sources.reduce((0, 0)) { ($0.0 + $1.statistics.kbps.received, $0.1 + $1.statistics.kbps.sent) }
        let clients = server.clients.all.filter { $0.vhost == vhost.name }.count
        return [
            "id": .number(server.vhostId(vhost.name)), "name": .string(vhost.name), "enabled": .bool(vhost.enabled),
            "clients": .number(clients), "streams": .number(sources.count),
            "send_bytes": .number(sent), "recv_bytes": .number(received),
            "kbps": ["recv_30s": .number(kbps.0), "send_30s": .number(kbps.1)],
            // SRS 2.0 srs_app_statistic.cpp:80-86: fragment only when enabled.
            "hls": vhost.hls.enabled ? ["enabled": true, "fragment": .double(vhost.hls.fragment)] : ["enabled": false],
        ]
    }

    private func vhosts(id: Int?) -> (Int, JSONValue) {
        let all = server.config.vhosts
        if let id {
            guard let vhost = all.first(where: { server.vhostId($0.name) == id }) else { return (404, error(Code.vhostNotFound)) }
            return (200, ["code": 0, "server": serverId, "vhost": vhostJSON(vhost)])
        }
        return (200, ["code": 0, "server": serverId, "vhosts": .array(all.map(vhostJSON))])
    }

    func streamJSON(_ source: LiveSource) -> JSONValue {
        let statistics = source.statistics
        let codecs = statistics.codecInfo
        let clients = server.clients.all.filter { $0.vhost == source.vhost && $0.app == source.app && $0.stream == source.stream }
        let publisher = source.publisherId
        let video: JSONValue = codecs.video.map { video in
            ["codec": .string(video.codec), "profile": .string(video.profile), "level": .string(video.level),
             "width": .number(video.width), "height": .number(video.height)]
        } ?? .null
        let audio: JSONValue = codecs.audio.map { audio in
            ["codec": .string(audio.codec), "sample_rate": .number(audio.sampleRate), "channel": .number(audio.channels),
             "profile": .string(audio.profile)]
        } ?? .null
        return [
            "id": .number(source.id), "name": .string(source.stream), "vhost": .number(server.vhostId(source.vhost)),
            "app": .string(source.app), "tcUrl": .string(source.lastPublisher.withLock { $0?.request.tcUrl ?? "" }),
            "url": .string("/\(source.app)/\(source.stream)"), "live_ms": .number(Int64(Date().timeIntervalSince1970 * 1000)),
            "clients": .number(clients.count), "frames": .number(statistics.frames),
            "send_bytes": .number(statistics.sent), "recv_bytes": .number(statistics.received),
            "kbps": ["recv_30s": .number(statistics.kbps.received), "send_30s": .number(statistics.kbps.sent)],
            // SRS 2.0 srs_app_statistic.cpp:97,142: the publisher's cid, -1 when none.
            "publish": ["active": .bool(publisher != nil), "cid": .number(publisher ?? -1)],
            "video": video, "audio": audio,
        ]
    }

    /// `start`/`count` paging; no count means all (SRS 2.0 capped at 10).
    private func page<T>(_ items: [T], start: String?, count: String?) -> [T] {
        let first = max(0, Int(start ?? "") ?? 0)
        guard first < items.count else { return [] }
        let limit = Int(count ?? "").map { max(0, $0) } ?? items.count
        return Array(items[first..<(first + min(limit, items.count - first))])  // no first + Int.max
    }

    private func streams(id: Int?, start: String?, count: String?) -> (Int, JSONValue) {
        let all = server.streams.all.sorted { $0.id < $1.id }
        if let id {
            guard let source = all.first(where: { $0.id == id }) else { return (404, error(Code.streamNotFound)) }
            return (200, ["code": 0, "server": serverId, "stream": streamJSON(source)])
        }
        return (200, ["code": 0, "server": serverId, "streams": .array(page(all, start: start, count: count).map(streamJSON))])
    }

    private func clientJSON(_ client: ClientRecord) -> JSONValue {
        let streamId = server.streams.all.first { $0.vhost == client.vhost && $0.app == client.app && $0.stream == client.stream }?.id
        let kbps = server.clients.kbps(client.id)
        let alive = Double(client.connection.loop.now - client.connectedAt) / 1000
        return [
            "id": .number(client.id), "vhost": .number(server.vhostId(client.vhost)),
            "stream": streamId.map { .number($0) } ?? .null, "ip": .string(client.ip),
            "pageUrl": .string(client.pageUrl), "swfUrl": .string(client.swfUrl), "tcUrl": .string(client.tcUrl),
            "url": .string(client.url), "name": .string(client.stream), "type": .string(client.kind.rawValue),
            "publish": .bool(client.isPublisher), "alive": .double(alive),
            "send_bytes": .number(client.connection.bytesSent), "recv_bytes": .number(client.connection.bytesReceived),
            "kbps": ["recv_30s": .number(kbps.received), "send_30s": .number(kbps.sent)],
        ]
    }

    private func clients(method: String, id: Int?, start: String?, count: String?) -> (Int, JSONValue) {
        if let id {
            if method == "DELETE" {
                guard server.clients.kick(id) else { return (404, error(Code.clientNotFound)) }
                return (200, ["code": 0, "server": serverId])
            }
            guard let client = server.clients.record(id) else { return (404, error(Code.clientNotFound)) }
            return (200, ["code": 0, "server": serverId, "client": clientJSON(client)])
        }
        if method == "DELETE" { return (405, error(Code.methodNotAllowed)) }
        let all = server.clients.all.filter { $0.kind != .api }
        return (200, ["code": 0, "server": serverId, "clients": .array(page(all, start: start, count: count).map(clientJSON))])
    }
}
