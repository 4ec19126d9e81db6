import ArgumentParser
import SRSCommandLine
import Foundation

extension BenchOptions.Mode: ExpressibleByArgument {}

/// `srs-bench`: the load tester (SRS's "sb"). Every run is bounded by -d.
@main
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "srs-bench",
        abstract: "Load-test an RTMP/HTTP streaming server (SRS's sb): players, publishers, latency, churn.",
        discussion: """
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
            Only loopback addresses unless the address is given explicitly as a literal IP.
            Example: srs-bench play -u rtmp://127.0.0.1:1935/live/livestream -c 1000 -r 500 -d 60
            """)

    @Argument(help: "play, flv, hls, publish, latency or churn.")
    var mode: BenchOptions.Mode

    @Option(name: .customShort("u"), help: "The stream's URL (rtmp:// or http://, a literal IP).")
    var url: String

    @Option(name: .customShort("c"), help: "Clients.")
    var clients = 1

    @Option(name: .customShort("r"), help: "Clients started per second.")
    var ramp = 500

    @Option(name: .customShort("d"), help: "Seconds to run (required: every run is bounded).")
    var duration: Int

    @Option(name: .customShort("i"), help: "The FLV file publishers loop (publish, latency, churn).")
    var input: String?

    @Option(name: .customShort("f"), help: "The HTTP-FLV URL of churn's HTTP players.")
    var flvURL: String?

    @Flag(help: "Print the summary as JSON.")
    var json = false

    /// A usage mistake is one line and status 1, as SRS answers it.
    static func main() { mainAnsweringUsageMistakesAsSRS() }

    func validate() throws {
        do { try options.validate() } catch { throw ValidationError("\(error)") }
    }

    private var options: BenchOptions {
        var options = BenchOptions(mode: mode, url: url)
        options.clients = clients
        options.ramp = ramp
        options.duration = duration
        options.input = input
        options.flvURL = flvURL
        options.json = json
        return options
    }

    func run() throws {
        do {
            try BenchRunner(options: options).run()
        } catch {
            FileHandle.standardError.write(Data("srs-bench: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
