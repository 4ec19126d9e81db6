import Foundation

/// Reading config files from disk, with the operating system's reason on failure.
enum ConfigFileReader {
    /// Why a file could not be read; `message` names the path and the reason.
    struct Failure: Error {
        let message: String
    }

    /// The whole file as UTF-8 text.
    static func readText(path: String) throws(Failure) -> String {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw Failure(message: "cannot open '\(path)': \(systemReason(errno))")
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                let code = errno
                if code == EINTR {
                    continue
                }
                throw Failure(message: "cannot read '\(path)': \(systemReason(code))")
            }
            if count == 0 {
                break
            }
            bytes += buffer[0..<count]
        }
        guard let text = String(bytes: bytes, encoding: .utf8) else {
            throw Failure(message: "cannot read '\(path)': not valid UTF-8 text")
        }
        return text
    }

    /// `name` if absolute; else, as SRS does, `name` from the working directory
    /// (`workingDirectory`, or the process's) when a file is there, or else `name` inside the folder of `includingFile` (where SRS's own
    /// `include.conf` files sit beside each other).
    static func resolve(_ name: String, relativeTo includingFile: String, workingDirectory: String? = nil) -> String {
        if name.hasPrefix("/") {
            return name
        }
        let fromWorkingDirectory = workingDirectory.map { $0.hasSuffix("/") ? $0 + name : $0 + "/" + name } ?? name
        if access(fromWorkingDirectory, F_OK) == 0 {
            return fromWorkingDirectory
        }
        guard let slash = includingFile.lastIndex(of: "/") else {
            return name
        }
        return String(includingFile[...slash]) + name
    }

    /// An absolute, normalized path, to recognise the same file reached two ways.
    static func canonicalPath(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    private static func systemReason(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
