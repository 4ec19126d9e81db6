import SRSConfig
import SRSIO
import SRSKernel

/// Turns batches of ring messages into bytes for one player's wire format (RTMP chunks,
/// FLV tags, MPEG-TS packets, raw audio frames).
protocol MediaFramer: AnyObject {
    /// Pieces for `batch`, with timestamps corrected by `jitter`. Headers of the format (an FLV
    /// file header, TS tables) are the framer's own business. Pieces of the messages' payloads
    /// may borrow them (owner nil): the player keeps the batch alive while they are queued.
    func pieces(for batch: [SharedMessage], jitter: inout TimestampJitter) -> [OutboundPiece]
}

/// One player of a stream, whatever its protocol: its cursor in the stream's ring, its
/// timestamp correction, and the flush that hands batches to its socket. It is a member of
/// the stream's fan-out on the player's loop, which wakes it (queue-cond wait).
final class PlayerOutput: FanoutMember {
    let source: LiveSource
    let tcp: any Transport
    let contextId: Int
    unowned let framer: MediaFramer
    var fanoutIndex = -1
    private var cursor: Int
    private var jitter: TimestampJitter
    /// The vhost's `time_jitter`, in force while the stream is not ATC.
    private let jitterMode: JitterMode
    private var pendingHeaders: [SharedMessage]
    private(set) var messagesSent: UInt64 = 0
    private(set) var messagesDropped: UInt64 = 0
    var paused = false

    /// `fastCacheMs` > 0 starts that far back in the stream (audio-only outputs' `fast_cache`)
    /// instead of at the last keyframe.
    init(source: LiveSource, tcp: any Transport, contextId: Int, framer: MediaFramer, jitter: JitterMode, fastCacheMs: Int64 = 0) {
        self.source = source
        self.tcp = tcp
        self.contextId = contextId
        self.framer = framer
        jitterMode = jitter
        self.jitter = TimestampJitter(mode: source.isATC ? .off : jitter)
        tcp.setSendBufferSize(AppTuning.playerSendBufferBytes)
        if source.publisherId == nil {
            cursor = source.ring.head  // nothing live yet: wait for the next publisher
            pendingHeaders = []
        } else if fastCacheMs > 0 {
            let start = source.ring.cursor(spanningLast: fastCacheMs)
            cursor = start.cursor
            pendingHeaders = start.headers.all
        } else {
            let start = source.ring.startCursor()
            cursor = start.cursor
            pendingHeaders = start.headers.all
        }
    }

    var fanout: LoopFanout { source.fanouts[tcp.loop.index] }

    /// Joins the stream's fan-out and sends what the GOP cache holds. Call on the loop.
    func start() {
        fanout.add(self)
        flush()
    }

    /// Leaves the stream. Call on the loop, once.
    func stop() {
        fanout.remove(self)
        source.detachPlayer()
    }

    func flush() {
        var batches = 0
        // No batch is kept between flushes: 10,000 idle players hold no message references.
        var batch: [SharedMessage] = []
        while batches < AppTuning.playerBatchesPerFlush && tcp.isWritable && !paused {
            batches += 1
            batch.removeAll(keepingCapacity: true)
            let result = source.ring.read(from: cursor, maxCount: AppTuning.playerBatchMessages, maxBytes: AppTuning.playerBatchBytes, into: &batch)
            if result.skipped {
                messagesDropped += UInt64(result.droppedMessages)
                source.statistics.recordDropped(result.droppedMessages)
                pendingHeaders = result.headers?.all ?? []
                if result.droppedMessages > 0 {
                    log.warn(contextId, "player too slow, skipped \(result.droppedMessages) messages to the newest keyframe")
                }
            }
            cursor = result.nextCursor
            let atc = source.isATC
            if atc != (jitter.mode == .off) && jitterMode != .off { jitter = TimestampJitter(mode: atc ? .off : jitterMode) }
            if !pendingHeaders.isEmpty {
                // ATC: the headers a player starts with carry the time of the media after
                // them (as SRS stamps its cached headers), not the publish's first time.
                if atc, let first = batch.first(where: { !$0.isSequenceHeader && $0.kind != .data }) {
                    pendingHeaders = pendingHeaders.map { $0.retimed(first.timestamp) }
                }
                batch.insert(contentsOf: pendingHeaders, at: 0)
                pendingHeaders.removeAll()
            }
            if batch.isEmpty { return }
            let pieces = framer.pieces(for: batch, jitter: &jitter)
            var bytes = 0
            for piece in pieces { bytes += piece.count }
            let complete = tcp.send(pieces: pieces, borrowing: { [batch] in BorrowedMessages(batch) })
            messagesSent += UInt64(batch.count)
            source.statistics.recordSent(bytes: bytes)
            if !complete { return }
        }
    }
}

extension VhostConfig {
    /// How players of this vhost's streams correct timestamps (`time_jitter`); an ATC stream
    /// (`LiveSource.isATC`) passes them through instead.
    var jitterMode: JitterMode { JitterMode(rawValue: self.timeJitter.rawValue) ?? .full }
}

/// The messages whose payloads queued pieces borrow, held by the transport until they are written.
private final class BorrowedMessages {
    let messages: [SharedMessage]
    init(_ messages: [SharedMessage]) { self.messages = messages }
}
