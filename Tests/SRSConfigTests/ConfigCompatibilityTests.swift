import Foundation
import XCTest

import SRSConfig

/// SRS's own config files, 2.0 to 6.0 (Fixtures/srs-conf, see its ORIGIN.md), load here as
/// SRS loads them: later versions' directives are warnings, repeated directives take their
/// first value, extra values their first one.
final class ConfigCompatibilityTests: XCTestCase {
    private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/srs-conf").path
    private let branches = ["2.0release", "3.0release", "4.0release", "5.0release", "6.0release"]

    /// Loads `conf/NAME` of `branch` from the branch's folder, as `srs -t -c conf/NAME` from trunk/.
    private func load(_ branch: String, _ name: String) throws -> ServerConfig {
        let folder = fixtures + "/" + branch
        return try ServerConfig.load(path: folder + "/conf/" + name, workingDirectory: folder)
    }

    func testEveryConfigOfEverySRSBranchLoads() throws {
        var loaded = 0
        for branch in branches {
            let names = try FileManager.default.contentsOfDirectory(atPath: fixtures + "/\(branch)/conf").filter { $0.hasSuffix(".conf") }
            XCTAssertGreaterThan(names.count, 20, branch)
            for name in names.sorted() where name != "include.vhost.conf" {
                do {
                    _ = try load(branch, name)
                    loaded += 1
                } catch {
                    XCTFail("\(branch)/conf/\(name): \(error)")
                }
            }
        }
        XCTAssertGreaterThan(loaded, 300)
    }

    /// What SRS's own files hold that this server takes SRS's way, each named in a warning.
    func testWarningsNameFileLineAndDirective() throws {
        // SRS 2.0's demo.conf sets max_connections twice: SRS uses the first.
        let demo = try load("2.0release", "demo.conf")
        XCTAssertEqual(demo.maxConnections, 1000)
        let twice = try XCTUnwrap(demo.warnings.first { $0.directive == "max_connections" })
        XCTAssertEqual(twice.line, 13)
        XCTAssertTrue(twice.message.contains("demo.conf:6"), twice.message)
        // realtime.conf of 3.0 misses a ';': tcp_nodelay swallows min_latency, as in SRS.
        let realtime = try load("3.0release", "realtime.conf")
        XCTAssertTrue(realtime.vhosts[0].tcpNodelay)
        XCTAssertTrue(realtime.warnings.contains { $0.directive == "tcp_nodelay" && $0.message.contains("missing ';'") }, "\(realtime.warnings)")
        // SRS 4+'s rtc_server and https, SRS 5's srs_log_level_v2.
        let rtc = try load("5.0release", "rtc.conf")
        XCTAssertTrue(rtc.warnings.contains { $0.directive == "rtc_server" && $0.message.contains("not implemented") }, "\(rtc.warnings)")
        let https = try load("5.0release", "https.flv.live.conf")
        XCTAssertTrue(https.warnings.contains { $0.directive == "https" }, "\(https.warnings)")
        let full = try load("5.0release", "full.conf")
        XCTAssertEqual(full.logLevel, .trace, "srs_log_level_v2 info is SRS's trace")
        XCTAssertTrue(full.warnings.allSatisfy { !$0.file.isEmpty && $0.line > 0 })
        // include.conf of 5.0 includes ./conf/include.vhost.conf from the working directory.
        let include = try load("5.0release", "include.conf")
        XCTAssertNotNil(include.vhost(named: "include.srs.com"))
    }

    func testNamesNoSRSVersionKnowsStayErrors() throws {
        let folder = try makeTemporaryFolder(for: self)
        for (text, name) in [("vhost v { rtc { no_such_thing on; } }", "no_such_thing"), ("rtc_server { bogus 1; }", "bogus"),
                             ("vhost v { hls { hls_unknown 1; } }", "hls_unknown"), ("worker_processes 1;", "worker_processes")] {
            let path = folder.appendingPathComponent("x.conf").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let error = configError { _ = try ServerConfig.load(path: path) }
            XCTAssertEqual(error?.directive, name, text)
            XCTAssertEqual(error?.line, 1)
        }
    }
}
