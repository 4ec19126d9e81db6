import Foundation
import XCTest

/// Live fragmented MP4 over HTTP (`http_remux` mounts ending in `.mp4`): ffprobe reads it for
/// H.264 + AAC with B-frames, H.264 + MP3 and audio-only AAC; headless Chromium plays it in the
/// console's player page, a plain `<video>` tag.
final class LiveMP4Tests: XCTestCase {
    override func tearDown() {
        TestProcesses.shared.killAll()
        super.tearDown()
    }

    private func server(httpPort: Int, root: String) throws -> ServerProcess {
        try ServerProcess(body: """
            vhost __defaultVhost__ { http_remux { enabled on; mount [vhost]/[app]/[stream].mp4; } }
            vhost mp3.example { http_remux { enabled on; mount [vhost]/[app]/[stream].mp4; } }
            vhost aac.example { http_remux { enabled on; mount [vhost]/[app]/[stream].mp4; } }
            """, head: "http_server { enabled on; listen \(httpPort); dir \(root); }")
    }

    func testFFprobeReadsLiveMP4OfEveryCodecMix() throws {
        let httpPort = ServerProcess.freePort()
        let server = try server(httpPort: httpPort, root: NSTemporaryDirectory())
        let streams: [(MediaFixtures.Kind, String, String, String)] = [
            (.bframesAAC30s, "live/test", "127.0.0.1", "h264,aac"),
            (.bframesMP3, "live?vhost=mp3.example/test", "mp3.example", "h264,mp3"),
            (.audioOnlyAAC, "live?vhost=aac.example/test", "aac.example", "aac"),
        ]
        for (kind, path, _, _) in streams {
            _ = try ExternalTool.start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", try MediaFixtures.path(kind),
                                                  "-c", "copy", "-f", "flv", server.url(path)], logFile: server.directory + "/publisher-\(UUID().uuidString.prefix(4)).log")
        }
        sleep(2)
        for (_, _, host, codecs) in streams {
            let file = server.directory + "/\(host).mp4"
            let fetched = try ExternalTool.run("curl", ["-s", "--max-time", "5", "-H", "Host: \(host)", "-o", file, "-w", "%{http_code} %{content_type}",
                                                        "http://127.0.0.1:\(httpPort)/live/test.mp4"], timeout: 15)
            XCTAssertEqual(fetched.output, "200 video/mp4", host)
            let probe = try ExternalTool.run("ffprobe", ["-v", "error", "-count_frames", "-show_entries", "stream=codec_name,nb_read_frames",
                                                         "-of", "csv=p=0", file], timeout: 30)
            let lines = probe.output.split(separator: "\n").map(String.init)
            XCTAssertEqual(lines.compactMap { $0.split(separator: ",").first.map(String.init) }.joined(separator: ","), codecs, "\(host): \(probe.output)")
            for line in lines {
                let count = Int(line.split(separator: ",").last ?? "") ?? 0
                // About 5 s minus up to one GOP waiting for the first fragment's end.
                XCTAssertGreaterThan(count, line.hasPrefix("h264") ? 50 : 80, "\(host): \(line)")
            }
        }
        XCTAssertTrue(server.isRunning)
    }

    /// The console's player page (a plain `<video>` tag) plays the live `.mp4`.
    func testChromiumPlaysLiveMP4InAVideoTag() throws {
        let httpPort = ServerProcess.freePort()
        let root = NSTemporaryDirectory()
        let server = try server(httpPort: httpPort, root: root)
        _ = try ExternalTool.start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", try MediaFixtures.path(.bframesAAC30s),
                                              "-c", "copy", "-f", "flv", server.url("live/test")], logFile: server.directory + "/publisher.log")
        sleep(1)
        let screenshot = server.directory + "/chromium-live-mp4.png"
        let page = "http://127.0.0.1:\(httpPort)/console/player.html?url=%2Flive%2Ftest.mp4"
        let result = try Browser.run(script: Self.playScript, arguments: [page, screenshot], timeout: 90)
        XCTAssertEqual(result.status, 0, result.output)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data((result.output.split(separator: "\n").last ?? "").utf8)) as? [String: Any],
                                   result.output)
        let advanced = report["advanced"] as? Double ?? 0
        XCTAssertGreaterThan(advanced, 9, "video.currentTime advanced over 10 s: \(report)")
        XCTAssertGreaterThan(report["variance"] as? Double ?? 0, 100, "the frame shows the test pattern, not a flat frame: \(report)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: screenshot))
        Browser.keep(screenshot)
    }

    /// Opens the page, watches `video.currentTime` for 10 s, measures the frame's pixels on a
    /// canvas, saves a screenshot; prints a JSON report on its last line.
    static let playScript = #"""
        import json, sys, time
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
        url, shot = sys.argv[1], sys.argv[2]
        options = Options()
        for flag in ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--autoplay-policy=no-user-gesture-required',
                     '--window-size=400,300']:
            options.add_argument(flag)
        options.binary_location = '/usr/bin/chromium'
        driver = webdriver.Chrome(options=options, service=Service('/usr/bin/chromedriver'))
        try:
            driver.get(url)
            deadline = time.time() + 20
            # Playing, not just loaded: Chromium starts once about 2 s are buffered.
            while time.time() < deadline and driver.execute_script('return document.getElementById("video").currentTime') <= 0.1:
                time.sleep(0.2)
            start = driver.execute_script('return document.getElementById("video").currentTime')
            time.sleep(10)
            end = driver.execute_script('return document.getElementById("video").currentTime')
            variance = driver.execute_script('''
                const v = document.getElementById("video"), c = document.createElement("canvas");
                c.width = v.videoWidth; c.height = v.videoHeight;
                const g = c.getContext("2d"); g.drawImage(v, 0, 0);
                const d = g.getImageData(0, 0, c.width, c.height).data;
                let n = 0, s = 0, q = 0;
                for (let i = 0; i < d.length; i += 16) { const y = (d[i] + d[i + 1] + d[i + 2]) / 3; n++; s += y; q += y * y; }
                const m = s / n; return q / n - m * m;''')
            state = driver.execute_script('const v = document.getElementById("video"); return {w: v.videoWidth, h: v.videoHeight, error: v.error && v.error.message, ready: v.readyState}')
            driver.save_screenshot(shot)
            print(json.dumps({'start': start, 'advanced': end - start, 'variance': variance, 'state': state}))
        finally:
            driver.quit()
        """#
}
