/// The I/O layer's tuning constants, each with the measurement or reason that chose it.
public enum IOTuning {
    /// Bytes read per `read(2)`: 64 KiB takes a whole merged-read batch of a 4 Mbps publisher
    /// in one call; the buffer is shared per loop, so it costs 64 KiB per core, not per client.
    public static let readBufferSize = 64 * 1024
    /// Reads per readable event before yielding to other connections of the loop (fairness).
    public static let maxReadsPerEvent = 4
    /// iovecs per `writev`: Linux's IOV_MAX is 1024 (architecture.md, section 4).
    public static let maxIovecsPerWrite = 1024
    /// Period of each loop's single timer (timeouts, merged-write flushes). 100 ms keeps the
    /// wake-ups at 10/s per loop while bounding the mw_latency overshoot to 100 ms.
    public static let loopTickMs = 100
    /// Connections accepted per readable event of a listener before yielding.
    public static let maxAcceptsPerEvent = 64
    /// Pause of a listener after EMFILE/ENFILE, so running out of descriptors is no busy loop.
    public static let acceptBackoffMs = 200
    /// Accept errors (EMFILE while out of descriptors) are logged at most this often.
    public static let acceptErrorLogIntervalMs: Int64 = 10_000
    /// Descriptors never given to clients, so the server can still open a file, an upstream or
    /// a callback at the limit, and libdispatch its /proc reads (it aborts the process when
    /// one fails: seen under `ulimit -n 64` with 80 idle clients, FaultTests).
    public static let reservedDescriptors = 16
    /// listen(2) backlog.
    public static let listenBacklog = 1024
    /// Blocking jobs running at once (file reads, callbacks): enough to keep a disk busy, few
    /// enough that Dispatch's pool does not grow by a thread per blocked job.
    public static let blockingPoolWidth = 4
    /// RLIMIT_NOFILE the server asks for (capped by the hard limit): 10k players plus upstreams.
    public static let wantedFileDescriptors = 65536
    /// A UDP socket (MPEG-TS caster) asks for this receive buffer: 4 MB holds 1 s of a 30 Mbps
    /// stream while its loop is busy (the kernel caps it at net.core.rmem_max).
    public static let udpReceiveBufferBytes = 4 << 20
    /// Datagrams read per wake of a UDP socket (then the loop serves others).
    public static let maxDatagramsPerEvent = 64
    /// A supervised child (ffmpeg) is checked for exit this often: a dead one is noticed
    /// within half a second (SRS checks every 3 s).
    public static let processWatchMs = 500
    /// Restart delays of a child that died: 1 s, doubling to 30 s while it keeps dying soon
    /// after starting (a wrong URL or engine must not spin).
    public static let processRestartMinMs = 1000
    public static let processRestartMaxMs = 30_000
    /// A child that ran at least this long (and at least the longest delay) was healthy: its
    /// backoff starts over. Well above `processWatchMs`, since an exit is noticed that late.
    public static let processStableRunMs = 5000
    /// A stopped child gets SIGTERM, then SIGKILL after this long (ffmpeg writes its trailer).
    public static let processStopGraceMs = 2000
}
