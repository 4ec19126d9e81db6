import SRSKernel

/// The server side of SRS's RTMP bandwidth test (`bandcheck`, srs_app_bandwidth.cpp) as a
/// sans-I/O state machine. After connect the server:
/// 1. sends `onSrsBandCheckStartPlayBytes` {limit_kbps, duration_ms, interval_ms} and waits
///    for `onSrsBandCheckStartingPlayBytes`;
/// 2. plays `onSrsBandCheckPlaying` packets for `durationMs`, never faster than `limitKbps`;
/// 3. sends `onSrsBandCheckStopPlayBytes` {…, duration_delta, bytes_delta}, waits for
///    `onSrsBandCheckStoppedPlayBytes`;
/// 4. sends `onSrsBandCheckStartPublishBytes`, waits for `onSrsBandCheckStartingPublishBytes`,
///    takes the client's `onSrsBandCheckPublishing` packets for `durationMs` (or until its
///    `onSrsBandCheckStopPublishBytes`), reading no faster than `limitKbps`;
/// 5. sends `onSrsBandCheckStopPublishBytes`, waits for `onSrsBandCheckStoppedPublishBytes`
///    (a Flash client, one with a swfUrl, sends none);
/// 6. sends `onSrsBandCheckFinished` {start_time, end_time, play_kbps, publish_kbps,
///    play_bytes, publish_bytes, play_time, publish_time} and waits for `finalClientPacket`
///    (not from Flash).
///
/// The caller feeds the time, the client's commands and the connection's byte counters, and
/// sends the messages returned. Rates are the bytes of a phase over its duration
/// (kbps = bytes × 8 / ms).
public struct BandwidthCheck: Sendable {
    public enum Command {
        public static let startPlay = "onSrsBandCheckStartPlayBytes"
        public static let startingPlay = "onSrsBandCheckStartingPlayBytes"
        public static let stopPlay = "onSrsBandCheckStopPlayBytes"
        public static let stoppedPlay = "onSrsBandCheckStoppedPlayBytes"
        public static let startPublish = "onSrsBandCheckStartPublishBytes"
        public static let startingPublish = "onSrsBandCheckStartingPublishBytes"
        public static let stopPublish = "onSrsBandCheckStopPublishBytes"
        public static let stoppedPublish = "onSrsBandCheckStoppedPublishBytes"
        public static let finished = "onSrsBandCheckFinished"
        public static let final = "finalClientPacket"
        public static let playing = "onSrsBandCheckPlaying"
        public static let publishing = "onSrsBandCheckPublishing"
    }

    public enum Phase: Sendable, Equatable {
        case idle, awaitingPlayStart, playing, awaitingPlayStopped, awaitingPublishStart, publishing, awaitingPublishStopped,
            awaitingFinal, done
    }

    /// What the test measured.
    public struct Result: Sendable, Equatable {
        public var playKbps = 0
        public var publishKbps = 0
        public var playBytes = 0
        public var publishBytes = 0
        public var playMs = 0
        public var publishMs = 0
    }

    public let limitKbps: Int
    public let durationMs: Int64
    /// SRS's interval between play packets; 0 (its default) sends as fast as the limit allows.
    public let intervalMs: Int64
    /// A Flash client (swfUrl set) answers neither the stop of publishing nor the finish.
    public let isFlash: Bool
    public private(set) var phase = Phase.idle
    public private(set) var result = Result()
    public private(set) var startedAtWallMs: Int64 = 0
    private var phaseStart: Int64 = 0
    private var phaseStartBytes: UInt64 = 0
    private var entries = 1
    private var lastPacketAt: Int64 = 0

    /// Entries of ~50 bytes in the largest play packet (SRS grows each packet by two entries
    /// without bound; at high limits that would build packets of megabytes).
    public static let maxEntriesPerPacket = 1000

    public init(limitKbps: Int, durationMs: Int64 = 3000, intervalMs: Int64 = 0, isFlash: Bool) {
        self.limitKbps = max(1, limitKbps)
        self.durationMs = durationMs
        self.intervalMs = intervalMs
        self.isFlash = isFlash
    }

    /// Begins the test: the start-play request.
    public mutating func start(now: Int64, wallMs: Int64) -> [RTMPMessage] {
        guard phase == .idle else { return [] }
        startedAtWallMs = wallMs
        phase = .awaitingPlayStart
        return [Self.packet(Command.startPlay, [
            ("limit_kbps", .number(Double(limitKbps))), ("duration_ms", .number(Double(durationMs))),
            ("interval_ms", .number(Double(intervalMs))),
        ])]
    }

    /// A command from the client. `sent`/`received`: the connection's byte counters now.
    public mutating func received(_ name: String, now: Int64, wallMs: Int64, sent: UInt64, received: UInt64) -> [RTMPMessage] {
        switch (phase, name) {
        case (.awaitingPlayStart, Command.startingPlay):
            phase = .playing
            phaseStart = now
            phaseStartBytes = sent
            lastPacketAt = now - intervalMs
            return []
        case (.awaitingPlayStopped, Command.stoppedPlay):
            phase = .awaitingPublishStart
            return [Self.packet(Command.startPublish, [
                ("limit_kbps", .number(Double(limitKbps))), ("duration_ms", .number(Double(durationMs))),
                ("interval_ms", .number(Double(intervalMs))),
            ])]
        case (.awaitingPublishStart, Command.startingPublish):
            phase = .publishing
            phaseStart = now
            phaseStartBytes = received
            return []
        case (.publishing, Command.stopPublish):
            return endPublishing(now: now, wallMs: wallMs, received: received)
        case (.awaitingPublishStopped, Command.stoppedPublish):
            return finish(wallMs: wallMs)
        case (.awaitingFinal, Command.final):
            phase = .done
            return []
        default:
            return []  // publishing packets and anything out of order are only counted
        }
    }

    /// Time passed: play packets while under the limit (`canSend`: the socket takes more),
    /// and the ends of the timed phases.
    public mutating func tick(now: Int64, wallMs: Int64, sent: UInt64, received: UInt64, canSend: Bool) -> [RTMPMessage] {
        switch phase {
        case .playing:
            let elapsed = now - phaseStart
            if elapsed >= durationMs {
                result.playBytes = Int(sent - phaseStartBytes)
                result.playMs = Int(max(1, elapsed))
                result.playKbps = result.playBytes * 8 / result.playMs
                phase = .awaitingPlayStopped
                return [Self.packet(Command.stopPlay, [
                    ("duration_ms", .number(Double(durationMs))), ("interval_ms", .number(Double(intervalMs))),
                    ("duration_delta", .number(Double(result.playMs))), ("bytes_delta", .number(Double(result.playBytes))),
                ])]
            }
            guard canSend, now - lastPacketAt >= intervalMs, !overLimit(bytes: sent - phaseStartBytes, elapsed: elapsed) else { return [] }
            lastPacketAt = now
            var data: [AMF0Property] = []
            data.reserveCapacity(entries)
            for index in 0..<entries { data.append(AMF0Property(String(index), "SRS band check data from server's playing......")) }
            entries = min(entries + 2, Self.maxEntriesPerPacket)
            return [.command([.string(Command.playing), 0, .null, .object(data)])]
        case .publishing:
            if now - phaseStart >= durationMs { return endPublishing(now: now, wallMs: wallMs, received: received) }
            return []
        default:
            return []
        }
    }

    /// While the client publishes: how long to stop reading so that the bytes read so far,
    /// plus `headroomBytes` (what the next read may bring at once), stay within the limit;
    /// 0 when reading may go on.
    public func readPauseMs(now: Int64, received: UInt64, headroomBytes: Int) -> Int64 {
        guard phase == .publishing else { return 0 }
        let bits = Int64(received - phaseStartBytes) + Int64(headroomBytes)
        let due = (bits * 8 + Int64(limitKbps) - 1) / Int64(limitKbps)  // ms at which the limit allows them
        return max(0, due - (now - phaseStart))
    }

    private func overLimit(bytes: UInt64, elapsed: Int64) -> Bool {
        // kbps = bits per ms: bytes × 8 > limit × elapsed.
        Int64(bytes) * 8 > Int64(limitKbps) * max(1, elapsed)
    }

    private mutating func endPublishing(now: Int64, wallMs: Int64, received: UInt64) -> [RTMPMessage] {
        result.publishBytes = Int(received - phaseStartBytes)
        result.publishMs = Int(max(1, now - phaseStart))
        result.publishKbps = result.publishBytes * 8 / result.publishMs
        let stop = Self.packet(Command.stopPublish, [
            ("duration_ms", .number(Double(durationMs))), ("interval_ms", .number(Double(intervalMs))),
            ("duration_delta", .number(Double(result.publishMs))), ("bytes_delta", .number(Double(result.publishBytes))),
        ])
        if isFlash { return [stop] + finish(wallMs: wallMs) }
        phase = .awaitingPublishStopped
        return [stop]
    }

    private mutating func finish(wallMs: Int64) -> [RTMPMessage] {
        phase = isFlash ? .done : .awaitingFinal
        return [Self.packet(Command.finished, [
            ("start_time", .number(Double(startedAtWallMs))), ("end_time", .number(Double(wallMs))),
            ("play_kbps", .number(Double(result.playKbps))), ("publish_kbps", .number(Double(result.publishKbps))),
            ("play_bytes", .number(Double(result.playBytes))), ("publish_bytes", .number(Double(result.publishBytes))),
            ("play_time", .number(Double(result.playMs))), ("publish_time", .number(Double(result.publishMs))),
        ])]
    }

    /// A bandwidth packet as SRS sends it: name, transaction 0, null, an object.
    public static func packet(_ name: String, _ data: [(String, AMF0Value)]) -> RTMPMessage {
        .command([.string(name), 0, .null, .object(data.map { AMF0Property($0.0, $0.1) })])
    }
}
