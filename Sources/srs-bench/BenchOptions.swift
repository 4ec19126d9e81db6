import Foundation

/// What one run does: `srs-bench MODE -u URL -c CLIENTS -r RAMP -d SECONDS [-i FILE] [--json]`.
struct BenchOptions {
    enum Mode: String, CaseIterable { case play, flv, hls, publish, latency, churn }

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

    /// Checks the combination: a URL, a bounded run, positive counts, an input where the mode
    /// needs one.
    func validate() throws {
        guard !url.isEmpty else { throw BenchError("-u URL is required") }
        guard duration > 0 else { throw BenchError("-d SECONDS is required: every run is bounded") }
        guard clients > 0, ramp > 0 else { throw BenchError("-c and -r must be positive") }
        if [.publish, .latency, .churn].contains(mode) && input == nil { throw BenchError("\(mode.rawValue) needs -i FILE.flv") }
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
