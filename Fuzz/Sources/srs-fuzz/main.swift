import CFuzzDriver
import Foundation

// srs-fuzz TARGET [libFuzzer flags and corpus folders]: runs libFuzzer on one target.
// Our own main (libFuzzer's is not linked in) so one binary serves every target.

/// The target of this run; read by the C callback, which cannot capture.
nonisolated(unsafe) var selectedTarget = FuzzTarget.amf0

func runFuzzer(_ arguments: [String]) -> Int32 {
    guard arguments.count > 1, let target = FuzzTarget(rawValue: arguments[1]) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        FileHandle.standardError.write(Data("usage: srs-fuzz TARGET [libFuzzer options] [CORPUS...]\ntargets: \(names)\n".utf8))
        return 2
    }
    selectedTarget = target
    // libFuzzer sees the program name and its flags, not the target name.
    let driverArguments = [arguments[0]] + arguments.dropFirst(2)
    var argc = Int32(driverArguments.count)
    var cStrings: [UnsafeMutablePointer<CChar>?] = driverArguments.map { strdup($0) } + [nil]
    return cStrings.withUnsafeMutableBufferPointer { buffer -> Int32 in
        var argv = buffer.baseAddress
        return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) }
    }
}


/// libFuzzer's archive is linked whole, so its own `main` (unused: SwiftPM points `main` at
/// this file's code) needs this symbol; it runs the selected target as the driver does.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    selectedTarget.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

exit(runFuzzer(CommandLine.arguments))
