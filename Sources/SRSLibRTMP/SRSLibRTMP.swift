import Foundation
import Glibc
import SRSClient
import SRSKernel

// The C API (include/srs_librtmp.h) over the Swift client library, in SRS librtmp's shape.
// Handles are retained Swift objects; every function checks its handle for NULL.

/// One `srs_rtmp_t`: the client and the text of its last error (kept for the C caller).
final class CRTMPHandle {
    let client: RTMPClient
    /// srs_rtmp_set_timeout's receive timeout for reads (nil: wait as long as it takes).
    var readTimeoutMs: Int?
    /// A C string (strdup), replaced at each call.
    private(set) var lastError: UnsafeMutablePointer<CChar> = strdup("")

    init(client: RTMPClient) { self.client = client }

    deinit { free(lastError) }

    private func setError(_ text: String) {
        free(lastError)
        lastError = strdup(text)
    }

    func run(_ body: () throws -> Void) -> Int32 {
        do {
            try body()
            setError("")
            return 0
        } catch {
            setError("\(error)")
            return 1
        }
    }
}

/// One `srs_flv_t`: a reader or a writer, and the data size of the last tag header read.
final class CFLVHandle {
    var reader: FLVFileReader?
    var writer: FLVFileWriter?
    var pendingTag: MediaPacket?

    init(reader: FLVFileReader) { self.reader = reader }
    init(writer: FLVFileWriter) { self.writer = writer }
}

private func rtmp(_ pointer: UnsafeMutableRawPointer?) -> CRTMPHandle? {
    pointer.map { Unmanaged<CRTMPHandle>.fromOpaque($0).takeUnretainedValue() }
}

private func flv(_ pointer: UnsafeMutableRawPointer?) -> CFLVHandle? {
    pointer.map { Unmanaged<CFLVHandle>.fromOpaque($0).takeUnretainedValue() }
}

private func bytes(_ data: UnsafeMutablePointer<CChar>?, _ size: Int32) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeRawBufferPointer(start: data, count: Int(size)))
}

@_cdecl("srs_version_major") public func srs_version_major() -> Int32 { Int32(SwiftSRSVersion.major) }
@_cdecl("srs_version_minor") public func srs_version_minor() -> Int32 { Int32(SwiftSRSVersion.minor) }
@_cdecl("srs_version_revision") public func srs_version_revision() -> Int32 { Int32(SwiftSRSVersion.revision) }

@_cdecl("srs_rtmp_create")
public func srs_rtmp_create(_ url: UnsafePointer<CChar>?) -> UnsafeMutableRawPointer? {
    guard let url, let client = try? RTMPClient(url: String(cString: url)) else { return nil }
    return Unmanaged.passRetained(CRTMPHandle(client: client)).toOpaque()
}

@_cdecl("srs_rtmp_destroy")
public func srs_rtmp_destroy(_ handle: UnsafeMutableRawPointer?) {
    guard let handle else { return }
    let object = Unmanaged<CRTMPHandle>.fromOpaque(handle)
    object.takeUnretainedValue().client.close()
    object.release()
}

@_cdecl("srs_rtmp_handshake")
public func srs_rtmp_handshake(_ handle: UnsafeMutableRawPointer?) -> Int32 {
    guard let object = rtmp(handle) else { return 1 }
    return object.run { try object.client.handshake() }
}

@_cdecl("srs_rtmp_connect_app")
public func srs_rtmp_connect_app(_ handle: UnsafeMutableRawPointer?) -> Int32 {
    guard let object = rtmp(handle) else { return 1 }
    return object.run { try object.client.connectApp() }
}

@_cdecl("srs_rtmp_play_stream")
public func srs_rtmp_play_stream(_ handle: UnsafeMutableRawPointer?) -> Int32 {
    guard let object = rtmp(handle) else { return 1 }
    return object.run { try object.client.play() }
}

@_cdecl("srs_rtmp_publish_stream")
public func srs_rtmp_publish_stream(_ handle: UnsafeMutableRawPointer?) -> Int32 {
    guard let object = rtmp(handle) else { return 1 }
    return object.run { try object.client.publish() }
}

@_cdecl("srs_rtmp_read_packet")
public func srs_rtmp_read_packet(_ handle: UnsafeMutableRawPointer?, _ type: UnsafeMutablePointer<CChar>?, _ timestamp: UnsafeMutablePointer<UInt32>?,
                                 _ data: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ size: UnsafeMutablePointer<Int32>?) -> Int32 {
    data?.pointee = nil
    size?.pointee = 0
    guard let object = rtmp(handle) else { return 1 }
    var packet: MediaPacket?
    let status = object.run {
        packet = try object.client.readPacket(waitingAtMost: object.readTimeoutMs)
        if packet == nil { throw RTMPClientEnded(timedOut: !object.client.isClosed) }
    }
    guard status == 0, let packet else { return status }
    // AMF3 data (15) is script data too, as SRS reports it.
    type?.pointee = CChar(bitPattern: packet.type == 15 ? 18 : packet.type)
    timestamp?.pointee = packet.timestamp
    size?.pointee = Int32(packet.payload.count)
    if let data {
        let buffer = malloc(max(1, packet.payload.count))!.assumingMemoryBound(to: CChar.self)
        packet.payload.withUnsafeBytes { if let base = $0.baseAddress { UnsafeMutableRawPointer(buffer).copyMemory(from: base, byteCount: $0.count) } }
        data.pointee = buffer
    }
    return 0
}

/// No packet: the server closed the connection, or the receive timeout passed.
struct RTMPClientEnded: Error, CustomStringConvertible {
    var timedOut: Bool
    var description: String { timedOut ? "no packet within the receive timeout" : "the server closed the connection" }
}

@_cdecl("srs_rtmp_write_packet")
public func srs_rtmp_write_packet(_ handle: UnsafeMutableRawPointer?, _ type: CChar, _ timestamp: UInt32, _ data: UnsafeMutablePointer<CChar>?,
                                  _ size: Int32) -> Int32 {
    defer { free(data) }  // SRS librtmp owns the data once written
    guard let object = rtmp(handle) else { return 1 }
    let packet = MediaPacket(type: UInt8(bitPattern: type), timestamp: timestamp, payload: bytes(data, size))
    return object.run { try object.client.writePacket(packet) }
}

@_cdecl("srs_h264_write_raw_frames")
public func srs_h264_write_raw_frames(_ handle: UnsafeMutableRawPointer?, _ frames: UnsafeMutablePointer<CChar>?, _ size: Int32,
                                      _ dts: UInt32, _ pts: UInt32) -> Int32 {
    guard let object = rtmp(handle) else { return 1 }
    let annexB = bytes(frames, size)
    return object.run { try object.client.writeH264Frames(annexB, dts: dts, pts: pts) }
}

@_cdecl("srs_audio_write_raw_frame")
public func srs_audio_write_raw_frame(_ handle: UnsafeMutableRawPointer?, _ format: CChar, _ rate: CChar, _ sampleSize: CChar, _ soundType: CChar,
                                      _ frame: UnsafeMutablePointer<CChar>?, _ size: Int32, _ timestamp: UInt32) -> Int32 {
    guard let object = rtmp(handle) else { return 1 }
    let payload = bytes(frame, size)
    return object.run {
        try object.client.writeAudioFrame(soundFormat: UInt8(bitPattern: format), soundRate: UInt8(bitPattern: rate), soundSize: UInt8(bitPattern: sampleSize),
                                          soundType: UInt8(bitPattern: soundType), frame: payload, timestamp: timestamp)
    }
}

@_cdecl("srs_rtmp_last_error")
public func srs_rtmp_last_error(_ handle: UnsafeMutableRawPointer?) -> UnsafePointer<CChar>? {
    guard let object = rtmp(handle) else { return nil }
    return UnsafePointer(object.lastError)
}

// MARK: FLV files

@_cdecl("srs_flv_open_read")
public func srs_flv_open_read(_ file: UnsafePointer<CChar>?) -> UnsafeMutableRawPointer? {
    guard let file, let reader = try? FLVFileReader(path: String(cString: file)) else { return nil }
    return Unmanaged.passRetained(CFLVHandle(reader: reader)).toOpaque()
}

@_cdecl("srs_flv_open_write")
public func srs_flv_open_write(_ file: UnsafePointer<CChar>?) -> UnsafeMutableRawPointer? {
    guard let file, let writer = try? FLVFileWriter(path: String(cString: file)) else { return nil }
    return Unmanaged.passRetained(CFLVHandle(writer: writer)).toOpaque()
}

@_cdecl("srs_flv_close")
public func srs_flv_close(_ handle: UnsafeMutableRawPointer?) {
    guard let handle else { return }
    let object = Unmanaged<CFLVHandle>.fromOpaque(handle)
    object.takeUnretainedValue().writer?.close()
    object.release()
}

@_cdecl("srs_flv_read_header")
public func srs_flv_read_header(_ handle: UnsafeMutableRawPointer?, _ header: UnsafeMutablePointer<CChar>?) -> Int32 {
    guard let reader = flv(handle)?.reader, let header, let bytes = try? reader.readHeader() else { return 1 }
    // (the header's 9 bytes; PreviousTagSize0 is skipped)
    for (index, byte) in bytes.enumerated() { header[index] = CChar(bitPattern: byte) }
    return 0
}

@_cdecl("srs_flv_read_tag_header")
public func srs_flv_read_tag_header(_ handle: UnsafeMutableRawPointer?, _ type: UnsafeMutablePointer<CChar>?, _ dataSize: UnsafeMutablePointer<Int32>?,
                                    _ time: UnsafeMutablePointer<UInt32>?) -> Int32 {
    guard let object = flv(handle), let reader = object.reader else { return 1 }
    let read: MediaPacket??
    do { read = try reader.readTag() } catch { read = nil }
    guard let result = read else { return 1 }
    guard let tag = result else { return errorSystemFileEOF }
    object.pendingTag = tag
    type?.pointee = CChar(bitPattern: tag.type)
    dataSize?.pointee = Int32(tag.payload.count)
    time?.pointee = tag.timestamp
    return 0
}

@_cdecl("srs_flv_read_tag_data")
public func srs_flv_read_tag_data(_ handle: UnsafeMutableRawPointer?, _ data: UnsafeMutablePointer<CChar>?, _ size: Int32) -> Int32 {
    guard let object = flv(handle), let tag = object.pendingTag, let data, Int(size) >= tag.payload.count else { return 1 }
    tag.payload.withUnsafeBytes { if let base = $0.baseAddress { UnsafeMutableRawPointer(data).copyMemory(from: base, byteCount: $0.count) } }
    object.pendingTag = nil
    return 0
}

@_cdecl("srs_flv_write_header")
public func srs_flv_write_header(_ handle: UnsafeMutableRawPointer?, _ header: UnsafeMutablePointer<CChar>?) -> Int32 {
    guard let writer = flv(handle)?.writer else { return 1 }
    return (try? writer.writeHeader(bytes(header, 9))) == nil ? 1 : 0
}

@_cdecl("srs_flv_write_tag")
public func srs_flv_write_tag(_ handle: UnsafeMutableRawPointer?, _ type: CChar, _ time: Int32, _ data: UnsafeMutablePointer<CChar>?, _ size: Int32) -> Int32 {
    guard let writer = flv(handle)?.writer else { return 1 }
    let packet = MediaPacket(type: UInt8(bitPattern: type), timestamp: UInt32(bitPattern: time), payload: bytes(data, size))
    return (try? writer.writeTag(packet)) == nil ? 1 : 0
}

@_cdecl("srs_flv_size_tag")
public func srs_flv_size_tag(_ dataSize: Int32) -> Int32 { 11 + dataSize + 4 }

/// As SRS's: after a tag header was read (and not its data), the position is just after the
/// 11 header bytes (the reader has the whole tag already).
@_cdecl("srs_flv_tellg")
public func srs_flv_tellg(_ handle: UnsafeMutableRawPointer?) -> Int64 {
    guard let object = flv(handle), let reader = object.reader else { return 0 }
    guard let pending = object.pendingTag else { return Int64(reader.offset) }
    return max(0, Int64(reader.offset) - Int64(pending.payload.count) - 4)
}

@_cdecl("srs_flv_lseek")
public func srs_flv_lseek(_ handle: UnsafeMutableRawPointer?, _ offset: Int64) {
    guard let object = flv(handle) else { return }
    object.pendingTag = nil
    try? object.reader?.seek(to: UInt64(max(0, offset)))
}

@_cdecl("srs_flv_is_eof")
public func srs_flv_is_eof(_ code: Int32) -> Int32 { code == errorSystemFileEOF ? 1 : 0 }

/// SRS's ERROR_SYSTEM_FILE_EOF.
let errorSystemFileEOF: Int32 = 1046

/// As SRS: an H.264 keyframe whose AVC packet type is 0 (a video tag's data).
@_cdecl("srs_flv_is_sequence_header")
public func srs_flv_is_sequence_header(_ data: UnsafeMutablePointer<CChar>?, _ size: Int32) -> Int32 {
    let payload = bytes(data, min(size, 2))
    return payload.count == 2 && payload[0] == 0x17 && payload[1] == 0 ? 1 : 0
}

@_cdecl("srs_flv_is_keyframe")
public func srs_flv_is_keyframe(_ data: UnsafeMutablePointer<CChar>?, _ size: Int32) -> Int32 {
    bytes(data, min(size, 1)).first.map { $0 >> 4 == 1 ? 1 : 0 } ?? 0
}

@_cdecl("srs_human_format_rtmp_packet")
public func srs_human_format_rtmp_packet(_ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int32, _ type: CChar, _ timestamp: UInt32,
                                         _ data: UnsafeMutablePointer<CChar>?, _ size: Int32) -> Int32 {
    guard let buffer, capacity > 0 else { return 1 }
    let line = PacketDescription.describe(type: UInt8(bitPattern: type), timestamp: Int64(timestamp), payload: bytes(data, size))
    let utf8 = Array(line.utf8.prefix(Int(capacity) - 1))
    for (index, byte) in utf8.enumerated() { buffer[index] = CChar(bitPattern: byte) }
    buffer[utf8.count] = 0
    return 0
}

// MARK: The rest of SRS librtmp's helpers its examples use

@_cdecl("srs_rtmp_create2")
public func srs_rtmp_create2(_ url: UnsafePointer<CChar>?) -> UnsafeMutableRawPointer? { srs_rtmp_create(url) }

/// The time one step (connect, an answer, a write) may wait, and how long a read waits for a
/// packet (0 or less: as long as it takes).
@_cdecl("srs_rtmp_set_timeout")
public func srs_rtmp_set_timeout(_ handle: UnsafeMutableRawPointer?, _ receiveMs: Int32, _ sendMs: Int32) -> Int32 {
    guard let object = rtmp(handle) else { return 1 }
    object.client.timeoutMs = Int(max(receiveMs, sendMs, 1))
    object.readTimeoutMs = receiveMs > 0 ? Int(receiveMs) : nil
    return 0
}

@_cdecl("srs_rtmp_is_onMetaData")
public func srs_rtmp_is_onMetaData(_ type: CChar, _ data: UnsafeMutablePointer<CChar>?, _ size: Int32) -> Int32 {
    guard type == 18 || type == 15 else { return 0 }
    return MediaPacket(type: 18, timestamp: 0, payload: bytes(data, size)).metadataForFile != nil ? 1 : 0
}

@_cdecl("srs_aac_is_adts")
public func srs_aac_is_adts(_ data: UnsafeMutablePointer<CChar>?, _ size: Int32) -> Int32 {
    let head = bytes(data, min(size, 2))
    return head.count == 2 && head[0] == 0xFF && head[1] & 0xF0 == 0xF0 ? 1 : 0
}

/// The length of the ADTS frame at data (header included), or -1.
@_cdecl("srs_aac_adts_frame_size")
public func srs_aac_adts_frame_size(_ data: UnsafeMutablePointer<CChar>?, _ size: Int32) -> Int32 {
    let head = bytes(data, min(size, 7))
    guard head.count == 7, head[0] == 0xFF, head[1] & 0xF0 == 0xF0 else { return -1 }
    return Int32(Int(head[3] & 0x03) << 11 | Int(head[4]) << 3 | Int(head[5] >> 5))
}

// Duplicated SPS/PPS and DVB subtitles are dropped without an error here: none is returned.
@_cdecl("srs_h264_is_dvbsp_error") public func srs_h264_is_dvbsp_error(_ code: Int32) -> Int32 { 0 }
@_cdecl("srs_h264_is_duplicated_sps_error") public func srs_h264_is_duplicated_sps_error(_ code: Int32) -> Int32 { 0 }
@_cdecl("srs_h264_is_duplicated_pps_error") public func srs_h264_is_duplicated_pps_error(_ code: Int32) -> Int32 { 0 }

/// Whether data begins with an Annex B start code (00 00 01 or 00 00 00 01); its length goes
/// to pnb_start_code.
@_cdecl("srs_h264_startswith_annexb")
public func srs_h264_startswith_annexb(_ data: UnsafeMutablePointer<CChar>?, _ size: Int32, _ startCodeLength: UnsafeMutablePointer<Int32>?) -> Int32 {
    let head = bytes(data, min(size, 4))
    var zeros = 0
    while zeros < head.count && head[zeros] == 0 { zeros += 1 }
    guard zeros >= 2, zeros < head.count, head[zeros] == 1 else { return 0 }
    startCodeLength?.pointee = Int32(zeros + 1)
    return 1
}

@_cdecl("srs_utils_time_ms")
public func srs_utils_time_ms() -> Int64 {
    var now = timeval()
    gettimeofday(&now, nil)
    return Int64(now.tv_sec) * 1000 + Int64(now.tv_usec) / 1000
}

@_cdecl("srs_utils_send_bytes")
public func srs_utils_send_bytes(_ handle: UnsafeMutableRawPointer?) -> Int64 { Int64(rtmp(handle)?.client.bytesSent ?? 0) }

@_cdecl("srs_utils_recv_bytes")
public func srs_utils_recv_bytes(_ handle: UnsafeMutableRawPointer?) -> Int64 { Int64(rtmp(handle)?.client.bytesReceived ?? 0) }

@_cdecl("srs_utils_flv_tag_is_ok") public func srs_utils_flv_tag_is_ok(_ type: CChar) -> Int32 { type == 8 || type == 9 || type == 18 ? 1 : 0 }
@_cdecl("srs_utils_flv_tag_is_audio") public func srs_utils_flv_tag_is_audio(_ type: CChar) -> Int32 { type == 8 ? 1 : 0 }
@_cdecl("srs_utils_flv_tag_is_video") public func srs_utils_flv_tag_is_video(_ type: CChar) -> Int32 { type == 9 ? 1 : 0 }
@_cdecl("srs_utils_flv_tag_is_av") public func srs_utils_flv_tag_is_av(_ type: CChar) -> Int32 { type == 8 || type == 9 ? 1 : 0 }

/// Static C strings for the names SRS's helpers return.
nonisolated(unsafe) private let tagTypeNames: [UnsafeMutablePointer<CChar>] = ["Audio", "Video", "Data", "Unknown"].map { (name: String) in strdup(name)! }

@_cdecl("srs_human_flv_tag_type2string")
public func srs_human_flv_tag_type2string(_ type: CChar) -> UnsafePointer<CChar>? {
    UnsafePointer(tagTypeNames[type == 8 ? 0 : type == 9 ? 1 : type == 18 ? 2 : 3])
}

/// Prints the packet's description on stdout, as SRS's srs_human_trace does.
@_cdecl("srs_human_print_rtmp_packet")
public func srs_human_print_rtmp_packet(_ type: CChar, _ timestamp: UInt32, _ data: UnsafeMutablePointer<CChar>?, _ size: Int32) -> Int32 {
    let line = PacketDescription.describe(type: UInt8(bitPattern: type), timestamp: Int64(timestamp), payload: bytes(data, size))
    let text = "[\(String(cString: srs_human_format_time()!))] \(line)\n"
    _ = text.withCString { Glibc.write(1, $0, strlen($0)) }
    return 0
}

/// The local time as SRS's traces print it ("2026-12-07 16:30:00.123"), valid until the next
/// call.
@_cdecl("srs_human_format_time")
public func srs_human_format_time() -> UnsafePointer<CChar>? {
    var now = timeval()
    gettimeofday(&now, nil)
    var seconds = now.tv_sec
    var parts = tm()
    localtime_r(&seconds, &parts)
    let text = String(format: "%04d-%02d-%02d %02d:%02d:%02d.%03d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(now.tv_usec / 1000))
    free(formattedTime)
    formattedTime = strdup(text)
    return UnsafePointer(formattedTime)
}

/// The last formatted time: one buffer, as SRS's static one (not for several threads at once).
nonisolated(unsafe) private var formattedTime: UnsafeMutablePointer<CChar>? = nil
