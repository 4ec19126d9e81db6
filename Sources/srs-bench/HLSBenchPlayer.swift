import SRSHTTP
import SRSIO
import SRSKernel

/// One HLS player, as a real one behaves: fetches the m3u8 over a keep-alive connection, starts
/// three segments from the live end, downloads every new segment in order, and polls the
/// playlist again after a target duration (half of one when nothing changed, RFC 8216 6.3.4).
/// Startup is the time to the first complete segment; media-sequence regressions count as
/// timestamp regressions. Confined to its loop.
final class HLSBenchPlayer: TransportDelegate, BenchClient {
    let loop: EventLoop
    private let url: BenchURL
    private let statistics: BenchStatistics
    private var tally: PlayerTally
    private var tcp: TCPConnection?
    private var response = HTTPResponseParser(maxBodyBytes: 64 * 1024 * 1024)
    /// What the request in flight fetches: the playlist (nil) or a segment's sequence number.
    private var inFlight: Int?
    private var queue: [(sequence: Int, path: String)] = []
    /// Highest media sequence downloaded or queued.
    private var lastSequence: Int?
    private var nextPollAt: Int64 = 0
    private var tickId: Int?
    private var everConnected = false
    private(set) var finished = false

    init(loop: EventLoop, url: BenchURL, statistics: BenchStatistics) {
        self.loop = loop
        self.url = url
        self.statistics = statistics
        tally = PlayerTally(statistics: statistics)
    }

    func start() {
        tickId = loop.addTickHandler { [weak self] in self?.tick() }
        reconnect()
    }

    private func reconnect() {
        do {
            let connection = try TCPConnection.connect(host: url.host, port: url.port, loop: loop)
            tcp = connection
            response = HTTPResponseParser(maxBodyBytes: 64 * 1024 * 1024)
            connection.start(delegate: self)
            if let inFlight { requestSegment(inFlight) } else { request(url.path) }
        } catch {
            fail("connect: \(error)")
        }
    }

    private func request(_ path: String) {
        tcp?.send(Array("GET \(path) HTTP/1.1\r\nHost: \(url.host):\(url.port)\r\nUser-Agent: srs-bench\r\nAccept: */*\r\n\r\n".utf8))
    }

    private func requestSegment(_ sequence: Int) {
        guard let path = queue.first(where: { $0.sequence == sequence })?.path else { return }
        request(path)
    }

    private func tick() {
        guard !finished, inFlight == nil, tcp != nil, MonotonicClock.milliseconds() >= nextPollAt else { return }
        request(url.path)
        nextPollAt = .max
    }

    func connection(_ connection: any Transport, didReceive bytes: UnsafeRawBufferPointer) {
        guard connection === tcp, !finished else { return }
        tally.received(bytes: bytes.count)
        response.append(bytes)
        while !finished {
            let next: HTTPResponse?
            do {
                next = try response.next()
            } catch {
                fail("bad HTTP response: \(error)")
                return
            }
            guard let next else { return }
            handle(status: next.status, body: next.body)
        }
    }

    private func handle(status: Int, body: [UInt8]) {
        guard status == 200 else {
            fail(inFlight == nil ? "playlist HTTP \(status)" : "segment HTTP \(status)")
            return
        }
        if !everConnected {
            everConnected = true
            statistics.connected.add(1, ordering: .relaxed)
        }
        if let sequence = inFlight {
            queue.removeAll { $0.sequence == sequence }
            statistics.messages.add(1, ordering: .relaxed)
            // A complete segment: playing, and the startup is its arrival.
            tally.playing()
            tally.video(timestamp: Int64(sequence), coded: false)
        } else {
            takePlaylist(String(decoding: body, as: UTF8.self))
        }
        if let next = queue.first {
            inFlight = next.sequence
            request(next.path)
        } else {
            inFlight = nil
        }
    }

    private func takePlaylist(_ text: String) {
        var sequence = 0
        var target = 10
        var segments: [(Int, String)] = []
        for line in text.split(whereSeparator: \.isNewline) {
            if line.hasPrefix("#EXT-X-MEDIA-SEQUENCE:") {
                sequence = Int(line.dropFirst(22)) ?? 0
            } else if line.hasPrefix("#EXT-X-TARGETDURATION:") {
                target = Int(line.dropFirst(22)) ?? 10
            } else if !line.hasPrefix("#"), !line.isEmpty {
                segments.append((sequence + segments.count, resolve(String(line))))
            }
        }
        let firstNew: Int
        if let last = lastSequence {
            if let newest = segments.last?.0, newest < last { statistics.regressions.add(1, ordering: .relaxed) }
            firstNew = last + 1
        } else {
            firstNew = (segments.last?.0 ?? 0) - 2
        }
        let fresh = segments.filter { $0.0 >= firstNew }
        queue += fresh.map { (sequence: $0.0, path: $0.1) }
        if let newest = fresh.last?.0 { lastSequence = newest }
        nextPollAt = MonotonicClock.milliseconds() + Int64(fresh.isEmpty ? target * 500 : target * 1000)
    }

    /// A segment URI relative to the playlist's folder, or absolute (path or http URL).
    private func resolve(_ uri: String) -> String {
        if uri.hasPrefix("/") { return uri }
        if let scheme = uri.range(of: "://") {
            let rest = uri[scheme.upperBound...]
            return rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? "/"
        }
        let folder = url.path.split(separator: "?").first.map { $0[...($0.lastIndex(of: "/") ?? $0.startIndex)] } ?? "/"
        return String(folder) + uri
    }

    func connectionDidDrain(_ connection: any Transport) {}

    func connection(_ connection: any Transport, didCloseWith reason: CloseReason) {
        guard connection === tcp, !finished else { return }
        tcp = nil
        // A keep-alive connection the server closed between or during requests: open another.
        if case .peerClosed = reason, everConnected { reconnect() } else { fail("closed: \(reason)") }
    }

    private func fail(_ reason: String) {
        guard !finished else { return }
        finished = true
        statistics.fail(reason)
        stop(reason)
    }

    private func stop(_ reason: String) {
        if let tickId { loop.removeTickHandler(tickId) }
        tickId = nil
        tcp?.close(.local(reason))
        tcp = nil
    }

    func finish() {
        guard !finished else { return }
        finished = true
        tally.recordRate()
        stop("bench finished")
    }
}

