import CFuzzDriver
import Foundation

// srs-fuzz TARGET [libFuzzer flags and corpus folders]: runs libFuzzer on one target.
// Our own main (libFuzzer's is not linked in) so one binary serves every target.
let arguments = CommandLine.arguments
guard arguments.count > 1, let target = FuzzTarget(rawValue: arguments[1]) else {
    let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
    FileHandle.standardError.write(Data("usage: srs-fuzz TARGET [libFuzzer options] [CORPUS...]\ntargets: \(names)\n".utf8))
    exit(2)
}
nonisolated(unsafe) var selected = target

// libFuzzer sees the program name and the flags, not the target name.
var driverArguments = [arguments[0]] + arguments.dropFirst(2)
var argc = Int32(driverArguments.count)
var cStrings: [UnsafeMutablePointer<CChar>?] = driverArguments.map { strdup($0) } + [nil]
let status = cStrings.withUnsafeMutableBufferPointer { buffer -> Int32 in
    var argv = buffer.baseAddress
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        selected.run(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }
}
exit(status)
