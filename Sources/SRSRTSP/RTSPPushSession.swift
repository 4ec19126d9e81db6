import SRSKernel

/// The server side of one RTSP client that pushes a stream (RFC 2326 "record"): OPTIONS,
/// ANNOUNCE with an SDP (H.264, AAC), SETUP of each track over TCP (interleaved) or UDP,
/// RECORD, TEARDOWN; then its RTP turned into FLV-style messages: H.264 access units (decode
/// times rebuilt for B-frames) and AAC frames, timed in ms from the start of the stream, audio
/// and video aligned by the RTCP sender reports when the client sends them. Sans-I/O: the
/// caller passes requests and packets in and writes the replies out; binding UDP ports and
/// admitting the publish are the caller's.
public struct RTSPPushSession: Sendable {
    public enum State: Sendable, Equatable { case initial, announced, recording, closed }

    /// How a track's packets arrive.
    public enum TrackTransport: Sendable, Equatable {
        case interleaved(rtp: UInt8, rtcp: UInt8)
        case udp(clientRTP: Int, clientRTCP: Int, serverRTP: Int, serverRTCP: Int)
    }

    /// What the caller does with a request.
    public enum Reply: Sendable, Equatable {
        /// Write these bytes.
        case respond([UInt8])
        /// Write these bytes, then close.
        case respondAndClose([UInt8])
        /// RECORD: admit the publish of `path` (`/app/stream`, `query` without `?`), then
        /// call `recordDecided` and write what it returns.
        case record(path: String, query: String)
    }

    private struct Track: Sendable {
        var media: SessionDescription.Media
        var kind: MediaKind?
        var transport: TrackTransport?
        var h264 = H264RTPDepacketizer()
        var aac = AACRTPDepacketizer()
        var audioConfig: [UInt8]?
        var audioAnnounced = false
        var lastRTP: UInt32?
        var extended: Int64 = 0
        var first: Int64?
        var offsetMs: Int64 = 0
        var report: RTCPSenderReport?
    }

    public static let methods = "OPTIONS, ANNOUNCE, SETUP, RECORD, TEARDOWN, GET_PARAMETER, SET_PARAMETER"
    /// Seconds without a request or packet after which the caller may close (told to the client).
    public static let timeoutSeconds = 60

    public let sessionId: String
    public private(set) var state = State.initial
    private var tracks: [Track] = []
    private var path = ""
    private var query = ""
    private var avc = AVCFLVPacker()
    private var reorder = DecodeTimeReconstructor<[[UInt8]]>()
    /// Wall time (NTP, 1/65536 s) of the first packet of the stream, when sender reports tell it.
    private var zeroWall: UInt32?
    /// Packets that were not RTP, or of an unknown payload type, or came before RECORD.
    public private(set) var droppedPackets = 0

    public init(sessionId: String) { self.sessionId = sessionId }

    /// The tracks' transports (nil: not set up), in SDP order.
    public var transports: [TrackTransport?] { tracks.map(\.transport) }

    /// Frames dropped by the depacketizers (lost packets, malformed payloads).
    public var droppedFrames: Int { tracks.reduce(0) { $0 + $1.h264.droppedUnits + $1.aac.droppedFrames } }

    // MARK: Requests

    /// Answers `request`. `bindUDP(track)` binds a pair of server ports for a UDP SETUP and
    /// returns them, or nil when none is free.
    public mutating func handle(_ request: RTSPRequest, bindUDP: (Int) -> (rtp: Int, rtcp: Int)?) -> Reply {
        let cseq = request.cseq
        if let session = request["Session"], let id = session.split(separator: ";").first, id.trimmingSpaces != sessionId, state != .initial {
            return .respond(RTSPResponse(status: 454).serialize(cseq: cseq))
        }
        switch request.method {
        case "OPTIONS":
            return .respond(RTSPResponse(status: 200, headers: [("Public", Self.methods)]).serialize(cseq: cseq))
        case "ANNOUNCE":
            return announce(request)
        case "SETUP":
            return setup(request, bindUDP: bindUDP)
        case "RECORD":
            guard state == .announced, tracks.contains(where: { $0.transport != nil && $0.kind != nil }) else {
                return .respond(RTSPResponse(status: 455).serialize(cseq: cseq))
            }
            return .record(path: path, query: query)
        case "TEARDOWN":
            state = .closed
            return .respondAndClose(RTSPResponse(status: 200, headers: sessionHeader).serialize(cseq: cseq))
        case "GET_PARAMETER", "SET_PARAMETER":
            return .respond(RTSPResponse(status: 200, headers: sessionHeader).serialize(cseq: cseq))
        case "DESCRIBE", "PLAY", "PAUSE", "REDIRECT":
            return .respond(RTSPResponse(status: 405, headers: [("Allow", Self.methods)]).serialize(cseq: cseq))
        default:
            return .respond(RTSPResponse(status: 501).serialize(cseq: cseq))
        }
    }

    /// The RECORD reply once admission decided: 200 starts the recording; anything else is
    /// the refusal to send before closing.
    public mutating func recordDecided(status: Int, cseq: String?) -> [UInt8] {
        guard status == 200 else {
            state = .closed
            return RTSPResponse(status: status).serialize(cseq: cseq)
        }
        state = .recording
        return RTSPResponse(status: 200, headers: sessionHeader + [("Range", "npt=0.000-")]).serialize(cseq: cseq)
    }

    private var sessionHeader: [(name: String, value: String)] { [("Session", "\(sessionId);timeout=\(Self.timeoutSeconds)")] }

    private mutating func announce(_ request: RTSPRequest) -> Reply {
        let cseq = request.cseq
        guard state == .initial else { return .respond(RTSPResponse(status: 455).serialize(cseq: cseq)) }
        if let type = request["Content-Type"], !type.lowercased().hasPrefix("application/sdp") {
            return .respond(RTSPResponse(status: 415).serialize(cseq: cseq))
        }
        let description: SessionDescription
        do {
            description = try SessionDescription(parsing: request.body)
        } catch {
            return .respondAndClose(RTSPResponse(status: error.status).serialize(cseq: cseq))
        }
        tracks = description.media.map(Self.track)
        guard tracks.contains(where: { $0.kind != nil }) else {
            return .respondAndClose(RTSPResponse(status: 415).serialize(cseq: cseq))
        }
        for track in tracks where track.kind == .video {
            let sets = (track.media.parameters["sprop-parameter-sets"] ?? "").split(separator: ",").compactMap { Base64.decode($0) }
            avc.setParameterSets(sps: sets.first { $0.first.map { $0 & 0x1F == 7 } ?? false },
                                 pps: sets.first { $0.first.map { $0 & 0x1F == 8 } ?? false })
        }
        let target = request.path
        path = target
        query = request.uri.firstIndex(of: "?").map { String(request.uri[request.uri.index(after: $0)...]) } ?? ""
        state = .announced
        return .respond(RTSPResponse(status: 200).serialize(cseq: cseq))
    }

    /// A track for an SDP media section; `kind` stays nil for what the server cannot carry.
    private static func track(_ media: SessionDescription.Media) -> Track {
        var track = Track(media: media)
        switch (media.type, media.encoding) {
        case ("video", "H264") where media.clockRate > 0:
            track.kind = .video
        case ("audio", "MPEG4-GENERIC") where media.clockRate > 0:
            let mode = media.parameters["mode"]?.lowercased() ?? "aac-hbr"
            guard mode == "aac-hbr" || mode == "aac-lbr", let config = media.parameters["config"].flatMap({ Base64.hex($0) }),
                  (try? AACAudioSpecificConfig(parsing: config)) != nil else { break }
            track.kind = .audio
            track.audioConfig = config
            track.aac = AACRTPDepacketizer(sizeLength: Int(media.parameters["sizelength"] ?? "") ?? 13,
                                           indexLength: Int(media.parameters["indexlength"] ?? "") ?? 3,
                                           indexDeltaLength: Int(media.parameters["indexdeltalength"] ?? "") ?? 3)
        default:
            break
        }
        return track
    }

    private mutating func setup(_ request: RTSPRequest, bindUDP: (Int) -> (rtp: Int, rtcp: Int)?) -> Reply {
        let cseq = request.cseq
        guard state == .announced else { return .respond(RTSPResponse(status: 455).serialize(cseq: cseq)) }
        guard let index = trackIndex(for: request.uri) else { return .respond(RTSPResponse(status: 404).serialize(cseq: cseq)) }
        guard tracks[index].transport == nil else { return .respond(RTSPResponse(status: 459).serialize(cseq: cseq)) }
        guard let header = request["Transport"] else { return .respond(RTSPResponse(status: 461).serialize(cseq: cseq)) }
        for offer in header.split(separator: ",") {
            let fields = offer.split(separator: ";").map { $0.trimmingSpaces }
            guard let profile = fields.first?.uppercased(), profile.hasPrefix("RTP/AVP") else { continue }
            let parameters = Dictionary(fields.dropFirst().compactMap { field -> (String, String)? in
                let pair = field.split(separator: "=", maxSplits: 1)
                return pair.count == 2 ? (pair[0].lowercased(), String(pair[1])) : (field.lowercased(), "")
            }, uniquingKeysWith: { first, _ in first })
            if profile == "RTP/AVP/TCP" {
                let channels = Self.pair(parameters["interleaved"]) ?? (index * 2, index * 2 + 1)
                guard (0...255).contains(channels.0), (0...255).contains(channels.1), channels.0 != channels.1 else { continue }
                let transport = TrackTransport.interleaved(rtp: UInt8(channels.0), rtcp: UInt8(channels.1))
                let used = tracks.contains { track in
                    guard case .interleaved(let rtp, let rtcp) = track.transport else { return false }
                    return [rtp, rtcp].contains(UInt8(channels.0)) || [rtp, rtcp].contains(UInt8(channels.1))
                }
                guard !used else { continue }
                tracks[index].transport = transport
                let answer = "RTP/AVP/TCP;unicast;interleaved=\(channels.0)-\(channels.1);mode=record"
                return .respond(RTSPResponse(status: 200, headers: [("Transport", answer)] + sessionHeader).serialize(cseq: cseq))
            }
            guard profile == "RTP/AVP" || profile == "RTP/AVP/UDP", let client = Self.pair(parameters["client_port"]) else { continue }
            guard let server = bindUDP(index) else { return .respond(RTSPResponse(status: 453).serialize(cseq: cseq)) }
            tracks[index].transport = .udp(clientRTP: client.0, clientRTCP: client.1, serverRTP: server.rtp, serverRTCP: server.rtcp)
            let answer = "RTP/AVP/UDP;unicast;client_port=\(client.0)-\(client.1);server_port=\(server.rtp)-\(server.rtcp);mode=record"
            return .respond(RTSPResponse(status: 200, headers: [("Transport", answer)] + sessionHeader).serialize(cseq: cseq))
        }
        return .respond(RTSPResponse(status: 461).serialize(cseq: cseq))
    }

    /// The track a SETUP URI names by its `a=control` (absolute, or relative to the stream);
    /// without controls, the next track not set up.
    private func trackIndex(for uri: String) -> Int? {
        let bare = uri.split(separator: "?").first.map(String.init) ?? uri
        for (index, track) in tracks.enumerated() {
            guard let control = track.media.control, control != "*" else { continue }
            if control.contains("://") ? bare == control : bare.hasSuffix("/" + control) { return index }
        }
        guard tracks.allSatisfy({ $0.media.control == nil || $0.media.control == "*" }) else { return nil }
        return tracks.firstIndex { $0.transport == nil }
    }

    /// `a-b` or `a` (then b = a + 1).
    private static func pair(_ value: String?) -> (Int, Int)? {
        guard let value else { return nil }
        let parts = value.split(separator: "-")
        guard let first = parts.first.flatMap({ Int($0) }), (0...65535).contains(first) else { return nil }
        let second = parts.count > 1 ? Int(parts[1]) ?? first + 1 : first + 1
        guard (0...65535).contains(second) else { return nil }
        return (first, second)
    }

    // MARK: Packets

    /// A packet interleaved on the TCP connection.
    public mutating func interleaved(channel: UInt8, payload: [UInt8]) -> [DemuxedMessage] {
        for index in tracks.indices {
            guard case .interleaved(let rtp, let rtcp) = tracks[index].transport else { continue }
            if channel == rtp { return packet(track: index, payload) }
            if channel == rtcp { return control(track: index, payload) }
        }
        droppedPackets += 1
        return []
    }

    /// A datagram that came to a track's UDP port (`rtcp`: its RTCP port).
    public mutating func datagram(track index: Int, rtcp: Bool, _ bytes: [UInt8]) -> [DemuxedMessage] {
        guard tracks.indices.contains(index) else { return [] }
        return rtcp ? control(track: index, bytes) : packet(track: index, bytes)
    }

    /// The video frames still held for decode-time reordering (the stream ends).
    public mutating func finish() -> [DemuxedMessage] {
        var out: [DemuxedMessage] = []
        for frame in reorder.flush() { out += pack(frame) }
        return out
    }

    private mutating func control(track index: Int, _ bytes: [UInt8]) -> [DemuxedMessage] {
        if let report = RTCPSenderReport.reports(in: bytes).last { tracks[index].report = report }
        return []
    }

    private mutating func packet(track index: Int, _ bytes: [UInt8]) -> [DemuxedMessage] {
        guard state == .recording, let kind = tracks[index].kind, let packet = RTPPacket(parsing: bytes),
              Int(packet.payloadType) == tracks[index].media.payloadType else {
            droppedPackets += 1
            return []
        }
        var out: [DemuxedMessage] = []
        if kind == .video {
            for unit in tracks[index].h264.feed(packet) {
                let pts = milliseconds(track: index, unit.timestamp)
                for frame in reorder.push(unit.units, pts: pts) { out += pack(frame) }
            }
        } else {
            for frame in tracks[index].aac.feed(packet) {
                let timestamp = milliseconds(track: index, frame.timestamp)
                if !tracks[index].audioAnnounced, let config = tracks[index].audioConfig {
                    tracks[index].audioAnnounced = true
                    out.append(DemuxedMessage(kind: .audio, timestamp: timestamp, body: [0xAF, 0x00] + config, isSequenceHeader: true))
                }
                out.append(DemuxedMessage(kind: .audio, timestamp: timestamp, body: [0xAF, 0x01] + frame.data, isSequenceHeader: false))
            }
        }
        return out
    }

    private mutating func pack(_ frame: (frame: [[UInt8]], dts: Int64, pts: Int64)) -> [DemuxedMessage] {
        let dts = max(frame.dts, 0)
        return avc.pack(units: frame.frame.map { $0[...] }, timestamp: dts, compositionTime: Int32(clamping: frame.pts - dts))
    }

    /// An RTP timestamp of a track in ms from the start of the stream: the 32-bit clock
    /// unwrapped, from the track's first packet, plus where that packet falls after the
    /// stream's first one by the sender reports (0 without them).
    private mutating func milliseconds(track index: Int, _ timestamp: UInt32) -> Int64 {
        var track = tracks[index]
        defer { tracks[index] = track }
        let rate = Int64(track.media.clockRate)
        if let last = track.lastRTP {
            // A jump of more than `maxJumpSeconds` either way is a new timeline (a restarted
            // sender, a forged packet): the time goes on from where it was.
            let step = Int64(Int32(bitPattern: timestamp &- last))
            if abs(step) <= rate * Self.maxJumpSeconds { track.extended += step }
        } else {
            track.extended = Int64(timestamp)
        }
        track.lastRTP = timestamp
        if track.first == nil {
            track.first = track.extended
            if let report = track.report {
                let sinceReport = Int64(Int32(bitPattern: timestamp &- report.rtpTimestamp)) * 65536 / rate
                let wall = report.ntpMiddle &+ UInt32(truncatingIfNeeded: sinceReport)
                if let zeroWall {
                    let offset = Int64(Int32(bitPattern: wall &- zeroWall)) * 1000 / 65536
                    track.offsetMs = (0...10_000).contains(offset) ? offset : 0
                } else {
                    zeroWall = wall
                }
            }
        }
        let elapsed = track.extended - track.first!
        return elapsed / rate * 1000 + elapsed % rate * 1000 / rate + track.offsetMs
    }

    /// The largest RTP timestamp step taken as real, seconds.
    static let maxJumpSeconds: Int64 = 10
}
