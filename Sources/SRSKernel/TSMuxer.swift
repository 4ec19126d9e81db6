/// stream_type of an elementary stream in the PMT.
public enum TSStreamType: UInt8, Sendable {
    /// ITU-T H.264 / ISO 14496-10 video (Annex B).
    case h264 = 0x1B
    /// ISO 13818-7 AAC audio with ADTS framing.
    case aac = 0x0F
    /// ISO 11172-3 (MPEG-1) audio, for example MP3.
    case mp3 = 0x03
    /// ISO 13818-3 (MPEG-2) audio: MP3 at the lower sample rates (the value SRS 2.0 writes for MP3).
    case mpeg2Audio = 0x04

    /// Whether this is a video stream type.
    public var isVideo: Bool { self == .h264 }
}

/// An MPEG-2 transport-stream muxer with one program, as SRS 2.0 writes it for HLS and HTTP `.ts` live streams.
///
/// PIDs: PAT 0x0000, PMT 0x1001, video 0x0100, audio 0x0101; program_number 1; transport_stream_id 1.
/// The caller emits `tables()` at the start of every segment (or stream) and then the media in decode order;
/// every output is whole 188-byte packets. Continuity counters are per PID and continue across calls (and so
/// across segments). Times are 90 kHz and wrap at 2^33.
public struct TSMuxer: Sendable {
    public static let patPID: UInt16 = 0x0000
    public static let pmtPID: UInt16 = 0x1001
    public static let videoPID: UInt16 = 0x0100
    public static let audioPID: UInt16 = 0x0101
    public static let programNumber: UInt16 = 1
    public static let transportStreamID: UInt16 = 1
    /// PES stream_id of the video stream.
    public static let videoStreamID: UInt8 = 0xE0
    /// PES stream_id of the audio stream.
    public static let audioStreamID: UInt8 = 0xC0

    public let video: TSStreamType?
    public let audio: TSStreamType?

    /// The continuity_counter the next packet on each PID will carry (0...15).
    public private(set) var patContinuityCounter: UInt8 = 0
    public private(set) var pmtContinuityCounter: UInt8 = 0
    public private(set) var videoContinuityCounter: UInt8 = 0
    public private(set) var audioContinuityCounter: UInt8 = 0

    /// - Parameters:
    ///   - video: the video stream type, or nil for audio only.
    ///   - audio: the audio stream type, or nil for video only.
    public init(video: TSStreamType?, audio: TSStreamType?) {
        self.video = video
        self.audio = audio
    }

    /// The PID that carries the PCR: video when there is video, else audio (0x1FFF when there is neither).
    public var pcrPID: UInt16 {
        if video != nil { return Self.videoPID }
        if audio != nil { return Self.audioPID }
        return 0x1FFF
    }

    /// The continuity_counter the next packet on `pid` will carry (0 for a PID this muxer does not write).
    public func continuityCounter(forPID pid: UInt16) -> UInt8 {
        switch pid {
        case Self.patPID: return patContinuityCounter
        case Self.pmtPID: return pmtContinuityCounter
        case Self.videoPID: return videoContinuityCounter
        case Self.audioPID: return audioContinuityCounter
        default: return 0
        }
    }

    /// The PAT packet then the PMT packet (376 bytes), each with payload_unit_start_indicator, pointer_field 0,
    /// the section with its CRC, and 0xFF padding. Their continuity counters advance by one per call.
    public mutating func tables() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(2 * TSPacketWriter.packetSize)
        TSPacketWriter.appendSection(
            pid: Self.patPID, section: Self.patSection(pmtPID: Self.pmtPID),
            continuityCounter: &patContinuityCounter, to: &out)
        TSPacketWriter.appendSection(
            pid: Self.pmtPID, section: Self.pmtSection(pcrPID: pcrPID, video: video, audio: audio),
            continuityCounter: &pmtContinuityCounter, to: &out)
        return out
    }

    /// One video access unit (Annex B, with AUD and, before an IDR, SPS/PPS) as one PES on PID 0x100.
    ///
    /// stream_id 0xE0, PES_packet_length 0, PTS and DTS when they differ (else PTS only). The first packet of a
    /// keyframe carries random_access_indicator and the PCR (= DTS * 300). Returns [] when the muxer has no video.
    public mutating func writeVideo(_ annexB: some Collection<UInt8>, pts: Int64, dts: Int64, isKeyframe: Bool) -> [UInt8] {
        var out: [UInt8] = []
        writeVideo(Array(annexB), pts: pts, dts: dts, isKeyframe: isKeyframe, to: &out)
        return out
    }

    /// As `writeVideo(_:pts:dts:isKeyframe:)`, appending the packets to `out` (an HLS
    /// segment's bytes): no array per frame.
    public mutating func writeVideo(_ annexB: [UInt8], pts: Int64, dts: Int64, isKeyframe: Bool, to out: inout [UInt8]) {
        guard video != nil else { return }
        let header = Self.pesHeader(
            streamID: Self.videoStreamID, pts: pts, dts: pts == dts ? nil : dts, payloadCount: nil)
        TSPacketWriter.appendPES(
            pid: Self.videoPID, header: header, payload: annexB, randomAccess: isKeyframe,
            pcrBase: isKeyframe ? dts : nil, continuityCounter: &videoContinuityCounter, to: &out)
    }

    /// One or more audio frames (ADTS AAC or MP3) as one PES on PID 0x101.
    ///
    /// stream_id 0xC0, PTS only, PES_packet_length set when it fits 16 bits (else 0). When there is no video the
    /// audio carries the PCR: the first packet of every audio PES has random_access_indicator and PCR = PTS * 300.
    /// Returns [] when the muxer has no audio.
    public mutating func writeAudio(_ frames: some Collection<UInt8>, pts: Int64) -> [UInt8] {
        var out: [UInt8] = []
        writeAudio(Array(frames), pts: pts, to: &out)
        return out
    }

    /// As `writeAudio(_:pts:)`, appending the packets to `out`.
    public mutating func writeAudio(_ payload: [UInt8], pts: Int64, to out: inout [UInt8]) {
        guard audio != nil else { return }
        let header = Self.pesHeader(streamID: Self.audioStreamID, pts: pts, dts: nil, payloadCount: payload.count)
        let carriesPCR = video == nil
        TSPacketWriter.appendPES(
            pid: Self.audioPID, header: header, payload: payload, randomAccess: carriesPCR,
            pcrBase: carriesPCR ? pts : nil, continuityCounter: &audioContinuityCounter, to: &out)
    }

    // MARK: - Sections and headers

    /// The PAT section (CRC included): one program, `programNumber` -> `pmtPID`.
    static func patSection(pmtPID: UInt16) -> [UInt8] {
        let body: [UInt8] = [
            UInt8(truncatingIfNeeded: programNumber >> 8), UInt8(truncatingIfNeeded: programNumber),
            0xE0 | UInt8(truncatingIfNeeded: (pmtPID >> 8) & 0x1F), UInt8(truncatingIfNeeded: pmtPID),  // reserved '111'
        ]
        return section(tableID: 0x00, tableIDExtension: transportStreamID, body: body)
    }

    /// The PMT section (CRC included) of program `programNumber`: PCR_PID, no program descriptors, then one entry
    /// (stream_type, elementary_PID, ES_info_length 0) per stream, video first.
    static func pmtSection(pcrPID: UInt16, video: TSStreamType?, audio: TSStreamType?) -> [UInt8] {
        var body: [UInt8] = [
            0xE0 | UInt8(truncatingIfNeeded: (pcrPID >> 8) & 0x1F), UInt8(truncatingIfNeeded: pcrPID),  // reserved '111'
            0xF0, 0x00,  // reserved '1111', program_info_length 0
        ]
        for (type, pid) in [(video, videoPID), (audio, audioPID)] {
            guard let type else { continue }
            body.append(type.rawValue)
            body.append(0xE0 | UInt8(truncatingIfNeeded: (pid >> 8) & 0x1F))
            body.append(UInt8(truncatingIfNeeded: pid))
            body.append(contentsOf: [0xF0, 0x00])  // reserved '1111', ES_info_length 0
        }
        return section(tableID: 0x02, tableIDExtension: programNumber, body: body)
    }

    /// A long-form PSI section: table_id, section_syntax_indicator 1, '0', reserved '11', section_length,
    /// table_id_extension, reserved '11' version 0 current_next 1, section_number 0, last_section_number 0,
    /// `body`, CRC_32.
    static func section(tableID: UInt8, tableIDExtension: UInt16, body: [UInt8]) -> [UInt8] {
        let sectionLength = 5 + body.count + 4
        var out: [UInt8] = [
            tableID,
            0xB0 | UInt8(truncatingIfNeeded: (sectionLength >> 8) & 0x0F), UInt8(truncatingIfNeeded: sectionLength),
            UInt8(truncatingIfNeeded: tableIDExtension >> 8), UInt8(truncatingIfNeeded: tableIDExtension),
            0xC1, 0x00, 0x00,
        ]
        out.reserveCapacity(3 + sectionLength)
        out.append(contentsOf: body)
        let crc = CRC32MPEG2.checksum(out)
        out.append(contentsOf: [
            UInt8(truncatingIfNeeded: crc >> 24), UInt8(truncatingIfNeeded: crc >> 16),
            UInt8(truncatingIfNeeded: crc >> 8), UInt8(truncatingIfNeeded: crc),
        ])
        return out
    }

    /// The PES header: start code, stream_id, PES_packet_length (from `payloadCount` when given and it fits in
    /// 16 bits, else 0), '10' and no flags, PTS_DTS_flags, PES_header_data_length, PTS [, DTS].
    static func pesHeader(streamID: UInt8, pts: Int64, dts: Int64?, payloadCount: Int?) -> [UInt8] {
        let dataLength = dts == nil ? 5 : 10
        var packetLength = 0
        if let payloadCount, 3 + dataLength + payloadCount <= 0xFFFF {
            packetLength = 3 + dataLength + payloadCount
        }
        var out: [UInt8] = [
            0x00, 0x00, 0x01, streamID,
            UInt8(truncatingIfNeeded: packetLength >> 8), UInt8(truncatingIfNeeded: packetLength),
            0x80,  // '10', scrambling 0, priority 0, data_alignment 0, copyright 0, original 0
            dts == nil ? 0x80 : 0xC0,  // PTS_DTS_flags; ESCR, ES_rate, DSM trick, copy info, CRC, extension: 0
            UInt8(dataLength),
        ]
        out.reserveCapacity(9 + dataLength)
        if let dts {
            TSTimestamps.appendPESTimestamp(pts, prefix: TSTimestamps.ptsBeforeDTSPrefix, to: &out)
            TSTimestamps.appendPESTimestamp(dts, prefix: TSTimestamps.dtsPrefix, to: &out)
        } else {
            TSTimestamps.appendPESTimestamp(pts, prefix: TSTimestamps.ptsOnlyPrefix, to: &out)
        }
        return out
    }
}
