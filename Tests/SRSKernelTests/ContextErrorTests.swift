import XCTest
@testable import SRSKernel

final class ContextErrorTests: XCTestCase {
    func testWrappingKeepsTheChainOutermostFirst() {
        let inner = KernelError.truncated("AMF0 string", need: 5, have: 2)
        let wrapped = ContextError("command message", inner).wrapped("RTMP client 10.0.0.1:4000")
        XCTAssertEqual(wrapped.contexts, ["RTMP client 10.0.0.1:4000", "command message", "AMF0 string"])
        XCTAssertEqual(wrapped.reason, "truncated input: need 5 bytes, have 2")
        XCTAssertEqual(wrapped.context, "RTMP client 10.0.0.1:4000: command message: AMF0 string")
        XCTAssertEqual(wrapped.description, "RTMP client 10.0.0.1:4000: command message: AMF0 string: truncated input: need 5 bytes, have 2")
        XCTAssertEqual(inner.description, "AMF0 string: truncated input: need 5 bytes, have 2", "wrapping leaves the original as it was")
        XCTAssertNotEqual(wrapped, inner)
    }
}
