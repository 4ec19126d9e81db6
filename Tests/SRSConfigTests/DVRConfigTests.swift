import XCTest

import SRSConfig

final class DVRConfigTests: XCTestCase {
    private func dvr(_ block: String) throws -> DVRConfig {
        let config = try ServerConfig.parse(text: "listen 1935; vhost v { dvr { \(block) } }", file: "conf/x.conf")
        return try XCTUnwrap(config.vhost(named: "v")).dvr
    }

    func testDefaultsAreSRSs() throws {
        let config = try dvr("")
        XCTAssertFalse(config.enabled)
        XCTAssertEqual(config.plan, .session)
        XCTAssertEqual(config.path, "./objs/nginx/html/[app]/[stream].[timestamp].flv")
        XCTAssertEqual(config.durationSeconds, 30)
        XCTAssertTrue(config.waitKeyframe)
        XCTAssertEqual(config.timeJitter, .full)
        XCTAssertTrue(config.applies(app: "live", stream: "any"))
    }

    func testSettingsAndSRS2FolderPaths() throws {
        let config = try dvr("enabled on; dvr_plan segment; dvr_path /data/dvr; dvr_duration 60; dvr_wait_keyframe off; time_jitter zero; dvr_apply live/a live/b;")
        XCTAssertTrue(config.enabled)
        XCTAssertEqual(config.plan, .segment)
        XCTAssertEqual(config.path, "/data/dvr/[app]/[stream].[timestamp].flv", "SRS 2.0's folder")
        XCTAssertEqual(config.durationSeconds, 60)
        XCTAssertFalse(config.waitKeyframe)
        XCTAssertEqual(config.timeJitter, .zero)
        XCTAssertTrue(config.applies(app: "live", stream: "b"))
        XCTAssertFalse(config.applies(app: "live", stream: "c"))
        XCTAssertEqual(try dvr("dvr_path /d/[2006]/[stream].flv;").path, "/d/[2006]/[stream].flv", "an SRS 3+ template")
        let mp4 = try dvr("dvr_path /d/[stream].[timestamp].mp4;")
        XCTAssertEqual(mp4.path, "/d/[stream].[timestamp].mp4")
        XCTAssertEqual(mp4.format, .mp4)
    }

    func testBadValuesNameFileLineAndDirective() throws {
        let error = configError { _ = try self.dvr("dvr_plan weekly;") }
        XCTAssertEqual(error?.file, "conf/x.conf")
        XCTAssertTrue(error?.description.contains("dvr_plan") == true, "\(String(describing: error))")
        XCTAssertNotNil(configError { _ = try self.dvr("dvr_duration 0;") })
    }
}
