import Foundation

// srs-bench: the load tester (SRS's "sb"). Every run is bounded by -d.
do {
    let options = try BenchOptions.parse(Array(CommandLine.arguments.dropFirst()))
    try BenchRunner(options: options).run()
} catch {
    FileHandle.standardError.write(Data("srs-bench: \(error)\n".utf8))
    exit(1)
}
