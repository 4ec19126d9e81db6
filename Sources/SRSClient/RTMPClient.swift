import SRSIO
import SRSKernel
import SRSRTMP

/// A blocking RTMP client over the same sans-I/O client state machine as the load tester
/// (`RTMPClientSession`): handshake, connect, then publish or play, as SRS's librtmp does.
///
/// ```swift
/// let client = try RTMPClient(url: "rtmp://127.0.0.1/live/livestream")
/// try client.handshake()
/// try client.connectApp()
/// try client.play()
/// while let packet = try client.readPacket() { print(packet.description) }
/// ```
/// Or in one call: `let publisher = try RTMPClient.publish(url: ...)`, then `writePacket`,
/// `writeH264Frames` (raw Annex B) and `writeAudioFrame` (ADTS AAC, MP3). One thread uses a
/// client at a time; `AsyncRTMPClient` wraps it for async code.
public final class RTMPClient {
    public let url: String
    /// How long one step (connect, an answer, a write) may wait.
    public var timeoutMs: Int
    private let session: RTMPClientSession
    private let host: String
    private let port: Int
    private var socket: BlockingSocket?
    /// Media received and not read yet (a player's; a publisher's are dropped).
    private var received: [MediaPacket] = []
    private var publishing = false
    private var connected = false
    private var started = false
    private var video = AVCFLVPacker()
    private var audio = ADTSFLVPacker()

    /// Parses "rtmp://host[:port]/app[/more]/stream[?query]"; nothing is sent yet.
    public init(url: String, timeoutMs: Int = 10_000) throws(RTMPClientError) {
        guard let session = RTMPClientSession(url: url, mode: .connect) else {
            throw RTMPClientError("not an rtmp://host[:port]/app/stream URL: \(url)")
        }
        self.url = url
        self.timeoutMs = timeoutMs
        self.session = session
        let authority = url.dropFirst("rtmp://".count).prefix { $0 != "/" }
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            port = Int(authority[close...].drop { $0 != ":" }.dropFirst()) ?? 1935
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            port = Int(authority[authority.index(after: colon)...]) ?? 1935
        } else {
            host = String(authority)
            port = 1935
        }
    }

    /// Handshake, connect and publish in one call.
    public static func publish(url: String, timeoutMs: Int = 10_000) throws(RTMPClientError) -> RTMPClient {
        let client = try RTMPClient(url: url, timeoutMs: timeoutMs)
        try client.handshake()
        try client.connectApp()
        try client.publish()
        return client
    }

    /// Handshake, connect and play in one call.
    public static func play(url: String, timeoutMs: Int = 10_000) throws(RTMPClientError) -> RTMPClient {
        let client = try RTMPClient(url: url, timeoutMs: timeoutMs)
        try client.handshake()
        try client.connectApp()
        try client.play()
        return client
    }

    /// The app and stream the URL names.
    public var app: String { session.app }
    public var streamName: String { session.streamName }
    /// Bytes sent and received on the connection.
    public var bytesSent: UInt64 { socket?.bytesSent ?? 0 }
    public var bytesReceived: UInt64 { socket?.bytesReceived ?? 0 }

    /// Connects over TCP and does the RTMP handshake (the server's S0, S1 and S2 arrive).
    public func handshake() throws(RTMPClientError) {
        guard socket == nil else { throw RTMPClientError("\(url): handshake done already") }
        do {
            let opened = try BlockingSocket(host: host, port: port, timeoutMs: timeoutMs)
            socket = opened
            sharedSocket.withLock { $0 = opened }
        } catch {
            throw RTMPClientError("\(url): \(error)")
        }
        try send(session.start())
        try pump("handshake") { self.session.isHandshakeDone }
    }

    /// NetConnection.connect with the URL's app and tcUrl; waits for the server's answer.
    public func connectApp() throws(RTMPClientError) {
        guard socket != nil else { throw RTMPClientError("\(url): connect before the handshake") }
        try pump("connect") { self.connected }
    }

    /// Publishes the URL's stream (createStream, publish); waits for NetStream.Publish.Start.
    public func publish() throws(RTMPClientError) { try begin(.publish) }

    /// Plays the URL's stream (createStream, play); waits for NetStream.Play.Start.
    public func play() throws(RTMPClientError) { try begin(.play) }

    private func begin(_ mode: RTMPClientSession.Mode) throws(RTMPClientError) {
        guard connected, session.begin(mode) else { throw RTMPClientError("\(url): \(mode) needs a connect first, and only once") }
        publishing = mode == .publish
        try flush()
        try pump(mode == .publish ? "publish" : "play") { self.started }
    }

    /// The next audio, video or data packet of the stream played; nil when the server closed
    /// the connection (`isClosed`) or, with `waitingAtMost`, when none came in time. Without it
    /// a play waits as long as the stream is silent (a player waiting for its publisher).
    public func readPacket(waitingAtMost timeoutMs: Int? = nil) throws(RTMPClientError) -> MediaPacket? {
        let deadline = timeoutMs.map { MonotonicClock.milliseconds() + Int64($0) }
        while received.isEmpty {
            guard let socket, socket.isOpen else {
                close()
                return nil
            }
            let wait = deadline.map { Int(max(0, $0 - MonotonicClock.milliseconds())) } ?? 1000
            let bytes: [UInt8]
            do {
                bytes = try socket.receive(timeoutMs: wait)
            } catch {
                close()
                return nil
            }
            if !bytes.isEmpty { try feed(bytes) }
            if let deadline, received.isEmpty, MonotonicClock.milliseconds() >= deadline { return nil }
        }
        return received.removeFirst()
    }

    /// Whether the connection is gone (closed by either side).
    public var isClosed: Bool { socket?.isOpen != true }

    /// Wakes a `readPacket` blocked on another thread: it returns nil (the connection is
    /// shut down). The one call that may come from another thread.
    public func interrupt() { sharedSocket.withLock { $0?.shutdown() } }

    /// The socket for `interrupt`, set and cleared under a lock.
    private let sharedSocket = LockedValue<BlockingSocket?>(nil)

    /// Sends one packet of the stream published (its timestamp as given).
    public func writePacket(_ packet: MediaPacket) throws(RTMPClientError) {
        guard started else { throw RTMPClientError("\(url): write before publish") }
        session.publish(RTMPMessage(typeId: packet.type, timestamp: Int64(packet.timestamp), payload: packet.payload))
        try flush()
        try pumpAvailable()
    }

    /// Sends H.264 Annex B data (one or more NAL units with start codes, one frame) at `dts`
    /// and `pts` (ms): SPS and PPS become the sequence header (sent again only when they
    /// change), delimiters are dropped, and nothing is sent before both parameter sets.
    public func writeH264Frames(_ annexB: [UInt8], dts: UInt32, pts: UInt32) throws(RTMPClientError) {
        let units = AVCNALUnits.annexBUnits(annexB[...])
        let cts = Int32(truncatingIfNeeded: Int64(pts) - Int64(dts))
        for message in video.pack(units: units, timestamp: Int64(dts), compositionTime: cts) {
            try writePacket(MediaPacket(type: 9, timestamp: UInt32(truncatingIfNeeded: message.timestamp), payload: message.body))
        }
    }

    /// Sends one audio frame at `timestamp` (ms). AAC (`soundFormat` 10) comes as ADTS
    /// frames (the sequence header is made from the first); other formats (MP3: 2) are sent
    /// behind the FLV audio header byte made of the four fields (SRS's
    /// `srs_audio_write_raw_frame`).
    public func writeAudioFrame(soundFormat: UInt8, soundRate: UInt8, soundSize: UInt8, soundType: UInt8,
                                frame: [UInt8], timestamp: UInt32) throws(RTMPClientError) {
        if soundFormat == 10 {
            let packed = audio.pack(frame[...], timestamp: Int64(timestamp))
            guard packed.consumed > 0 else { throw RTMPClientError("\(url): the AAC frame is not ADTS") }
            for message in packed.messages {
                try writePacket(MediaPacket(type: 8, timestamp: UInt32(truncatingIfNeeded: message.timestamp), payload: message.body))
            }
            return
        }
        let header = soundFormat << 4 | (soundRate & 0x03) << 2 | (soundSize & 0x01) << 1 | (soundType & 0x01)
        try writePacket(MediaPacket(type: 8, timestamp: timestamp, payload: [header] + frame))
    }

    /// Sends onMetaData (as `@setDataFrame`, as encoders do).
    public func writeMetadata(_ properties: [AMF0Property]) throws(RTMPClientError) {
        let body = AMF0Encoder.encode([.string("@setDataFrame"), .string("onMetaData"), .ecmaArray(properties)])
        try writePacket(MediaPacket(type: 18, timestamp: 0, payload: body))
    }

    /// Closes the connection.
    public func close() {
        socket?.close()
        socket = nil
        sharedSocket.withLock { $0 = nil }
    }

    // MARK: Plumbing

    private func send(_ bytes: [UInt8]) throws(RTMPClientError) {
        guard let socket else { throw RTMPClientError("\(url): not connected") }
        do {
            try socket.send(bytes, timeoutMs: timeoutMs)
        } catch {
            throw RTMPClientError("\(url): \(error)")
        }
    }

    private func flush() throws(RTMPClientError) {
        if session.hasOutput { try send(session.takeOutput()) }
    }

    private func feed(_ bytes: [UInt8]) throws(RTMPClientError) {
        let events: [RTMPClientSession.Event]
        do {
            events = try bytes.withUnsafeBytes { buffer throws(RTMPError) in try session.receive(buffer) }
        } catch {
            throw RTMPClientError("\(url): \(error)")
        }
        for event in events {
            switch event {
            case .connected: connected = true
            case .started: started = true
            case .status(let code, let level, let description):
                if level == "error" { throw RTMPClientError("\(url): the server answered \(code) \(description)", statusCode: code) }
            case .media(let message):
                guard !publishing else { continue }  // nobody reads them: a publisher keeps none
                received.append(MediaPacket(type: message.typeId, timestamp: UInt32(truncatingIfNeeded: message.timestamp), payload: message.payload))
            case .call:
                break
            }
        }
        try flush()
    }

    /// Reads until `done` holds, at most `timeoutMs`.
    private func pump(_ step: String, until done: () -> Bool) throws(RTMPClientError) {
        let deadline = MonotonicClock.milliseconds() + Int64(timeoutMs)
        while !done() {
            guard let socket else { throw RTMPClientError("\(url): \(step): not connected") }
            let left = deadline - MonotonicClock.milliseconds()
            guard left > 0 else { throw RTMPClientError("\(url): \(step): no answer within \(timeoutMs) ms") }
            let bytes: [UInt8]
            do {
                bytes = try socket.receive(timeoutMs: Int(left))
            } catch {
                throw RTMPClientError("\(url): \(step): \(error)")
            }
            if !bytes.isEmpty { try feed(bytes) }
        }
    }

    /// Handles what the server sent meanwhile (acknowledgements, pings, a refusal).
    private func pumpAvailable() throws(RTMPClientError) {
        guard let socket else { return }
        while true {
            let bytes: [UInt8]
            do {
                bytes = try socket.receive(timeoutMs: 0)
            } catch {
                throw RTMPClientError("\(url): \(error)")
            }
            if bytes.isEmpty { return }
            try feed(bytes)
        }
    }
}
