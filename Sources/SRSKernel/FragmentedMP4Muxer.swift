/// Muxes FLV-style media messages (H.264, AAC, MP3) into fragmented MP4 (ISO/IEC 14496-12):
/// an initialization part (`ftyp` and a `moov` without samples, whose `mvex` announces
/// fragments), then one `moof` + `mdat` per fragment. A file cut short is playable up to its
/// last whole fragment. DVR records to it; a live MP4 mount can serve the same bytes.
///
/// Timestamps are milliseconds (every track's timescale is 1000); the file's time 0 is the
/// first sample's decode time. A fragment begins at each video keyframe (every second for audio
/// only) and is forced after `maxFragmentMs` or `maxFragmentBytes`. A sample's duration is the
/// distance to the next one of its track, so each track's newest sample waits for the next.
///
/// Tracks are those the publisher announced: the muxer waits for each expected track's format
/// (its sequence header, or for MP3 its first frame) before writing the `moov`, at most
/// `waitForTracksMs` of media; a track whose format did not come by then is left out. The first
/// format of each track is kept (an MP4 file has one sample description per track); video
/// frames before the first keyframe, and samples of other codecs, are dropped.
public struct FragmentedMP4Muxer: Sendable {
    /// Sample flags (ISO/IEC 14496-12, 8.8.3.1): a sync sample that depends on no other.
    static let syncSampleFlags: UInt32 = 0x0200_0000
    /// Sample flags of a non-sync sample that depends on others.
    static let nonSyncSampleFlags: UInt32 = 0x0101_0000
    /// An audio-only file is cut into fragments of this much audio.
    public static let audioOnlyFragmentMs: Int64 = 1000

    private struct Sample {
        var dts: Int64
        var compositionOffset: Int32
        var isSync: Bool
        var data: [UInt8]
        var duration: UInt32 = 0
    }

    private struct Track {
        var format: MP4TrackFormat?
        var id: UInt32 = 0
        var ready: [Sample] = []
        var readyBytes = 0
        /// The newest sample: its duration is known when the next one comes.
        var held: Sample?
        var lastDuration: UInt32 = 0
        /// Where the track's last sample ends (ms from the file's start).
        var end: Int64 = 0
        var sawKeyframe = false

        mutating func push(_ sample: Sample) {
            var sample = sample
            if var previous = held {
                sample.dts = max(sample.dts, previous.dts)
                previous.duration = UInt32(clamping: sample.dts - previous.dts)
                lastDuration = previous.duration
                readyBytes += previous.data.count
                ready.append(previous)
            }
            held = sample
        }

        /// The held sample is ready: it ends at `end` (a keyframe that begins the next
        /// fragment), or lasts as long as the one before it (or a typical frame).
        mutating func releaseHeld(endingAt end: Int64? = nil) {
            guard var last = held else { return }
            if let end {
                last.duration = UInt32(clamping: max(0, end - last.dts))
                lastDuration = last.duration
            } else {
                last.duration = lastDuration > 0 ? lastDuration : typicalDuration
            }
            readyBytes += last.data.count
            ready.append(last)
            held = nil
        }

        var readySpan: Int64 {
            guard let first = ready.first, let last = ready.last else { return 0 }
            return last.dts + Int64(last.duration) - first.dts
        }

        private var typicalDuration: UInt32 {
            switch format {
            case .aac(_, let rate, _): UInt32(1024 * 1000 / max(rate, 1))
            case .mp3(let rate, _): UInt32(1152 * 1000 / max(rate, 1))
            default: 40
            }
        }
    }

    private let expectsVideo: Bool
    private let expectsAudio: Bool
    private let waitForTracksMs: Int64
    private let maxFragmentMs: Int64
    private let maxFragmentBytes: Int
    private var video = Track()
    private var audio = Track()
    /// Decode time of the first sample: the file's time 0.
    private var base: Int64?
    private var sequenceNumber: UInt32 = 0
    /// The `moov` was written; tracks are fixed.
    public private(set) var isInitialized = false
    /// Offsets, in the initialization part, of the 32-bit durations (ms) of `mvhd` and `mehd`,
    /// to patch with `durationMs` when a file closes.
    public private(set) var durationOffsets: [Int] = []

    /// A muxer for a publisher that announced video and/or audio (FLV header flags, metadata
    /// or sequence headers).
    public init(expectsVideo: Bool, expectsAudio: Bool, waitForTracksMs: Int64 = 3000, maxFragmentMs: Int64 = 10_000,
                maxFragmentBytes: Int = 16 << 20) {
        self.expectsVideo = expectsVideo
        self.expectsAudio = expectsAudio
        self.waitForTracksMs = waitForTracksMs
        self.maxFragmentMs = maxFragmentMs
        self.maxFragmentBytes = maxFragmentBytes
    }

    /// The length of what was muxed, ms: where the longest track ends.
    public var durationMs: Int64 { max(video.end, audio.end) }

    /// Takes one message (an FLV audio/video tag body, sequence headers included) and returns
    /// the bytes to write next: the initialization part once, then whole fragments; often
    /// nothing.
    public mutating func append(kind: MediaKind, timestamp: Int64, payload: UnsafeRawBufferPointer) -> [UInt8] {
        switch kind {
        case .video: appendVideo(timestamp: timestamp, payload: payload)
        case .audio: appendAudio(timestamp: timestamp, payload: payload)
        default: []
        }
    }

    /// Everything still held, as the last fragment (and the initialization part if it was not
    /// written yet). The muxer is done after this.
    public mutating func finish() -> [UInt8] {
        var out: [UInt8] = []
        if !isInitialized {
            guard video.format != nil || audio.format != nil else { return [] }
            out = initialize()
        }
        video.releaseHeld()
        audio.releaseHeld()
        return out + fragment()
    }

    // MARK: Input

    private mutating func appendVideo(timestamp: Int64, payload: UnsafeRawBufferPointer) -> [UInt8] {
        guard let header = try? FLVVideoTagHeader(parsing: payload), header.codec == .avc else { return [] }
        if header.avcPacketType == FLVVideoTagHeader.avcPacketTypeSequenceHeader {
            if video.format == nil && !isInitialized { video.format = MP4TrackFormat.video(fromFLVTag: payload) }
            return startIfReady(at: timestamp)
        }
        guard header.avcPacketType == FLVVideoTagHeader.avcPacketTypeNALU, video.format != nil,
              payload.count > header.headerSize else { return [] }
        guard video.sawKeyframe || header.isKeyframe else { return [] }
        video.sawKeyframe = true
        var out: [UInt8] = []
        // A keyframe begins a fragment: what came before it goes out first.
        if header.isKeyframe && isInitialized && (!video.ready.isEmpty || video.held != nil) {
            video.releaseHeld(endingAt: relative(timestamp))
            out = fragment()
        }
        video.push(Sample(dts: relative(timestamp), compositionOffset: header.compositionTime, isSync: header.isKeyframe,
                          data: Array(payload.dropFirst(header.headerSize))))
        return out + startIfReady(at: timestamp) + fragmentIfLong()
    }

    private mutating func appendAudio(timestamp: Int64, payload: UnsafeRawBufferPointer) -> [UInt8] {
        guard let header = try? FLVAudioTagHeader(parsing: payload) else { return [] }
        if header.codec == .aac && header.aacPacketType == FLVAudioTagHeader.aacPacketTypeSequenceHeader {
            if audio.format == nil && !isInitialized { audio.format = MP4TrackFormat.audio(fromFLVTag: payload) }
            return startIfReady(at: timestamp)
        }
        if audio.format == nil && !isInitialized && (header.codec == .mp3 || header.codec == .mp3_8k) {
            audio.format = MP4TrackFormat.audio(fromFLVTag: payload)
        }
        switch (audio.format, header.codec) {
        case (.aac, .aac) where header.aacPacketType == FLVAudioTagHeader.aacPacketTypeRaw: break
        case (.mp3, .mp3), (.mp3, .mp3_8k): break
        default: return []
        }
        guard payload.count > header.headerSize else { return [] }
        audio.push(Sample(dts: relative(timestamp), compositionOffset: 0, isSync: true, data: Array(payload.dropFirst(header.headerSize))))
        return startIfReady(at: timestamp) + fragmentIfLong()
    }

    private mutating func relative(_ timestamp: Int64) -> Int64 {
        if base == nil { base = timestamp }
        return max(0, timestamp - base!)
    }

    /// Writes the `moov` once every expected track has its format, or the wait is over.
    private mutating func startIfReady(at timestamp: Int64) -> [UInt8] {
        guard !isInitialized else { return [] }
        let complete = (!expectsVideo || video.format != nil) && (!expectsAudio || audio.format != nil)
            && (video.format != nil || audio.format != nil)
        let waited = base.map { timestamp - $0 >= waitForTracksMs } ?? false
        let buffered = video.readyBytes + audio.readyBytes >= maxFragmentBytes
        guard complete || ((waited || buffered) && (video.format != nil || audio.format != nil)) else { return [] }
        return initialize()
    }

    /// Cuts a fragment when the ready samples grew long or large.
    private mutating func fragmentIfLong() -> [UInt8] {
        guard isInitialized else { return [] }
        let span = max(video.readySpan, audio.readySpan)
        let audioOnly = video.format == nil
        if span >= (audioOnly ? Self.audioOnlyFragmentMs : maxFragmentMs) || video.readyBytes + audio.readyBytes >= maxFragmentBytes {
            return fragment()
        }
        return []
    }

    // MARK: Output

    private mutating func initialize() -> [UInt8] {
        isInitialized = true
        var nextId: UInt32 = 1
        if video.format != nil { video.id = nextId; nextId += 1 } else { video = Track() }
        if audio.format != nil { audio.id = nextId; nextId += 1 } else { audio = Track() }
        let tracks = [video, audio].filter { $0.format != nil }
        var box = MP4BoxWriter()
        box.box("ftyp") { ftyp in
            ftyp.fourCC("iso5")
            ftyp.uint32(512)
            for brand in ["iso5", "iso6", "mp41"] { ftyp.fourCC(brand) }
        }
        var offsets: [Int] = []
        box.box("moov") { moov in
            moov.fullBox("mvhd") { mvhd in
                mvhd.zeros(8)  // creation and modification time
                mvhd.uint32(1000)  // timescale
                offsets.append(mvhd.offset)
                mvhd.uint32(0)  // duration, patched
                mvhd.uint32(0x0001_0000)  // rate 1.0
                mvhd.uint16(0x0100)  // volume 1.0
                mvhd.zeros(10)
                mvhd.unityMatrix()
                mvhd.zeros(24)
                mvhd.uint32(nextId)  // next_track_ID
            }
            for track in tracks { Self.writeTrack(track, &moov) }
            moov.box("mvex") { mvex in
                mvex.fullBox("mehd") { mehd in
                    offsets.append(mehd.offset)
                    mehd.uint32(0)  // fragment_duration, patched
                }
                for track in tracks {
                    mvex.fullBox("trex") { trex in
                        trex.uint32(track.id)
                        trex.uint32(1)  // default_sample_description_index
                        trex.zeros(12)  // default duration, size, flags
                    }
                }
            }
        }
        durationOffsets = offsets
        return box.bytes
    }

    private static func writeTrack(_ track: Track, _ moov: inout MP4BoxWriter) {
        guard let format = track.format else { return }
        moov.box("trak") { trak in
            trak.fullBox("tkhd", flags: 0x3) { tkhd in  // enabled, in movie
                tkhd.zeros(8)
                tkhd.uint32(track.id)
                tkhd.zeros(4)
                tkhd.uint32(0)  // duration: the fragments tell
                tkhd.zeros(8)
                tkhd.uint16(0)  // layer
                tkhd.uint16(0)  // alternate_group
                tkhd.uint16(format.isVideo ? 0 : 0x0100)  // volume
                tkhd.zeros(2)
                tkhd.unityMatrix()
                if case .avc(_, let width, let height) = format {
                    tkhd.uint32(UInt32(clamping: width) << 16)
                    tkhd.uint32(UInt32(clamping: height) << 16)
                } else {
                    tkhd.zeros(8)
                }
            }
            trak.box("mdia") { mdia in
                mdia.fullBox("mdhd") { mdhd in
                    mdhd.zeros(8)
                    mdhd.uint32(1000)  // timescale
                    mdhd.uint32(0)
                    mdhd.uint16(0x55C4)  // language "und"
                    mdhd.uint16(0)
                }
                mdia.fullBox("hdlr") { hdlr in
                    hdlr.zeros(4)
                    hdlr.fourCC(format.isVideo ? "vide" : "soun")
                    hdlr.zeros(12)
                    hdlr.raw(Array((format.isVideo ? "VideoHandler" : "SoundHandler").utf8) + [0])
                }
                mdia.box("minf") { minf in
                    if format.isVideo {
                        minf.fullBox("vmhd", flags: 1) { $0.zeros(8) }
                    } else {
                        minf.fullBox("smhd") { $0.zeros(4) }
                    }
                    minf.box("dinf") { dinf in
                        dinf.fullBox("dref") { dref in
                            dref.uint32(1)
                            dref.fullBox("url ", flags: 1) { _ in }  // the data is in this file
                        }
                    }
                    minf.box("stbl") { stbl in
                        stbl.fullBox("stsd") { stsd in
                            stsd.uint32(1)
                            format.writeSampleEntry(&stsd, trackId: track.id)
                        }
                        stbl.fullBox("stts") { $0.uint32(0) }
                        stbl.fullBox("stsc") { $0.uint32(0) }
                        stbl.fullBox("stsz") { $0.zeros(8) }
                        stbl.fullBox("stco") { $0.uint32(0) }
                    }
                }
            }
        }
    }

    /// The ready samples of every track as one `moof` + `mdat`; nothing when none is ready.
    private mutating func fragment() -> [UInt8] {
        let tracks = [video, audio].filter { $0.format != nil && !$0.ready.isEmpty }
        guard isInitialized, !tracks.isEmpty else { return [] }
        sequenceNumber += 1
        var box = MP4BoxWriter()
        var dataOffsetFields: [Int] = []
        box.box("moof") { moof in
            moof.fullBox("mfhd") { $0.uint32(sequenceNumber) }
            for track in tracks {
                moof.box("traf") { traf in
                    traf.fullBox("tfhd", flags: 0x02_0000) { $0.uint32(track.id) }  // default-base-is-moof
                    traf.fullBox("tfdt", version: 1) { $0.uint64(UInt64(track.ready[0].dts)) }
                    let isVideo = track.format?.isVideo == true
                    // data offset, duration, size (and for video flags and composition offset)
                    traf.fullBox("trun", version: 1, flags: isVideo ? 0x000F01 : 0x000301) { trun in
                        trun.uint32(UInt32(track.ready.count))
                        dataOffsetFields.append(trun.offset)
                        trun.uint32(0)  // data_offset, patched below
                        for sample in track.ready {
                            trun.uint32(sample.duration)
                            trun.uint32(UInt32(clamping: sample.data.count))
                            if isVideo {
                                trun.uint32(sample.isSync ? Self.syncSampleFlags : Self.nonSyncSampleFlags)
                                trun.uint32(UInt32(bitPattern: sample.compositionOffset))
                            }
                        }
                    }
                }
            }
        }
        let moofSize = box.offset
        var dataOffset = moofSize + 8
        for (field, track) in zip(dataOffsetFields, tracks) {
            box.patchUInt32(UInt32(truncatingIfNeeded: dataOffset), at: field)
            dataOffset += track.readyBytes
        }
        box.box("mdat") { mdat in
            for track in tracks {
                for sample in track.ready { mdat.raw(sample.data) }
            }
        }
        for index in 0..<2 {
            var track = index == 0 ? video : audio
            if let last = track.ready.last { track.end = max(track.end, last.dts + Int64(last.duration)) }
            track.ready.removeAll(keepingCapacity: true)
            track.readyBytes = 0
            if index == 0 { video = track } else { audio = track }
        }
        return box.bytes
    }
}
