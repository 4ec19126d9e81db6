import SRSIO
import SRSKernel

/// One HTTP-FLV player: GET, then FLV tags counted as they stream in (a light parser that
/// only reads tag headers and the first payload bytes). Confined to its loop.
final class FLVBenchPlayer: TransportDelegate, BenchClient {
    let tcp: TCPConnection
    private let request: [UInt8]
    private let statistics: BenchStatistics
    private var tally: PlayerTally
    private var headerBuffer: [UInt8] = []
    private var inBody = false
    /// FLV parse state: bytes to skip, then a tag header to read.
    private var skip = 13
    private var tagHeader: [UInt8] = []
    /// Disconnects after this many bytes (`churn` mode).
    private let byteLimit: Int?
    private(set) var finished = false

    init(tcp: TCPConnection, url: BenchURL, statistics: BenchStatistics, byteLimit: Int? = nil) {
        self.byteLimit = byteLimit
        self.tcp = tcp
        self.statistics = statistics
        tally = PlayerTally(statistics: statistics)
        request = Array("GET \(url.path) HTTP/1.1\r\nHost: \(url.host):\(url.port)\r\nUser-Agent: srs-bench\r\nAccept: */*\r\n\r\n".utf8)
    }

    var loop: EventLoop { tcp.loop }

    func start() {
        tcp.start(delegate: self)
        tcp.send(request)
    }

    func connection(_ connection: any Transport, didReceive bytes: UnsafeRawBufferPointer) {
        tally.received(bytes: bytes.count)
        var body = bytes[...]
        if !inBody {
            headerBuffer += bytes
            guard let end = headerBuffer.firstRange(of: [13, 10, 13, 10]) else {
                if headerBuffer.count > 16384 { fail("response header too large") }
                return
            }
            guard headerBuffer.starts(with: Array("HTTP/1.1 200".utf8)) || headerBuffer.starts(with: Array("HTTP/1.0 200".utf8)) else {
                fail("HTTP status \(String(decoding: headerBuffer.prefix(12).dropFirst(9), as: UTF8.self))")
                return
            }
            inBody = true
            statistics.connected.add(1, ordering: .relaxed)
            tally.playing()
            let bodyStart = bytes.count - (headerBuffer.count - end.upperBound)
            body = bytes[bodyStart...]
            headerBuffer = []
        }
        parse(UnsafeRawBufferPointer(rebasing: body))
        if let byteLimit, tally.bytes >= byteLimit { finish() }
    }

    private func parse(_ bytes: UnsafeRawBufferPointer) {
        var index = 0
        var messages = 0
        while index < bytes.count {
            if skip > 0 {
                let step = min(skip, bytes.count - index)
                skip -= step
                index += step
                continue
            }
            let need = FLV.tagHeaderSize + 1 - tagHeader.count  // header plus the first body byte
            let take = min(need, bytes.count - index)
            tagHeader += bytes[index..<(index + take)]
            index += take
            guard tagHeader.count == FLV.tagHeaderSize + 1 else { return }
            let type = tagHeader[0] & 0x1F
            let size = Int(tagHeader[1]) << 16 | Int(tagHeader[2]) << 8 | Int(tagHeader[3])
            let timestamp = Int64(tagHeader[4]) << 16 | Int64(tagHeader[5]) << 8 | Int64(tagHeader[6]) | Int64(tagHeader[7]) << 24
            messages += 1
            if type == 9 { tally.video(timestamp: timestamp) }
            skip = max(0, size - 1) + FLV.previousTagSizeSize
            tagHeader.removeAll(keepingCapacity: true)
        }
        if messages > 0 { statistics.messages.add(messages, ordering: .relaxed) }
    }

    func connectionDidDrain(_ connection: any Transport) {}

    func connection(_ connection: any Transport, didCloseWith reason: CloseReason) {
        if !finished { fail("closed: \(reason)") }
    }

    private func fail(_ reason: String) {
        guard !finished else { return }
        finished = true
        statistics.fail(reason)
        tcp.close(.local(reason))
    }

    func finish() {
        guard !finished else { return }
        finished = true
        tally.recordRate()
        tcp.close(.local("bench finished"))
    }
}
