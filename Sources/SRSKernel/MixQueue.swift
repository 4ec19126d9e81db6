/// SRS 2.0's `mix_correct` (SrsMixQueue): audio and video of a publisher whose interleaving
/// is off are put back in timestamp order. Each message goes in; at most one comes out per
/// message in, the earliest, once the queue holds a video and an audio message (or
/// `pureStreamDepth` of one kind for a stream without the other), so the output lags the
/// input by a few messages. Equal timestamps keep their arrival order. Sequence headers and
/// data pass straight through (they order nothing).
public struct MixQueue: Sendable {
    /// SRS's SRS_MIX_CORRECT_PURE_AV.
    public static let pureStreamDepth = 10

    private var queued: [SharedMessage] = []
    private var videos = 0
    private var audios = 0

    public init() {}

    /// How many messages wait.
    public var count: Int { queued.count }

    /// The messages to pass on after `message` came in, in order.
    public mutating func push(_ message: SharedMessage) -> [SharedMessage] {
        guard !message.isSequenceHeader, message.kind != .data else { return [message] }
        // After the last message whose timestamp is not later (stable for equal ones).
        var index = queued.count
        while index > 0 && queued[index - 1].timestamp > message.timestamp { index -= 1 }
        queued.insert(message, at: index)
        if message.kind == .video { videos += 1 } else { audios += 1 }
        let ready = (videos >= 1 && audios >= 1) || (videos >= Self.pureStreamDepth && audios == 0)
            || (audios >= Self.pureStreamDepth && videos == 0)
        guard ready else { return [] }
        let first = queued.removeFirst()
        if first.kind == .video { videos -= 1 } else { audios -= 1 }
        return [first]
    }

    /// Everything still queued, in order (the publisher left), and the queue emptied.
    public mutating func drain() -> [SharedMessage] {
        defer {
            queued = []
            videos = 0
            audios = 0
        }
        return queued
    }
}
