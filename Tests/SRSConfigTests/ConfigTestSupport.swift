import Foundation
import XCTest

import SRSConfig

/// Runs `body` and returns the ConfigError it throws; fails the test when it throws nothing
/// or another error.
func configError(
    file: StaticString = #filePath,
    line: UInt = #line,
    _ body: () throws -> Void
) -> ConfigError? {
    do {
        try body()
        XCTFail("expected a ConfigError, got none", file: file, line: line)
    } catch let error as ConfigError {
        return error
    } catch {
        XCTFail("expected a ConfigError, got \(error)", file: file, line: line)
    }
    return nil
}

/// A fresh folder under the system's temporary folder, removed at the end of the test.
func makeTemporaryFolder(for testCase: XCTestCase) throws -> URL {
    let folder = FileManager.default.temporaryDirectory
        .appendingPathComponent("srsconfig-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    testCase.addTeardownBlock {
        try? FileManager.default.removeItem(at: folder)
    }
    return folder
}

/// The typed settings of a vhost, without its name and raw block, for comparing two shapes.
func typedSettings(_ vhost: VhostConfig) -> [String: String] {
    var settings: [String: String] = [:]
    for child in Mirror(reflecting: vhost.settings).children {
        guard let label = child.label, label != "name", label != "directive" else {
            continue
        }
        settings[label] = String(describing: child.value)
    }
    return settings
}
