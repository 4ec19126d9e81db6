import SRSIO
import SRSKernel
import SRSRTMP

/// A player's view of a stream's ring: its cursor, its timestamp correction, and the RTMP
/// framing of batches into `writev` pieces (chunk headers in one scratch buffer, payloads
/// straight from the shared messages).
final class RTMPPlayerOutput: FanoutMember {
    let source: LiveSource
    let streamId: UInt32
    unowned let owner: RTMPConnection
    var fanoutIndex = -1
    private var cursor: Int
    private var jitter: TimestampJitter
    private var pendingHeaders: [SharedMessage]
    private var batch: [SharedMessage] = []
    private(set) var messagesSent: UInt64 = 0
    private(set) var messagesDropped: UInt64 = 0
    var paused = false

    init(source: LiveSource, streamId: UInt32, owner: RTMPConnection, jitter: JitterMode) {
        self.source = source
        self.streamId = streamId
        self.owner = owner
        self.jitter = TimestampJitter(mode: jitter)
        if source.publisherId == nil {
            cursor = source.ring.head  // nothing live yet: wait for the next publisher
            pendingHeaders = []
        } else {
            let start = source.ring.startCursor()
            cursor = start.cursor
            pendingHeaders = start.headers.all
        }
    }

    var fanout: LoopFanout { source.fanouts[owner.tcp.loop.index] }

    func flush() {
        let tcp = owner.tcp
        var batches = 0
        while batches < AppTuning.playerBatchesPerFlush && tcp.isWritable && !paused {
            batches += 1
            batch.removeAll(keepingCapacity: true)
            let result = source.ring.read(from: cursor, maxCount: AppTuning.playerBatchMessages, into: &batch)
            if result.skipped {
                messagesDropped += UInt64(result.droppedMessages)
                pendingHeaders = result.headers?.all ?? []
                if result.droppedMessages > 0 {
                    log.warn(owner.id, "player too slow, skipped \(result.droppedMessages) messages to the newest keyframe")
                }
            }
            cursor = result.nextCursor
            if !pendingHeaders.isEmpty {
                batch.insert(contentsOf: pendingHeaders, at: 0)
                pendingHeaders.removeAll()
            }
            if batch.isEmpty { return }
            let complete = tcp.send(pieces: owner.framedPieces(batch, streamId: streamId, jitter: &jitter))
            messagesSent += UInt64(batch.count)
            if !complete { return }
        }
    }
}
