import SRSHLS
import XCTest

final class HLSPlaylistReaderTests: XCTestCase {
    func testALivePlaylistOfThisServer() throws {
        let text = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-ALLOW-CACHE:NO\n#EXT-X-MEDIA-SEQUENCE:7\n#EXT-X-TARGETDURATION:3\n"
            + "#EXTINF:2.000, no desc\nsrc-7.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:2.480, no desc\nsrc-8.ts?token=1\n"
        let playlist = try HLSPlaylistReader(parsing: text)
        XCTAssertEqual(playlist.targetDuration, 3)
        XCTAssertFalse(playlist.ended)
        XCTAssertEqual(playlist.segments, [.init(uri: "src-7.ts", duration: 2, sequence: 7, discontinuity: false),
                                           .init(uri: "src-8.ts?token=1", duration: 2.48, sequence: 8, discontinuity: true)])
        XCTAssertEqual(playlist.variants, [])
    }

    func testAMasterPlaylistAndAnEndedOne() throws {
        let master = try HLSPlaylistReader(parsing: "#EXTM3U\r\n#EXT-X-STREAM-INF:PROGRAM-ID=1,BANDWIDTH=2560000,CODECS=\"avc1.64001f,mp4a.40.2\"\r\nhd/index.m3u8\r\n"
                                           + "#EXT-X-STREAM-INF:BANDWIDTH=640000\r\nsd/index.m3u8\r\n")
        XCTAssertEqual(master.variants.map(\.uri), ["hd/index.m3u8", "sd/index.m3u8"])
        XCTAssertEqual(master.variants.map(\.bandwidth), [2_560_000, 640_000])
        XCTAssertEqual(master.segments, [])
        let ended = try HLSPlaylistReader(parsing: "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:9.5,\na.ts\n#EXT-X-ENDLIST\n")
        XCTAssertTrue(ended.ended)
        XCTAssertEqual(ended.segments.map(\.sequence), [0])
    }

    func testWhatIsNotAPlaylistIsRefused() {
        XCTAssertThrowsError(try HLSPlaylistReader(parsing: "<html>not found</html>"))
        XCTAssertThrowsError(try HLSPlaylistReader(parsing: "#EXTM3U\n#EXT-X-VERSION:3\n"))
        XCTAssertThrowsError(try HLSPlaylistReader(parsing: "#EXTM3U\n" + String(repeating: "#EXTINF:1,\na.ts\n", count: HLSPlaylistReader.maxEntries + 1)))
        XCTAssertThrowsError(try HLSPlaylistReader(parsing: "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:9223372036854775807\n#EXTINF:1,\na.ts\nb.ts\n"), "a sequence that would overflow")
        let silly = try? HLSPlaylistReader(parsing: "#EXTM3U\n#EXT-X-TARGETDURATION:inf\n#EXTINF:1e300,\na.ts\n")
        XCTAssertEqual(silly?.targetDuration, 0, "not a finite number of seconds")
        XCTAssertEqual(silly?.segments.first?.duration, 0)
    }

    func testURIsResolveAgainstThePlaylist() {
        let base = "http://127.0.0.1:8080/live/src.m3u8?token=1"
        XCTAssertEqual(HLSPlaylistReader.resolve("src-1.ts", against: base), "http://127.0.0.1:8080/live/src-1.ts")
        XCTAssertEqual(HLSPlaylistReader.resolve("/other/a.ts", against: base), "http://127.0.0.1:8080/other/a.ts")
        XCTAssertEqual(HLSPlaylistReader.resolve("https://cdn/a.ts", against: base), "https://cdn/a.ts")
        XCTAssertEqual(HLSPlaylistReader.resolve("sd/index.m3u8", against: "http://h/master.m3u8"), "http://h/sd/index.m3u8")
        XCTAssertEqual(HLSPlaylistReader.resolve("a.ts", against: "http://h:81"), "http://h:81/a.ts")
    }
}
