import XCTest
import SRSKernel
@testable import SRSRTMP

func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }

func hex(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { byte in
        let digits = String(byte, radix: 16, uppercase: true)
        return digits.count == 1 ? "0" + digits : digits
    }.joined(separator: " ")
}

/// Lower-case hex without separators.
func hexString(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { byte in
        let digits = String(byte, radix: 16)
        return digits.count == 1 ? "0" + digits : digits
    }.joined()
}

/// `count` bytes 0, 1, 2, ... wrapping at 256, offset by `seed`.
func pattern(_ count: Int, seed: Int = 0) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &+ seed) }
}

extension ChunkDecoder {
    /// Decodes `bytes` (test convenience over the raw-buffer API).
    mutating func feed(_ bytes: [UInt8]) throws(RTMPError) -> [RTMPMessage] {
        var result: Result<[RTMPMessage], RTMPError> = .success([])
        bytes.withUnsafeBytes { buffer in
            do throws(RTMPError) { result = .success(try decode(buffer)) } catch { result = .failure(error) }
        }
        return try result.get()
    }
}

extension ChunkDecoder {
    /// Decodes `bytes` with audio and video shared (test convenience over the raw-buffer API).
    mutating func feedSharingMedia(_ bytes: [UInt8]) throws(RTMPError) -> [ChunkDecoder.Decoded] {
        var decoded: [ChunkDecoder.Decoded] = []
        var failure: RTMPError?
        bytes.withUnsafeBytes { buffer in
            do throws(RTMPError) { try decodeSharingMedia(buffer) { decoded.append($0) } } catch { failure = error }
        }
        if let failure { throw failure }
        return decoded
    }
}

extension RTMPServerSession {
    func feed(_ bytes: [UInt8]) throws(RTMPError) -> [RTMPServerEvent] {
        var result: Result<[RTMPServerEvent], RTMPError> = .success([])
        bytes.withUnsafeBytes { buffer in
            do throws(RTMPError) { result = .success(try receive(buffer)) } catch { result = .failure(error) }
        }
        return try result.get()
    }
}

/// Asserts that `body` throws an RTMPError (and does not crash).
func assertThrowsRTMPError<T>(
    _ body: @autoclosure () throws -> T, _ message: String = "", file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertThrowsError(try body(), message, file: file, line: line) { error in
        XCTAssertTrue(error is RTMPError, "expected RTMPError, got \(type(of: error)): \(error)", file: file, line: line)
    }
}
