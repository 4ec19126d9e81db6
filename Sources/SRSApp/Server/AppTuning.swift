/// The server app's tuning constants, each with the reason or measurement that chose it.
/// (I/O constants live in SRSIO's `IOTuning`.)
public enum AppTuning {
    /// Messages a player takes from the ring per flush. SRS sends 128 messages per writev
    /// batch (SRS_PERF_MW_MSGS); 256 halves the flushes of a player catching up on a GOP and
    /// still fits the 1024-iovec limit at two iovecs per message.
    public static let playerBatchMessages = 256
    /// SO_SNDBUF of a player's socket (the kernel doubles it: 512 KB, enough for 40 Mbps at a
    /// 100 ms round trip). Left to autotuning, a slow player's kernel buffer grew to 4 MB
    /// (tcp_wmem max), which a 4 Mbps stream needs 8 s to fill and a 20 KB/s reader 65 s to
    /// drain to writable again: queue_length never applied (FaultTests.testPlayerThatStopsReading).
    /// With the cap the server's own queue holds the backlog and skips it as configured.
    public static let playerSendBufferBytes = 256 * 1024
    /// Payload bytes a player takes from the ring per batch. What a blocked socket did not take
    /// waits outside the ring, where queue_length cannot skip it: 256 messages of a 4 Mbps
    /// stream were 2 MB (15 s at a 20 KB/s reader) before this bound.
    public static let playerBatchBytes = 256 * 1024
    /// A client's reading stops while more than this waits to be written to it. A player has at
    /// most one batch (256 KB) waiting, so only a client that sends commands or requests and
    /// reads nothing reaches it; before this bound, createStream flooded by a client reading
    /// nothing grew the server by 6 MB/s until the 30 s idle timeout.
    public static let maxPendingBytesWhileReading = 2 * 1024 * 1024
    /// Batches one flush may write before yielding the loop to other clients.
    public static let playerBatchesPerFlush = 4
    /// Hard caps of a stream's ring whatever `queue_length` says, so one publisher cannot eat
    /// the machine: 30 s of a 60 fps + 50 audio-frames/s stream is ~3300 messages.
    public static let ringMaxMessages = 16384
    public static let ringMaxBytes = 256 * 1024 * 1024
    /// What an audio-only stream's ring keeps while nobody plays it: a new player's start
    /// (115 AAC frames, 2.7 s) fits. (A stream with video keeps its GOP cache and fast_cache.)
    public static let idleRingSpanMs: Int64 = 3000
    /// A client that has neither published nor played this long after it connected is closed,
    /// however slowly it keeps sending (SRS: SRS_CONSTS_RTMP_TIMEOUT_US, 30 s per read).
    public static let handshakeTimeoutMs: Int64 = 30_000
    /// The RTMP handshake (3073 bytes from the client) must be done this long after accept:
    /// a client trickling one byte every few seconds is cut early (a real one needs one
    /// round trip).
    public static let handshakeCompleteTimeoutMs: Int64 = 10_000
    /// A player whose socket accepted nothing for this long is closed
    /// (SRS: SRS_CONSTS_RTMP_SEND_TIMEOUT_US, 30 s).
    public static let playerSendTimeoutMs: Int64 = 30_000
    /// Period of the byte-counter samples behind the API's 30 s rates: 5 s gives a 30 s window
    /// of 6-7 samples for a few microseconds per stream and client.
    public static let statisticsSampleMs = 5000
    /// Free memory glibc may keep at the top of its heap when the statistics sample trims it
    /// (every statisticsSampleMs): none. After 1,000 players left, the trim took RSS from
    /// +12.5 MB to +6.8 MB over before (4 MB of pad made no difference: the rest is pages of
    /// code run for the first time and two thread arenas, reused by later bursts).
    public static let mallocTrimPadBytes = 0
    /// An HTTP request must be complete within this long (slow-header clients, "slowloris").
    public static let httpRequestTimeoutMs: Int64 = 10_000
    /// An idle keep-alive HTTP connection is closed after this long (nginx's keepalive_timeout 75 s;
    /// API pollers reconnect cheaply, so a shorter bound frees descriptors sooner).
    public static let httpIdleTimeoutMs: Int64 = 30_000
    /// Pipelined HTTP requests queued on one connection before it stops reading (responses
    /// go out one at a time, each after the previous one is written).
    public static let maxQueuedHTTPRequests = 32
    /// An RTMP player copies a message's payload next to its chunk headers up to this size
    /// (a ~100 kbps stream's audio and inter frames), so that a steady batch goes out as one
    /// contiguous piece; larger payloads are handed to `writev` from the shared message.
    /// Fifty small iovecs per write cost the kernel more than copying their bytes: 10,000
    /// players 3.02 -> 2.36-2.44 CPU-ms/MB (docs/performance.md).
    public static let playerCopiedChunkBytes = 1024
    /// Static files are read and sent in pieces of this size (a smaller file in one read): the
    /// memory a file download holds, whatever the file's size. 256 KB keeps one read per
    /// several socket writes (a 64 KB send buffer).
    public static let staticFileChunkBytes = 256 * 1024
    /// The bandwidth test: each of its play and publish phases lasts this long (SRS: 3 s).
    public static let bandcheckPhaseMs: Int64 = 3000
    /// A test not done within this long is closed (two phases, answers, a slow client).
    public static let bandcheckMaxMs: Int64 = 30_000
    /// Pacing: play packets are sent on this period, as many as the limit allows.
    public static let bandcheckTickMs = 10
    public static let bandcheckPacketsPerTick = 64
    /// After the finish, the connection stays open this long (SRS: 600 ms for Flash).
    public static let bandcheckFinalWaitMs = 600
    /// How far into an FLV file `?start=` looks for onMetaData and the sequence headers.
    public static let flvSeekHeaderScanBytes = 1 << 20
    /// Gap between the last timestamp of a publish and the first of the next one in HLS
    /// (one 25 fps frame), so timestamps stay monotonic across a republish.
    public static let hlsRepublishGapMs: Int64 = 40
    /// An HDS fragment is cut when it holds this much (a stream without keyframes cannot grow
    /// one without bound); 10 s of an 8 Mbps stream is 10 MB.
    public static let hdsMaxFragmentBytes = 32 << 20

    /// A caster's publish ends after this long without data (an encoder that stopped), so
    /// HLS closes its segment and players see the end; new data publishes again.
    public static let casterIdleMs = 5000
    /// A refused caster publish is asked again after this long (data meanwhile is dropped).
    public static let casterRetryMs = 5000
    /// Messages a caster holds while admission decides (an on_publish callback).
    public static let casterMaxWaitingMessages = 2048
    /// An RTSP client is closed after this long without a request or a packet (the session
    /// timeout its SETUP answer announces, 60 s as RFC 2326 suggests); pushing clients send
    /// packets many times a second.
    public static let rtspIdleTimeoutMs: Int64 = 60_000
    /// HLS ingest: a playlist is at most this long (a live window of a few hundred segments).
    public static let hlsIngestMaxPlaylistBytes = 1 << 20
    /// HLS ingest: a segment is at most this long (10 s at 25 Mbps); a longer one is skipped.
    public static let hlsIngestMaxSegmentBytes = 32 << 20
    /// HLS ingest: a playlist or segment request must be answered within this long (or three
    /// target durations for a segment, when longer).
    public static let hlsIngestRequestTimeoutMs = 10_000
    /// HLS ingest: a failing playlist is asked again after 1 s, doubling up to 30 s.
    public static let hlsIngestRetryMinMs = 1000
    public static let hlsIngestRetryMaxMs = 30_000
    /// HLS ingest: a first playlist is joined this many segments from its end (RFC 8216 6.3.3
    /// advises not within three target durations of the end).
    public static let hlsIngestStartSegments = 3
    /// HLS ingest: the next segment is fetched while less than this many target durations of
    /// media wait to be published, which bounds what the ingester holds.
    public static let hlsIngestPrefetchTargets = 2
    /// HLS ingest: segments waiting to be fetched at most (a playlist that adds more skips the
    /// oldest), messages waiting to be published at most (about 5 minutes of a 25 fps stream
    /// with audio), master playlists followed in a row at most.
    public static let hlsIngestMaxQueuedSegments = 100
    public static let hlsIngestMaxPendingMessages = 20_000
    public static let hlsIngestMaxMasterHops = 3
    /// HLS ingest: how often paced messages are handed to the stream (a frame at 50 fps).
    public static let hlsIngestTickMs = 20
    /// A live `.mp4` player gets a fragment at each keyframe and at least this often: a
    /// fragment reaches the player only once complete, so shorter fragments mean less
    /// latency (Chromium's `<video>` buffers about 2 s before it starts, then plays on).
    public static let liveMP4MaxFragmentMs: Int64 = 500
    /// A heartbeat report must be answered within this long (or its interval, when shorter).
    public static let heartbeatTimeoutMs = 5000
    /// A new RTSP or FLV-POST client must finish its first request within this long.
    public static let casterRequestTimeoutMs: Int64 = 10_000

    /// TS outputs (HLS, the .ts mount) and MP4 DVR wait this much media for an announced
    /// track whose codec is not known yet (MP3 after video); ffmpeg's first MP3 frame comes
    /// 55 ms after its first video frame, so 3 s is far beyond a real publisher's gap.
    public static let announcedTrackWaitMs: Int64 = 3000
    /// What a TS output holds while it waits, at most (then it starts without the track).
    public static let announcedTrackWaitMaxMessages = 1024
    /// First wait before a forward reconnects; it doubles up to `forwardRetryMaxMs`. SRS waits
    /// a fixed 3 s (SRS_FORWARDER_CIMS); a short first retry recovers a restarted destination
    /// sooner, the doubling keeps a dead one from being hammered.
    public static let forwardRetryMinMs = 1000
    public static let forwardRetryMaxMs = 30_000
    /// A forward connection that lasted this long resets the backoff.
    public static let forwardStableMs: Int64 = 10_000
    /// An edge keeps pulling a stream this long after its last player left, so a player that
    /// reconnects (or the next one of a playlist) finds it warm.
    public static let edgeIdleGraceMs: Int64 = 3000
    /// Once every origin failed in a row, an edge waits this long before the next round,
    /// doubling up to `edgeRetryMaxMs` (SRS: a fixed 3 s).
    public static let edgeRetryMinMs = 1000
    public static let edgeRetryMaxMs = 30_000
    /// How long the origin may take to judge a client's connect (token_traverse).
    public static let edgeTokenTimeoutMs = 10_000
    /// Log lines waiting for the writer lane, at most (a flood beyond what the disk takes drops
    /// lines and says how many): 4 MB is ~30,000 lines, seconds of the busiest normal logging.
    public static let logBufferMaxBytes = 4 * 1024 * 1024
    /// Bytes of one stream's DVR that may wait for the disk: 32 MB is over a minute of a
    /// 4 Mbps stream; a disk that slow (or a path that blocks) closes the file and stops the
    /// recording instead of growing the server.
    public static let dvrMaxPendingBytes = 32 * 1024 * 1024
    /// Grace for a graceful quit (SIGTERM) before remaining clients are cut.
    public static let gracefulQuitMs = 3000
    /// How long a graceful quit waits for the streams' pending file writes (HLS, DVR) once the
    /// clients are gone: a healthy disk needs milliseconds; a blocked one is given up on.
    public static let gracefulQuitDrainMs = 2000
    /// How often a graceful quit checks whether every client is gone (an exit 20 ms after
    /// the last one closed; 150 polls at most).
    public static let gracefulQuitPollMs = 20
}
