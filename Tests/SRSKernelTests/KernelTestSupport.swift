import XCTest
@testable import SRSKernel

/// The UTF-8 bytes of `text` (for building golden byte strings by hand).
func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The 8 big-endian bytes of an IEEE 754 double.
func doubleBytes(_ value: Double) -> [UInt8] {
    let bits = value.bitPattern
    return (0..<8).map { UInt8(truncatingIfNeeded: bits >> (56 - 8 * UInt64($0))) }
}

/// Space-separated upper-case hex, for readable failure messages.
func hex(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { byte in
        let digits = String(byte, radix: 16, uppercase: true)
        return digits.count == 1 ? "0" + digits : digits
    }.joined(separator: " ")
}

/// Asserts that `body` throws a KernelError (and not another error, and does not crash).
func assertThrowsKernelError<T>(
    _ body: @autoclosure () throws -> T, _ message: String = "", file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertThrowsError(try body(), message, file: file, line: line) { error in
        XCTAssertTrue(error is KernelError, "expected KernelError, got \(type(of: error)): \(error)", file: file, line: line)
    }
}
