import ArgumentParser
import Foundation
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

    /// SRS's convention for a usage mistake: one line on stderr and exit status 1 (help,
    /// completion scripts and the rest as swift-argument-parser does them).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                let first = fullMessage(for: error).split(separator: "\n").first.map(String.init) ?? "bad arguments"
                let message = first.hasPrefix("Error: ") ? String(first.dropFirst(7)) : first
                FileHandle.standardError.write(Data("srs: \(message) (srs --help)\n".utf8))
                Foundation.exit(1)
            }
            exit(withError: error)
        }
    }

    func run() throws {
        if version {
            print(ServerVersion.version)
            return
        }
        // Everything runs on Dispatch loops; this hands over and never returns.
        ServerLauncher.start(configPath: config, testOnly: test)
    }
}
