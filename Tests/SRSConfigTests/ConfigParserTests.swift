import XCTest

import SRSConfig

final class ConfigParserTests: XCTestCase {
    private func parse(_ text: String) throws -> [ConfigDirective] {
        try ConfigParser.parse(text: text, file: "t.conf")
    }

    func testSimpleDirectivesKeepNameArgsFileAndLine() throws {
        let root = try parse("listen 1935 1936;\n\nmax_connections   1000;")
        XCTAssertEqual(root, [
            ConfigDirective(name: "listen", args: ["1935", "1936"], file: "t.conf", line: 1),
            ConfigDirective(name: "max_connections", args: ["1000"], file: "t.conf", line: 3),
        ])
    }

    func testNestedBlocks() throws {
        let root = try parse("""
            vhost a.com {
                transcode live {
                    engine ff { vfilter { i logo.png; } }
                }
                hls { }
            }
            """)
        XCTAssertEqual(root.count, 1)
        let vhost = try XCTUnwrap(root.first)
        XCTAssertEqual(vhost.name, "vhost")
        XCTAssertEqual(vhost.arg0, "a.com")
        XCTAssertTrue(vhost.hasBlock)
        XCTAssertEqual(vhost.children.map(\.name), ["transcode", "hls"])
        let hls = try XCTUnwrap(vhost.child("hls"))
        XCTAssertTrue(hls.hasBlock)
        XCTAssertEqual(hls.children, [])
        XCTAssertEqual(hls.line, 5)
        let filter = try XCTUnwrap(vhost.child("transcode")?.child("engine")?.child("vfilter")?.child("i"))
        XCTAssertEqual(filter.args, ["logo.png"])
        XCTAssertEqual(filter.line, 3)
    }

    func testLeafHasNoBlock() throws {
        let root = try parse("gop_cache on;")
        XCTAssertEqual(root.first?.hasBlock, false)
    }

    func testCommentsRunToEndOfLine() throws {
        let root = try parse("""
            # a comment; with { braces }
            listen 1935; # trailing comment }
            pid ./x.pid;#right after ';'
            """)
        XCTAssertEqual(root.map(\.name), ["listen", "pid"])
        XCTAssertEqual(root.map(\.args), [["1935"], ["./x.pid"]])
    }

    func testHashInsideWordIsNotAComment() throws {
        let root = try parse("url http://host/#anchor;")
        XCTAssertEqual(root.first?.args, ["http://host/#anchor"])
    }

    func testQuotedArgumentsKeepSpacesSemicolonsBracesAndHashes() throws {
        let root = try parse("""
            filter_complex 'overlay=10:10; [a] {b} #c' "double 'quoted'" '' 'no\\escape\\n';
            """)
        XCTAssertEqual(root.first?.args, ["overlay=10:10; [a] {b} #c", "double 'quoted'", "", "no\\escape\\n"])
    }

    func testQuotedArgumentMaySpanLinesAndLinesKeepCounting() throws {
        let root = try parse("a 'x\ny';\nb 1;")
        XCTAssertEqual(root.map(\.args), [["x\ny"], ["1"]])
        XCTAssertEqual(root.map(\.line), [1, 3])
    }

    func testQuotedDirectiveName() throws {
        let root = try parse("\"listen\" 1935;")
        XCTAssertEqual(root.first?.name, "listen")
    }

    func testQuoteInsideWordIsLiteral() throws {
        let root = try parse("a b'c\"d;")
        XCTAssertEqual(root.first?.args, ["b'c\"d"])
    }

    func testSemicolonAndBraceEndWordsWithoutSpaces() throws {
        let root = try parse("mr{enabled off;latency 350;}gop_cache on;")
        XCTAssertEqual(root.map(\.name), ["mr", "gop_cache"])
        XCTAssertEqual(root.first?.children.map(\.name), ["enabled", "latency"])
    }

    func testCRLFTabsAndByteOrderMark() throws {
        let root = try parse("\u{FEFF}listen\t1935;\r\npid\t./a.pid;\r\n")
        XCTAssertEqual(root.map(\.name), ["listen", "pid"])
        XCTAssertEqual(root.map(\.line), [1, 2])
    }

    func testEmptyTextGivesNoDirectives() throws {
        XCTAssertEqual(try parse("  \n# only a comment\n"), [])
    }

    func testDirectiveHelpers() throws {
        let root = try parse("vhost v { hls { } forward a; forward b; }")
        let vhost = try XCTUnwrap(root.first)
        XCTAssertEqual(vhost.children(named: "forward").map(\.args), [["a"], ["b"]])
        XCTAssertNil(vhost.child("dvr"))
        XCTAssertNil(ConfigDirective(name: "x").arg0)
        XCTAssertEqual(vhost.location, "t.conf:1")
    }
}
