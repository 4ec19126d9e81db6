import XCTest
@testable import SRSRTMP

final class StreamRequestTests: XCTestCase {
    private func connect(_ tcUrl: String, _ app: String?) -> StreamRequest {
        var request = StreamRequest()
        request.parseConnect(tcUrl: tcUrl, app: app)
        return request
    }

    func testVhostInTcUrlAndAppQuery() {
        let request = connect("rtmp://host:1936/live?vhost=v1", "live?vhost=v1")
        XCTAssertEqual(request.schema, "rtmp")
        XCTAssertEqual(request.host, "host")
        XCTAssertEqual(request.port, 1936)
        XCTAssertEqual(request.app, "live")
        XCTAssertEqual(request.vhost, "v1")
        XCTAssertEqual(request.param, "?vhost=v1")
        XCTAssertEqual(request.tcUrl, "rtmp://host:1936/live?vhost=v1")
    }

    func testIPv6Host() {
        let request = connect("rtmp://[::1]:1935/live", "live")
        XCTAssertEqual(request.host, "::1")
        XCTAssertEqual(request.port, 1935)
        XCTAssertEqual(request.vhost, "::1")
        XCTAssertEqual(request.app, "live")
        XCTAssertEqual(request.param, "")
    }

    func testIPv6HostWithoutPort() {
        let request = connect("rtmp://[2001:db8::2]/live", nil)
        XCTAssertEqual(request.host, "2001:db8::2")
        XCTAssertEqual(request.port, 1935)
    }

    func testDefaultPort() {
        let request = connect("rtmp://example.com/live", "live")
        XCTAssertEqual(request.host, "example.com")
        XCTAssertEqual(request.port, 1935)
        XCTAssertEqual(request.vhost, "example.com")
    }

    func testSchemeIsLowercasedAndNonRTMPDefaultsTo80() {
        let request = connect("HTTP://example.com/live", "live")
        XCTAssertEqual(request.schema, "http")
        XCTAssertEqual(request.port, 80)
    }

    func testAppFallsBackToTcUrlPath() {
        XCTAssertEqual(connect("rtmp://h/live", nil).app, "live")
        XCTAssertEqual(connect("rtmp://h/live", "").app, "live")
        XCTAssertEqual(connect("rtmp://h/a/b/", nil).app, "a/b")
    }

    func testQueryOnlyInTcUrlIsUsed() {
        let request = connect("rtmp://h/live?vhost=v3&x=1", "live")
        XCTAssertEqual(request.app, "live")
        XCTAssertEqual(request.vhost, "v3")
        XCTAssertEqual(request.param, "?vhost=v3&x=1")
    }

    func testDomainParameterIsAVhostAlias() {
        XCTAssertEqual(connect("rtmp://h/live?domain=d1", "live?domain=d1").vhost, "d1")
    }

    func testEmptyVhostParameterKeepsHost() {
        XCTAssertEqual(connect("rtmp://h/live?vhost=", "live?vhost=").vhost, "h")
    }

    func testSRSTripleDotForm() {
        let request = connect("rtmp://127.0.0.1/live...vhost...v2", "live...vhost...v2")
        XCTAssertEqual(request.app, "live")
        XCTAssertEqual(request.vhost, "v2")
        XCTAssertEqual(request.host, "127.0.0.1")
    }

    /// SRS 2.0 (srs_vhost_resolve) turns every "..." into a separator, so a parameter after the
    /// vhost does not become part of it.
    func testSRSTripleDotFormWithAnotherParameterAfterVhost() {
        let request = connect("rtmp://127.0.0.1/live...vhost...v2...token...abc", "live...vhost...v2...token...abc")
        XCTAssertEqual(request.app, "live")
        XCTAssertEqual(request.vhost, "v2")
    }

    func testStreamNameWithParams() {
        var request = connect("rtmp://127.0.0.1:1935/live", "live")
        request.parseStreamName("livestream?vhost=x&token=y")
        XCTAssertEqual(request.stream, "livestream")
        XCTAssertEqual(request.vhost, "x")
        XCTAssertEqual(request.param, "?vhost=x&token=y")
        XCTAssertEqual(request.streamKey, "x/live/livestream")
        XCTAssertEqual(request.streamURL, "/live/livestream")
    }

    func testStreamNameWithoutParamsKeepsConnectVhostAndParam() {
        var request = connect("rtmp://h/live?vhost=v1", "live?vhost=v1")
        request.parseStreamName("/cam1/")
        XCTAssertEqual(request.stream, "cam1")
        XCTAssertEqual(request.vhost, "v1")
        XCTAssertEqual(request.param, "?vhost=v1")
    }

    func testUnsafeNames() {
        var request = connect("rtmp://h/live", "live")
        request.parseStreamName("cam/1")
        XCTAssertNil(request.unsafeNameReason)
        request.parseStreamName("a..b")
        XCTAssertNil(request.unsafeNameReason, "dots inside a name are fine")
        request.parseStreamName("../../etc/x")
        XCTAssertEqual(request.unsafeNameReason, "stream name '../../etc/x' has a '..' component")
        request.parseStreamName("a/..")
        XCTAssertNotNil(request.unsafeNameReason)
        request.parseStreamName("line\nbreak")
        XCTAssertEqual(request.unsafeNameReason, "stream name has a control character")
        let app = connect("rtmp://h/live/../x", "live/../x")
        XCTAssertEqual(app.unsafeNameReason, "app name 'live/../x' has a '..' component")
    }

    func testSplitHostPort() {
        XCTAssertEqual(StreamRequest.splitHostPort("a:99", defaultPort: 1).0, "a")
        XCTAssertEqual(StreamRequest.splitHostPort("a:99", defaultPort: 1).1, 99)
        XCTAssertEqual(StreamRequest.splitHostPort("a", defaultPort: 7).1, 7)
        XCTAssertEqual(StreamRequest.splitHostPort("[fe80::1]:8080", defaultPort: 1).0, "fe80::1")
        XCTAssertEqual(StreamRequest.splitHostPort("[fe80::1]:8080", defaultPort: 1).1, 8080)
        // A bare IPv6 address (several colons) is a host, not host:port.
        XCTAssertEqual(StreamRequest.splitHostPort("fe80::1", defaultPort: 5).0, "fe80::1")
        XCTAssertEqual(StreamRequest.splitHostPort("fe80::1", defaultPort: 5).1, 5)
    }
}
