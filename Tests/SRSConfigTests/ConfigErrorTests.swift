import Foundation
import XCTest

import SRSConfig

/// Every syntax and file error, with its file, line and directive.
final class ConfigErrorTests: XCTestCase {
    private func parseError(_ text: String) -> ConfigError? {
        configError { _ = try ConfigParser.parse(text: text, file: "conf/x.conf") }
    }

    func testUnterminatedBlockPointsAtItsOpeningDirective() throws {
        let error = try XCTUnwrap(parseError("listen 1935;\nvhost a {\n  hls {\n  }\n"))
        XCTAssertEqual(error.file, "conf/x.conf")
        XCTAssertEqual(error.line, 2)
        XCTAssertEqual(error.directive, "vhost")
        XCTAssertEqual(error.message, "unterminated block: '{' is never closed with '}'")
        XCTAssertEqual(error.description, "conf/x.conf:2: directive 'vhost': unterminated block: '{' is never closed with '}'")
    }

    func testUnterminatedInnerBlock() throws {
        let error = try XCTUnwrap(parseError("vhost a {\n  hls {\n"))
        XCTAssertEqual(error.line, 2)
        XCTAssertEqual(error.directive, "hls")
    }

    /// The parser recurses per block: 100,000 nested blocks must be an error, not a crash.
    func testBlocksNestedTooDeeplyAreAnError() throws {
        let depth = ConfigParser.maximumBlockDepth
        XCTAssertNotNil(try? ConfigParser.parse(text: String(repeating: "a {\n", count: depth) + String(repeating: "}", count: depth), file: "x"))
        let error = try XCTUnwrap(parseError(String(repeating: "a {\n", count: 100_000) + String(repeating: "}", count: 100_000)))
        XCTAssertEqual(error.line, depth + 1)
        XCTAssertEqual(error.directive, "a")
        XCTAssertEqual(error.message, "blocks nest deeper than \(depth)")
    }

    func testUnterminatedQuotePointsAtTheOpeningQuote() throws {
        let error = try XCTUnwrap(parseError("listen 1935;\nfilter 'abc;\nmore;\n"))
        XCTAssertEqual(error.line, 2)
        XCTAssertEqual(error.directive, "filter")
        XCTAssertEqual(error.message, "unterminated quote: ' opened here is never closed")
    }

    func testUnterminatedDoubleQuoteAsName() throws {
        let error = try XCTUnwrap(parseError("\n\"abc"))
        XCTAssertEqual(error.line, 2)
        XCTAssertNil(error.directive)
        XCTAssertEqual(error.description, "conf/x.conf:2: unterminated quote: \" opened here is never closed")
    }

    func testTextGluedAfterAQuoteIsAnError() throws {
        let error = try XCTUnwrap(parseError("a 'b'c;"))
        XCTAssertEqual(error.line, 1)
        XCTAssertEqual(error.directive, "a")
        XCTAssertEqual(error.message, "unexpected 'c' after quoted argument; expected a space, ';', '{' or '}'")
    }

    func testMissingSemicolonAtEndOfFile() throws {
        let error = try XCTUnwrap(parseError("listen 1935;\npid ./a.pid\n"))
        XCTAssertEqual(error.line, 2)
        XCTAssertEqual(error.directive, "pid")
        XCTAssertEqual(error.message, "missing ';' at end of file")
    }

    func testMissingSemicolonBeforeClosingBrace() throws {
        let error = try XCTUnwrap(parseError("vhost a {\n  gop_cache on\n}\n"))
        XCTAssertEqual(error.line, 2)
        XCTAssertEqual(error.directive, "gop_cache")
        XCTAssertEqual(error.description, "conf/x.conf:2: directive 'gop_cache': missing ';' before '}'")
    }

    func testMissingSemicolonSwallowsNextLineAsArguments() throws {
        // As in SRS: the next directive's words become arguments; the first is used, with a warning.
        let root = try ConfigParser.parse(text: "gop_cache on\nqueue_length 10;", file: "x")
        XCTAssertEqual(root.first?.args, ["on", "queue_length", "10"])
        let config = try ServerConfig.parse(text: "vhost v {\n gop_cache off\n queue_length 10;\n}", file: "x")
        XCTAssertFalse(config.vhosts[0].gopCache)
        XCTAssertEqual(config.vhosts[0].queueLengthSeconds, 30, "swallowed, as in SRS")
        XCTAssertEqual(config.warnings.map(\.description),
                       ["x:2: directive 'gop_cache': expects 1 value, got 3; 'off' is used, the rest ignored (a missing ';'?)"])
    }

    func testUnexpectedClosingBrace() throws {
        let error = try XCTUnwrap(parseError("listen 1935;\n}\n"))
        XCTAssertEqual(error.line, 2)
        XCTAssertNil(error.directive)
        XCTAssertEqual(error.description, "conf/x.conf:2: unexpected '}' with no open block")
    }

    func testEmptyDirectiveNameBeforeSemicolon() throws {
        let error = try XCTUnwrap(parseError("listen 1935;\n\n  ;"))
        XCTAssertEqual(error.line, 3)
        XCTAssertNil(error.directive)
        XCTAssertEqual(error.message, "empty directive name before ';'")
    }

    func testEmptyDirectiveNameBeforeBrace() throws {
        let error = try XCTUnwrap(parseError("vhost a {\n { }\n}"))
        XCTAssertEqual(error.line, 2)
        XCTAssertEqual(error.message, "empty directive name before '{'")
    }

    func testEmptyQuotedDirectiveName() throws {
        let error = try XCTUnwrap(parseError("'' 1;"))
        XCTAssertEqual(error.line, 1)
        XCTAssertEqual(error.message, "empty directive name")
    }

    func testMissingFileNamesThePathAndTheReason() throws {
        let folder = try makeTemporaryFolder(for: self)
        let path = folder.appendingPathComponent("absent.conf").path
        let error = try XCTUnwrap(configError { _ = try ServerConfig.load(path: path) })
        XCTAssertEqual(error.file, path)
        XCTAssertEqual(error.line, 0)
        XCTAssertNil(error.directive)
        XCTAssertEqual(error.message, "cannot open '\(path)': No such file or directory")
        XCTAssertEqual(error.description, "\(path): cannot open '\(path)': No such file or directory")
    }

    func testFolderInsteadOfFileIsUnreadable() throws {
        let folder = try makeTemporaryFolder(for: self)
        let error = try XCTUnwrap(configError { _ = try ServerConfig.load(path: folder.path) })
        XCTAssertEqual(error.message, "cannot read '\(folder.path)': Is a directory")
    }

    func testInvalidUTF8IsAnError() throws {
        let folder = try makeTemporaryFolder(for: self)
        let file = folder.appendingPathComponent("bad.conf")
        try Data([0x6C, 0x69, 0xFF, 0x3B]).write(to: file)
        let error = try XCTUnwrap(configError { _ = try ServerConfig.load(path: file.path) })
        XCTAssertEqual(error.message, "cannot read '\(file.path)': not valid UTF-8 text")
    }

    func testDescriptionStaysOnOneLine() {
        let error = ConfigError(file: "f", line: 3, directive: "a\nb", context: "vhost x", message: "bad\r\nvalue")
        XCTAssertEqual(error.description, "f:3: directive 'a\\nb' in vhost x: bad\\r\\nvalue")
    }

    // MARK: - include

    func testIncludeIsRelativeToTheIncludingFileAndSplicedInPlace() throws {
        let folder = try makeTemporaryFolder(for: self)
        let sub = folder.appendingPathComponent("sub", isDirectory: true)
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        try "listen 1935;\ninclude sub/vhosts.conf;\nmax_connections 10;\n"
            .write(to: folder.appendingPathComponent("main.conf"), atomically: true, encoding: .utf8)
        try "vhost a {\n  include play.conf;\n}\n"
            .write(to: sub.appendingPathComponent("vhosts.conf"), atomically: true, encoding: .utf8)
        try "gop_cache off;\n"
            .write(to: sub.appendingPathComponent("play.conf"), atomically: true, encoding: .utf8)

        let mainPath = folder.appendingPathComponent("main.conf").path
        let config = try ServerConfig.load(path: mainPath)
        XCTAssertEqual(config.root.map(\.name), ["listen", "vhost", "max_connections"])
        let gopCache = try XCTUnwrap(config.root[1].child("gop_cache"))
        XCTAssertEqual(gopCache.file, folder.path + "/sub/play.conf")
        XCTAssertEqual(gopCache.line, 1)
        XCTAssertEqual(config.vhost(named: "a")?.gopCache, false)
        XCTAssertEqual(config.maxConnections, 10)
    }

    /// The depth counts the blocks around an `include` too: 20 levels in each of two files
    /// are 40.
    func testBlockDepthCountsAcrossIncludes() throws {
        let folder = try makeTemporaryFolder(for: self)
        let main = folder.appendingPathComponent("main.conf")
        let inner = folder.appendingPathComponent("inner.conf")
        try (String(repeating: "a {\n", count: 20) + "include inner.conf;\n" + String(repeating: "}\n", count: 20))
            .write(to: main, atomically: true, encoding: .utf8)
        try (String(repeating: "b {\n", count: 20) + String(repeating: "}\n", count: 20)).write(to: inner, atomically: true, encoding: .utf8)
        let error = try XCTUnwrap(configError { _ = try ConfigParser.parseFile(path: main.path) })
        XCTAssertEqual(error.file, inner.path)
        XCTAssertEqual(error.line, ConfigParser.maximumBlockDepth - 20 + 1)
        XCTAssertEqual(error.message, "blocks nest deeper than \(ConfigParser.maximumBlockDepth)")
    }

    func testMissingIncludePointsAtTheIncludeDirective() throws {
        let folder = try makeTemporaryFolder(for: self)
        let main = folder.appendingPathComponent("main.conf")
        try "listen 1935;\ninclude nope.conf;\n".write(to: main, atomically: true, encoding: .utf8)
        let error = try XCTUnwrap(configError { _ = try ServerConfig.load(path: main.path) })
        XCTAssertEqual(error.file, main.path)
        XCTAssertEqual(error.line, 2)
        XCTAssertEqual(error.directive, "include")
        XCTAssertEqual(error.message, "cannot open '\(folder.path)/nope.conf': No such file or directory")
    }

    func testErrorInIncludedFileNamesThatFile() throws {
        let folder = try makeTemporaryFolder(for: self)
        try "include inner.conf;\n".write(to: folder.appendingPathComponent("main.conf"), atomically: true, encoding: .utf8)
        try "\n\nvhost a {\n".write(to: folder.appendingPathComponent("inner.conf"), atomically: true, encoding: .utf8)
        let error = try XCTUnwrap(configError {
            _ = try ServerConfig.load(path: folder.appendingPathComponent("main.conf").path)
        })
        XCTAssertEqual(error.file, folder.path + "/inner.conf")
        XCTAssertEqual(error.line, 3)
        XCTAssertEqual(error.directive, "vhost")
    }

    func testIncludeCycleIsAnError() throws {
        let folder = try makeTemporaryFolder(for: self)
        try "include b.conf;\n".write(to: folder.appendingPathComponent("a.conf"), atomically: true, encoding: .utf8)
        try "\ninclude a.conf;\n".write(to: folder.appendingPathComponent("b.conf"), atomically: true, encoding: .utf8)
        let error = try XCTUnwrap(configError {
            _ = try ServerConfig.load(path: folder.appendingPathComponent("a.conf").path)
        })
        XCTAssertEqual(error.file, folder.path + "/b.conf")
        XCTAssertEqual(error.line, 2)
        XCTAssertEqual(error.directive, "include")
        XCTAssertTrue(error.message.hasPrefix("include cycle: "), error.message)
    }

    func testIncludeNeedsAFileAndNoBlock() throws {
        XCTAssertEqual(parseError("include;")?.message, "include needs a file name")
        XCTAssertEqual(parseError("\ninclude a.conf { }")?.line, 2)
        XCTAssertEqual(parseError("include a.conf { }")?.message, "include takes file names, not a block")
    }
}
