import Foundation

/// `srs-bench MODE -u URL -c CLIENTS -r RAMP -d SECONDS [-i FILE] [--json]`.
struct BenchOptions {
    enum Mode: String { case play, flv, hls, publish, latency, churn }

    var mode: Mode
    var url: String
    var clients = 1
    /// New clients per second.
    var ramp = 500
    /// Seconds; required (a load test always stops by itself).
    var duration = 0
    /// FLV file a publisher loops.
    var input: String?
    /// HTTP-FLV URL the `churn` mode's HTTP players use.
    var flvURL: String?
    var json = false

    static let usage = """
        Usage: srs-bench MODE -u URL -c CLIENTS -d SECONDS [-r RAMP] [-i FILE] [--json]
          play     RTMP players:      -u rtmp://127.0.0.1:1935/live/livestream
          flv      HTTP-FLV players:  -u http://127.0.0.1:8080/live/livestream.flv
          hls      HLS players:       -u http://127.0.0.1:8080/live/livestream.m3u8
                   (poll the playlist, download every new segment, start 3 segments from the end)
          publish  RTMP publishers looping an FLV file at real-time pace: -i input.flv
                   (with -c > 1 the stream names get a suffix: livestream-0, livestream-1...)
          latency  one publisher (-i input.flv) stamping the wall-clock send time into every
                   H.264 frame (an SEI NAL unit) and N RTMP players of the same URL, started a
                   second later, reporting publish-to-play delay percentiles (frames of a
                   player's first 3 s, the GOP cache among them, are not counted)
          churn    -r new connections per second for -d seconds, each living 0.2-2 s: 60%
                   RTMP players of -u, 20% HTTP-FLV players of -f (disconnecting after a random
                   1-64 KB; RTMP players without -f), 20% RTMP publishers of -u-churn-N that
                   vanish mid-stream; plus one steady publisher of -u looping -i FILE.flv
          -c N     clients (default 1)      -r N   clients started per second (default 500)
          -d S     seconds to run (required) --json  print the summary as JSON
        Only loopback addresses unless the address is given explicitly as a literal IP.
        """

    static func parse(_ arguments: [String]) throws -> BenchOptions {
        guard let first = arguments.first, let mode = Mode(rawValue: first) else { throw BenchError(usage) }
        var options = BenchOptions(mode: mode, url: "")
        var index = 1
        func value() throws -> String {
            index += 1
            guard index < arguments.count else { throw BenchError("option \(arguments[index - 1]) needs a value\n\(usage)") }
            return arguments[index]
        }
        while index < arguments.count {
            switch arguments[index] {
            case "-u": options.url = try value()
            case "-c": options.clients = Int(try value()) ?? 0
            case "-r": options.ramp = Int(try value()) ?? 0
            case "-d": options.duration = Int(try value()) ?? 0
            case "-i": options.input = try value()
            case "-f": options.flvURL = try value()
            case "--json": options.json = true
            default: throw BenchError("unknown option \(arguments[index])\n\(usage)")
            }
            index += 1
        }
        guard !options.url.isEmpty else { throw BenchError("-u URL is required\n\(usage)") }
        guard options.duration > 0 else { throw BenchError("-d SECONDS is required: every run is bounded\n\(usage)") }
        guard options.clients > 0, options.ramp > 0 else { throw BenchError("-c and -r must be positive") }
        if [.publish, .latency, .churn].contains(mode) && options.input == nil { throw BenchError("\(mode.rawValue) needs -i FILE.flv") }
        return options
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// host, port and path of rtmp:// or http:// URLs.
struct BenchURL {
    var scheme: String
    var host: String
    var port: Int
    var path: String

    init(_ text: String) throws {
        guard let schemeEnd = text.range(of: "://") else { throw BenchError("bad URL \(text)") }
        scheme = String(text[..<schemeEnd.lowerBound])
        let rest = text[schemeEnd.upperBound...]
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        path = slash < rest.endIndex ? String(rest[slash...]) : "/"
        if let colon = authority.lastIndex(of: ":"), let port = Int(authority[authority.index(after: colon)...]) {
            host = String(authority[..<colon])
            self.port = port
        } else {
            host = String(authority)
            port = scheme == "rtmp" ? 1935 : 80
        }
        if host == "localhost" { host = "127.0.0.1" }
        guard host.split(separator: ".").count == 4 || host.contains(":") else {
            throw BenchError("give the server as a literal IP address (got \(host)); srs-bench never resolves names")
        }
    }
}
