/// Rebuilds decode times for video carried with presentation times only (RTP). FLV needs a
/// DTS that never goes back and a composition time (PTS - DTS); with B-frames the PTS of
/// frames in decode order go back and forth. Frames are held `depth` frames; each leaving
/// frame gets the smallest PTS still unassigned as its DTS (the PTS in sorted order, which is
/// the decode clock of a stream with constant frame rate), minus the shift the first frames
/// need so that no DTS passes its PTS. Without B-frames the DTS equals the PTS.
public struct DecodeTimeReconstructor<Frame: Sendable>: Sendable {
    /// Frames held: enough for x264's B-pyramid (a reorder depth of 2) with room to spare;
    /// at 25 fps it adds 160 ms of latency.
    public static var defaultDepth: Int { 4 }

    private let depth: Int
    private var held: [(frame: Frame, pts: Int64)] = []
    private var unassigned: [Int64] = []
    private var shift: Int64?
    private var lastDTS: Int64?

    public init(depth: Int = Self.defaultDepth) { self.depth = max(depth, 0) }

    /// Takes the next frame in decode order with its PTS (ms); returns the frames that leave,
    /// in decode order, with their DTS and PTS.
    public mutating func push(_ frame: Frame, pts: Int64) -> [(frame: Frame, dts: Int64, pts: Int64)] {
        held.append((frame, pts))
        let at = unassigned.firstIndex { $0 > pts } ?? unassigned.endIndex
        unassigned.insert(pts, at: at)
        var out: [(frame: Frame, dts: Int64, pts: Int64)] = []
        while held.count > depth { out.append(release()) }
        return out
    }

    /// Releases every held frame (the stream ended).
    public mutating func flush() -> [(frame: Frame, dts: Int64, pts: Int64)] {
        var out: [(frame: Frame, dts: Int64, pts: Int64)] = []
        while !held.isEmpty { out.append(release()) }
        return out
    }

    private mutating func release() -> (frame: Frame, dts: Int64, pts: Int64) {
        if shift == nil {
            // The smallest shift that keeps DTS <= PTS for the frames seen so far.
            shift = zip(unassigned, held.map(\.pts)).map { $0 - $1 }.max().map { max($0, 0) } ?? 0
        }
        let next = held.removeFirst()
        var dts = unassigned.removeFirst() - shift!
        if let lastDTS, dts < lastDTS { dts = lastDTS }
        lastDTS = dts
        return (next.frame, dts, next.pts)
    }
}
