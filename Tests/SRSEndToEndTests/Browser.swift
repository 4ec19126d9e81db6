import Foundation
import XCTest

/// Headless Chromium driven by Selenium (Debian's chromium and chromium-driver; Selenium from
/// PyPI in the virtual environment scripts/install-deps.sh makes at `python`).
enum Browser {
    /// The Python with Selenium.
    static let python = "/opt/swiftsrs-selenium/bin/python3"
    /// Where screenshots are kept for people to look at.
    static let screenshots = NSTemporaryDirectory() + "swiftsrs-screenshots"

    /// Runs a Selenium `script` (Python) with `arguments`; a missing tool fails the test. Every
    /// Chromium it started is gone afterwards (each run has its own profile folder, passed to
    /// the script as the environment variable SWIFTSRS_CHROMIUM_PROFILE and used as
    /// --user-data-dir).
    static func run(script: String, arguments: [String], timeout: TimeInterval) throws -> ExternalTool.Result {
        for tool in [python, "/usr/bin/chromium", "/usr/bin/chromedriver"] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw TestFailure("\(tool) is missing: run scripts/install-deps.sh test as root")
        }
        let directory = NSTemporaryDirectory() + "swiftsrs-browser-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer {
            killProcesses(mentioning: directory)
            try? FileManager.default.removeItem(atPath: directory)
        }
        let profile = directory + "/profile"
        let withProfile = script.replacingOccurrences(of: "options = Options()", with: "options = Options()\noptions.add_argument('--user-data-dir=\(profile)')")
        try withProfile.write(toFile: directory + "/script.py", atomically: true, encoding: .utf8)
        return try ExternalTool.run(python, [directory + "/script.py"] + arguments, timeout: timeout)
    }

    /// Copies a screenshot where it outlives the test's folder.
    static func keep(_ path: String) {
        try? FileManager.default.createDirectory(atPath: screenshots, withIntermediateDirectories: true)
        let target = screenshots + "/" + (path as NSString).lastPathComponent
        try? FileManager.default.removeItem(atPath: target)
        try? FileManager.default.copyItem(atPath: path, toPath: target)
    }

    /// SIGKILL to every process whose command line mentions `text`.
    private static func killProcesses(mentioning text: String) {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
            if String(decoding: data, as: UTF8.self).contains(text) { kill(pid, SIGKILL) }
        }
    }
}
