import Foundation
import XCTest

import SRSConfig

/// Loads the config files shipped in the package's conf/ folder.
final class ConfFilesTests: XCTestCase {
    /// The package root: the first folder above this source file holding Package.swift and conf/.
    private func confFolder() throws -> URL {
        var folder = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        while folder.path != "/" {
            let conf = folder.appendingPathComponent("conf", isDirectory: true)
            let manifest = folder.appendingPathComponent("Package.swift")
            if FileManager.default.fileExists(atPath: manifest.path)
                && FileManager.default.fileExists(atPath: conf.path) {
                return conf
            }
            folder = folder.deletingLastPathComponent()
        }
        XCTFail("no folder with Package.swift and conf/ above \(#filePath)")
        throw CocoaError(.fileNoSuchFile)
    }

    private func load(_ name: String) throws -> ServerConfig {
        try ServerConfig.load(path: try confFolder().appendingPathComponent(name).path)
    }

    func testEveryConfFileLoads() throws {
        let folder = try confFolder()
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".conf") }
            .sorted()
        for required in ["full.conf", "realtime.conf", "rtmp.conf", "srs.conf"] {
            XCTAssertTrue(names.contains(required), "conf/\(required) is missing")
        }
        for name in names {
            do {
                _ = try ServerConfig.load(path: folder.appendingPathComponent(name).path)
            } catch {
                XCTFail("conf/\(name): \(error)")
            }
        }
    }

    func testShippedConfsRunInTheForegroundAndLogToTheConsole() throws {
        for name in ["full.conf", "realtime.conf", "rtmp.conf", "srs.conf"] {
            let config = try load(name)
            XCTAssertFalse(config.daemon, name)
            XCTAssertEqual(config.logTank, .console, name)
            XCTAssertEqual(config.listen, [ListenAddress(port: 1935)], name)
            XCTAssertEqual(config.maxConnections, 1000, name)
            XCTAssertNotNil(config.vhost(named: "__defaultVhost__"), name)
            XCTAssertEqual(config.unsupportedDirectives, [], name)
        }
    }

    func testSRSConf() throws {
        let config = try load("srs.conf")
        XCTAssertEqual(config.vhosts.map(\.name), ["__defaultVhost__"])
        XCTAssertEqual(config.vhosts.first?.gopCache, true)
        // SRS's default setup: API on 1985, HTTP on 8080 with HTTP-FLV and HLS.
        XCTAssertTrue(config.httpAPI.enabled)
        XCTAssertEqual(config.httpAPI.listen.port, 1985)
        XCTAssertTrue(config.httpServer.enabled)
        XCTAssertEqual(config.httpServer.listen.port, 8080)
        XCTAssertEqual(config.vhosts.first?.hls.enabled, true)
        XCTAssertEqual(config.vhosts.first?.hls.path, config.httpServer.dir, "HLS is served by the HTTP server")
        XCTAssertEqual(config.vhosts.first?.httpRemux.enabled, true)
        XCTAssertEqual(config.vhosts.first?.httpRemux.mount, "[vhost]/[app]/[stream].flv")
    }

    func testRealtimeConf() throws {
        let vhost = try XCTUnwrap(try load("realtime.conf").vhost(named: "__defaultVhost__"))
        XCTAssertFalse(vhost.gopCache)
        XCTAssertEqual(vhost.queueLengthSeconds, 10)
        XCTAssertTrue(vhost.minLatency)
        XCTAssertFalse(vhost.mrEnabled)
        XCTAssertEqual(vhost.mwLatencyMs, 100)
        XCTAssertTrue(vhost.tcpNodelay)
        XCTAssertEqual(vhost.timeJitter, .full)
    }

    func testFullConfShowsDefaultsInBothShapes() throws {
        let config = try load("full.conf")
        XCTAssertEqual(config.vhosts.map(\.name),
                       ["__defaultVhost__", "srs3.example.com", "callbacks.example.com", "ffmpeg.example.com", "dvr.example.com", "edge.example.com",
                        "bandcheck.example.com", "unimplemented.example.com"])
        var shownDVR = try XCTUnwrap(config.vhost(named: "dvr.example.com")).dvr
        XCTAssertTrue(shownDVR.enabled)
        shownDVR.enabled = false
        XCTAssertEqual(shownDVR, DVRConfig(), "full.conf shows DVR's defaults")
        let flat = try XCTUnwrap(config.vhost(named: "__defaultVhost__"))
        let blocks = try XCTUnwrap(config.vhost(named: "srs3.example.com"))
        var defaults = typedSettings(VhostConfig(name: "x"))
        XCTAssertEqual(typedSettings(blocks), defaults)
        defaults["chunkSize"] = String(describing: Int?.some(60000))
        XCTAssertEqual(typedSettings(flat), defaults)
        XCTAssertEqual(config.vhost(named: "unimplemented.example.com")?.enabled, false)
        let access = try XCTUnwrap(config.vhost(named: "callbacks.example.com"))
        XCTAssertTrue(access.security.enabled)
        XCTAssertEqual(access.hooks.urls(for: .onConnect).count, 2)
        XCTAssertEqual(access.refer.play, ["github.com"])
        XCTAssertEqual(access.forward.destinations.map(\.description), ["127.0.0.1:19350", "127.0.0.1:19351"])
        let edge = try XCTUnwrap(config.vhost(named: "edge.example.com")).edge
        XCTAssertTrue(edge.isEdge)
        XCTAssertEqual(edge.origins.count, 2)
        XCTAssertEqual(edge.upstreamVhost, "origin.example.com")
        XCTAssertEqual(config.pidFile, "./objs/srs.pid")
        XCTAssertEqual(config.chunkSize, 60000)
        XCTAssertEqual(config.logLevel, .trace)
        XCTAssertEqual(config.pithyPrintMs, 10000)
    }
}
