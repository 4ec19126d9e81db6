import ArgumentParser
import Foundation

extension ParsableCommand {
    /// Runs the command as `main` does, except that a usage mistake is answered as SRS does:
    /// one line on stderr ("srs: Unknown option '-x' (srs --help)") and exit status 1. Help,
    /// versions and completion scripts are swift-argument-parser's.
    public static func mainAnsweringUsageMistakesAsSRS() -> Never {
        let name = configuration.commandName ?? "command"
        do {
            var command = try parseAsRoot()
            try command.run()
            Foundation.exit(0)
        } catch {
            if exitCode(for: error) == .validationFailure {
                let first = fullMessage(for: error).split(separator: "\n").first.map(String.init) ?? "bad arguments"
                let message = first.hasPrefix("Error: ") ? String(first.dropFirst(7)) : first
                FileHandle.standardError.write(Data("\(name): \(message) (\(name) --help)\n".utf8))
                Foundation.exit(1)
            }
            exit(withError: error)
        }
    }
}
