import Foundation
import SRSClient
import XCTest

final class FLVFileTests: XCTestCase {
    func testWriteThenReadBackTagByTag() throws {
        let path = NSTemporaryDirectory() + "flvfile-\(UUID().uuidString.prefix(8)).flv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try FLVFileWriter(path: path)
        try writer.writeHeader()
        let packets = [MediaPacket(kind: .script, timestamp: 0, payload: [2, 0, 1, 0x41]),
                       MediaPacket(kind: .video, timestamp: 0x0100_0020, payload: [0x17, 0x00, 0, 0, 0]),
                       MediaPacket(kind: .audio, timestamp: 46, payload: [0xAF, 0x01, 0x21])]
        for packet in packets { try writer.writeTag(packet) }
        writer.close()
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(Array(bytes.prefix(13)), [0x46, 0x4C, 0x56, 0x01, 0x05, 0, 0, 0, 9, 0, 0, 0, 0])
        XCTAssertEqual(bytes.count, 13 + packets.reduce(0) { $0 + 15 + $1.payload.count })
        let reader = try FLVFileReader(path: path)
        XCTAssertEqual(try reader.readHeader(), [0x46, 0x4C, 0x56, 0x01, 0x05, 0, 0, 0, 9])
        var read: [MediaPacket] = []
        while let tag = try reader.readTag() { read.append(tag) }
        XCTAssertEqual(read, packets)
        XCTAssertTrue(reader.isAtEnd)
        try reader.seek(to: 13)
        XCTAssertEqual(try reader.readTag(), packets[0])
        XCTAssertTrue(packets[1].isSequenceHeader && packets[1].isKeyframe)
        XCTAssertEqual(packets[2].description, "Audio packet dts=46 size=3 AAC 44kHz 16bit stereo (raw)")
    }

    func testAFileThatIsNotFLVIsRefused() throws {
        let path = NSTemporaryDirectory() + "notflv-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("hello, this is no flv".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try FLVFileReader(path: path).readHeader())
        XCTAssertThrowsError(try FLVFileReader(path: path + "-missing"))
    }
}
