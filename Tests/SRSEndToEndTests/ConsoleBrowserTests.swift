import Foundation
import XCTest

/// The web console in headless Chromium on the default config (conf/srs.conf, its ports
/// swapped for free ones): `/` shows the live stream with its codecs and client count, a kick
/// button removes a client, the stream's play button plays its live `.mp4`.
final class ConsoleBrowserTests: XCTestCase {
    override func tearDown() {
        TestProcesses.shared.killAll()
        super.tearDown()
    }

    func testConsoleListsKicksAndPlaysOnTheDefaultConfig() throws {
        let confURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("conf/srs.conf")
        var config = try String(contentsOf: confURL, encoding: .utf8)
        let rtmpPort = ServerProcess.freePort()
        let apiPort = ServerProcess.freePort()
        let httpPort = ServerProcess.freePort()
        for (from, to) in [("1935", rtmpPort), ("1985", apiPort), ("8080", httpPort)] {
            config = config.replacingOccurrences(of: "listen              \(from);", with: "listen \(to);")
                .replacingOccurrences(of: "listen          \(from);", with: "listen \(to);")
        }
        let server = try ServerProcess(port: rtmpPort, wholeConfig: config + "\npid ./srs.pid;\n")
        _ = try LiveStreamTools.publish(server.url("live/livestream"), kind: .bframesAAC30s, log: server.directory + "/publisher.log")
        sleep(1)
        // A player to kick.
        let player = try ExternalTool.start("ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", "-i", server.url("live/livestream"), "-c", "copy", "-f", "null", "-"],
                                            logFile: server.directory + "/player.log")
        sleep(2)
        let clients = try Self.json("http://127.0.0.1:\(apiPort)/api/v1/clients")["clients"] as? [[String: Any]] ?? []
        let playerId = try XCTUnwrap(clients.first { $0["type"] as? String == "Play" }?["id"] as? Int, "\(clients)")

        let screenshots = server.directory + "/console"
        let result = try Browser.run(script: Self.consoleScript, arguments: ["http://127.0.0.1:\(httpPort)/", "\(playerId)", screenshots], timeout: 120)
        XCTAssertEqual(result.status, 0, result.output)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data((result.output.split(separator: "\n").last ?? "").utf8)) as? [String: Any],
                                   result.output)
        XCTAssertEqual(report["stream"] as? String, "live/livestream", "\(report)")
        XCTAssertTrue((report["video"] as? String ?? "").hasPrefix("H264"), "the video codec is shown: \(report)")
        XCTAssertTrue((report["audio"] as? String ?? "").hasPrefix("AAC"), "the audio codec is shown: \(report)")
        XCTAssertEqual(report["clients"] as? String, "2", "publisher and player: \(report)")
        XCTAssertGreaterThan(report["played"] as? Double ?? 0, 7, "the play button plays the live .mp4 (8 s): \(report)")
        // The kick went through the API: the player is gone.
        let after = try Self.json("http://127.0.0.1:\(apiPort)/api/v1/clients")["clients"] as? [[String: Any]] ?? []
        XCTAssertFalse(after.contains { $0["id"] as? Int == playerId }, "kicked: \(after)")
        XCTAssertTrue(ExternalTool.wait(player, timeout: 10), "the kicked player's ffmpeg ended")
        for name in ["console-streams.png", "console-playing.png"] { Browser.keep(screenshots + "-" + name) }
    }

    private static func json(_ url: String) throws -> [String: Any] {
        let text = try ExternalTool.run("curl", ["-s", "--max-time", "5", url], timeout: 10).output
        return (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
    }

    /// Opens the console, waits for the stream's row, screenshots it, kicks the player, plays
    /// the stream; prints a JSON report on its last line.
    static let consoleScript = #"""
        import json, sys, time
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.by import By
        url, player, shots = sys.argv[1], sys.argv[2], sys.argv[3]
        options = Options()
        for flag in ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--autoplay-policy=no-user-gesture-required',
                     '--window-size=1200,1000']:
            options.add_argument(flag)
        options.binary_location = '/usr/bin/chromium'
        driver = webdriver.Chrome(options=options, service=Service('/usr/bin/chromedriver'))
        report = {}
        def wait(condition, seconds=20):
            deadline = time.time() + seconds
            while time.time() < deadline:
                value = condition()
                if value: return value
                time.sleep(0.2)
            return None
        try:
            driver.get(url)
            row = wait(lambda: driver.find_elements(By.CSS_SELECTOR, '#streams tr[data-stream="live/livestream"]'))
            assert row, 'no stream row: ' + driver.find_element(By.TAG_NAME, 'body').text
            row = row[0]
            wait(lambda: row.find_element(By.CLASS_NAME, 'client-count').text == '2')
            report['stream'] = row.get_attribute('data-stream')
            report['video'] = row.find_element(By.CLASS_NAME, 'video-codec').text
            report['audio'] = row.find_element(By.CLASS_NAME, 'audio-codec').text
            report['clients'] = row.find_element(By.CLASS_NAME, 'client-count').text
            driver.save_screenshot(shots + '-console-streams.png')
            kick = driver.find_element(By.CSS_SELECTOR, f'#clients tr[data-client="{player}"] button.kick')
            kick.click()
            report['kicked'] = bool(wait(lambda: not driver.find_elements(By.CSS_SELECTOR, f'#clients tr[data-client="{player}"]')))
            driver.find_element(By.CSS_SELECTOR, '#streams tr[data-stream="live/livestream"] button').click()
            wait(lambda: driver.execute_script('return document.getElementById("video").currentTime') > 0.1)
            start = driver.execute_script('return document.getElementById("video").currentTime')
            time.sleep(8)
            report['played'] = driver.execute_script('return document.getElementById("video").currentTime') - start
            driver.save_screenshot(shots + '-console-playing.png')
            print(json.dumps(report))
        finally:
            driver.quit()
        """#
}
