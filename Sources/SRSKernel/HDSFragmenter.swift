/// Adobe HTTP Dynamic Streaming for one live stream (Adobe's "HTTP Dynamic Streaming
/// specification" and the F4V format, annex of FLV spec 10.1): cuts a stream's messages into
/// fragments (`afra` + `moof` + `mdat` of FLV tags), keeps the window of fragments a player
/// may ask for, and writes the bootstrap (`abst` with one `asrt` and one `afrt`) and the f4m
/// manifest. Pure bytes: the caller writes the files.
///
/// Fragments start at a video keyframe once the current one lasts `fragmentMs` (audio-only
/// streams cut on time alone); one that reaches twice that, or `maxFragmentBytes`, is cut
/// anyway. Each fragment begins with the stream's sequence headers, stamped with its start.
public struct HDSFragmenter: Sendable {
    /// A fragment ready to be written, named `[stream]Seg1-Frag[index]`.
    public struct Fragment: Sendable, Equatable {
        public var index: Int
        public var startMs: Int64
        public var durationMs: Int64
        /// The whole fragment file: afra, moof, mdat.
        public var bytes: [UInt8]
    }

    /// One fragment the bootstrap lists.
    public struct Entry: Sendable, Equatable {
        public var index: Int
        public var startMs: Int64
        public var durationMs: Int64
    }

    public private(set) var fragmentMs: Int64
    public private(set) var windowMs: Int64
    public let maxFragmentBytes: Int
    /// The fragments in the window, oldest first.
    public private(set) var window: [Entry] = []
    /// The index the next fragment gets (the first is 1).
    public private(set) var nextIndex = 1

    private var tags: [UInt8] = []
    /// Offsets in `tags` and times of the keyframes of the open fragment (afra's entries).
    private var keyframes: [(timeMs: Int64, offset: Int)] = []
    private var startMs: Int64?
    private var lastMs: Int64 = 0
    private var videoHeader: SharedMessage?
    private var audioHeader: SharedMessage?
    private var sawVideo = false

    public init(fragmentSeconds: Double, windowSeconds: Double, maxFragmentBytes: Int = 64 << 20) {
        fragmentMs = max(1, Int64(fragmentSeconds * 1000))
        windowMs = max(1, Int64(windowSeconds * 1000))
        self.maxFragmentBytes = maxFragmentBytes
    }

    /// New durations (a reload): the open fragment and the window go on under them.
    public mutating func reconfigure(fragmentSeconds: Double, windowSeconds: Double) {
        fragmentMs = max(1, Int64(fragmentSeconds * 1000))
        windowMs = max(1, Int64(windowSeconds * 1000))
    }

    /// The most fragments the window keeps, whatever their durations: timestamps that do not
    /// advance make fragments of 1 ms, cut by size only, which must not pile up on disk.
    public var maxWindowFragments: Int { max(3, Int(windowMs / fragmentMs) * 2 + 2) }

    /// Adds one message at `timestamp` (ms). Returns the fragment it closed, if any, and the
    /// indexes of the fragments that left the window then (their files can go).
    public mutating func add(_ message: SharedMessage, timestamp: Int64) -> (closed: Fragment, removed: [Int])? {
        if message.isSequenceHeader {
            if message.kind == .video { videoHeader = message } else if message.kind == .audio { audioHeader = message }
            // A new header in the middle of a fragment goes in it, before the frames it decodes.
            if startMs != nil { appendTag(message, timestamp: max(timestamp, lastMs)) }
            return nil
        }
        guard message.kind == .video || message.kind == .audio else { return nil }
        if message.kind == .video { sawVideo = true }
        var result: (closed: Fragment, removed: [Int])?
        if let start = startMs {
            let duration = timestamp - start
            let boundary = sawVideo ? (message.kind == .video && message.isKeyframe) : true
            if (boundary && duration >= fragmentMs) || duration >= 2 * fragmentMs || tags.count >= maxFragmentBytes {
                result = close(endingAt: timestamp)
            }
        }
        if startMs == nil { open(at: timestamp) }
        if message.kind == .video && message.isKeyframe { keyframes.append((timestamp, tags.count)) }
        appendTag(message, timestamp: timestamp)
        lastMs = max(lastMs, timestamp)
        return result
    }

    /// Closes the open fragment (the publisher left), if it holds media.
    public mutating func flush() -> (closed: Fragment, removed: [Int])? {
        startMs == nil ? nil : close(endingAt: lastMs)
    }

    /// Forgets the open fragment and the headers (a new publish starts).
    public mutating func reset() {
        tags.removeAll()
        keyframes.removeAll()
        startMs = nil
        videoHeader = nil
        audioHeader = nil
        sawVideo = false
    }

    /// The end of the last closed fragment, ms (where a republish continues).
    public var endMs: Int64? { window.last.map { $0.startMs + $0.durationMs } }

    private mutating func open(at timestamp: Int64) {
        startMs = timestamp
        lastMs = timestamp
        tags.removeAll(keepingCapacity: true)
        keyframes.removeAll()
        for header in [videoHeader, audioHeader].compactMap({ $0 }) { appendTag(header, timestamp: timestamp) }
    }

    private mutating func appendTag(_ message: SharedMessage, timestamp: Int64) {
        tags += FLV.tagHeader(type: message.kind.rawValue, dataSize: message.size, timestamp: timestamp)
        tags += message.payload
        let size = UInt32(truncatingIfNeeded: FLV.tagHeaderSize + message.size)
        tags += [UInt8(truncatingIfNeeded: size >> 24), UInt8(truncatingIfNeeded: size >> 16), UInt8(truncatingIfNeeded: size >> 8), UInt8(truncatingIfNeeded: size)]
    }

    /// Closes the open fragment: it lasts until `end` (the next one's start, or its last
    /// message when the stream stops).
    private mutating func close(endingAt end: Int64) -> (closed: Fragment, removed: [Int]) {
        let start = startMs ?? 0
        // A duration of 0 would mean a discontinuity in the afrt: every fragment lasts >= 1 ms.
        let duration = max(1, end - start)
        let index = nextIndex
        nextIndex += 1
        let fragment = Fragment(index: index, startMs: start, durationMs: duration, bytes: fragmentBytes(index: index))
        startMs = nil
        tags.removeAll(keepingCapacity: true)
        keyframes.removeAll()
        window.append(Entry(index: index, startMs: start, durationMs: duration))
        var removed: [Int] = []
        var total = window.reduce(0) { $0 + $1.durationMs }
        while window.count > 1 && (total - window[0].durationMs >= windowMs || window.count > maxWindowFragments) {
            total -= window[0].durationMs
            removed.append(window.removeFirst().index)
        }
        return (fragment, removed)
    }

    /// afra (the keyframes' times and file offsets), moof (mfhd with the fragment's number),
    /// mdat (the FLV tags, without the FLV file header).
    private func fragmentBytes(index: Int) -> [UInt8] {
        // afra: 8 box + 4 version/flags + 1 flags + 4 timescale + 4 count + 16 per entry.
        let afraSize = 21 + 16 * keyframes.count
        let moofSize = 8 + 16
        let mdatStart = afraSize + moofSize
        var writer = MP4BoxWriter()
        writer.fullBox("afra") { box in
            box.uint8(0x40)  // LongIDs 0, LongOffsets 1, GlobalEntries 0
            box.uint32(1000)
            box.uint32(UInt32(keyframes.count))
            for keyframe in keyframes {
                box.uint64(UInt64(bitPattern: keyframe.timeMs))
                box.uint64(UInt64(mdatStart + 8 + keyframe.offset))
            }
        }
        writer.box("moof") { box in
            box.fullBox("mfhd") { $0.uint32(UInt32(truncatingIfNeeded: index)) }
        }
        var bytes = writer.bytes
        let mdatSize = UInt32(truncatingIfNeeded: 8 + tags.count)
        bytes.reserveCapacity(bytes.count + 8 + tags.count)
        bytes += [UInt8(truncatingIfNeeded: mdatSize >> 24), UInt8(truncatingIfNeeded: mdatSize >> 16),
                  UInt8(truncatingIfNeeded: mdatSize >> 8), UInt8(truncatingIfNeeded: mdatSize)]
        bytes += Array("mdat".utf8)
        bytes += tags
        return bytes
    }

    /// The bootstrap of the window: a live `abst` whose segment run table puts every fragment
    /// in segment 1 and whose fragment run table lists each fragment of the window.
    public func bootstrap() -> [UInt8] {
        var writer = MP4BoxWriter()
        let highest = window.last?.index ?? 0
        writer.fullBox("abst") { box in
            box.uint32(UInt32(truncatingIfNeeded: highest))  // BootstrapinfoVersion
            box.uint8(0x20)  // Profile 0 (named), Live 1, Update 0
            box.uint32(1000)  // TimeScale
            box.uint64(UInt64(bitPattern: window.last?.startMs ?? 0))  // CurrentMediaTime: the latest fragment
            box.uint64(0)  // SmpteTimeCodeOffset
            box.uint8(0)  // MovieIdentifier ""
            box.uint8(0)  // ServerEntryCount
            box.uint8(0)  // QualityEntryCount
            box.uint8(0)  // DrmData ""
            box.uint8(0)  // MetaData ""
            box.uint8(1)  // SegmentRunTableCount
            box.fullBox("asrt") { asrt in
                asrt.uint8(0)  // QualityEntryCount
                asrt.uint32(1)  // SegmentRunEntryCount
                asrt.uint32(1)  // FirstSegment
                asrt.uint32(UInt32(truncatingIfNeeded: highest))  // FragmentsPerSegment
            }
            box.uint8(1)  // FragmentRunTableCount
            box.fullBox("afrt") { afrt in
                afrt.uint32(1000)  // TimeScale
                afrt.uint8(0)  // QualityEntryCount
                afrt.uint32(UInt32(window.count))
                for entry in window {
                    afrt.uint32(UInt32(truncatingIfNeeded: entry.index))
                    afrt.uint64(UInt64(bitPattern: entry.startMs))
                    afrt.uint32(UInt32(truncatingIfNeeded: entry.durationMs))
                }
            }
        }
        return writer.bytes
    }

    /// The f4m manifest of `stream` (next to `[stream].abst` and its fragments).
    public static func manifest(stream: String) -> String {
        let name = xmlEscaped(stream)
        return """
            <?xml version="1.0" encoding="utf-8"?>
            <manifest xmlns="http://ns.adobe.com/f4m/1.0">
            \t<id>\(name).f4m</id>
            \t<streamType>live</streamType>
            \t<deliveryType>streaming</deliveryType>
            \t<bootstrapInfo profile="named" url="\(name).abst" id="bootstrap0" />
            \t<media bitrate="0" url="\(name)" bootstrapInfoId="bootstrap0"></media>
            </manifest>

            """
    }

    private static func xmlEscaped(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }
}
