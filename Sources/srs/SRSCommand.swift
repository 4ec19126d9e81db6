import ArgumentParser
import SRSCommandLine
import SRSApp

/// `srs`: SRS's command line, exactly (`-c FILE`, `-t`, `-v`), with `--help` and shell
/// completion (`--generate-completion-script bash|zsh|fish`).
@main
struct SRSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "srs",
        abstract: "SwiftSRS: a live-streaming cluster server compatible with SRS 2.0.",
        discussion: """
            srs -c conf/srs.conf       run the server
            srs -t -c conf/srs.conf    check the config (exit 0 when valid)
            srs -v                     print the version
            Signals: SIGHUP reloads the config, SIGUSR1 reopens the log, SIGTERM quits gracefully.
            """)

    @Option(name: .customShort("c"), help: ArgumentHelp("Run the server with this config file.", valueName: "file"))
    var config = "conf/srs.conf"

    @Flag(name: .customShort("t"), help: "Check the config file and exit (0 when valid).")
    var test = false

    @Flag(name: [.customShort("v"), .customShort("V"), .customLong("version")], help: "Print the version and exit.")
    var version = false

    /// A usage mistake is one line and status 1, as SRS answers it.
    static func main() { mainAnsweringUsageMistakesAsSRS() }

    func run() throws {
        if version {
            print(ServerVersion.version)
            return
        }
        // Everything runs on Dispatch loops; this hands over and never returns.
        ServerLauncher.start(configPath: config, testOnly: test)
    }
}
