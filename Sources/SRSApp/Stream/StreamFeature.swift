import SRSConfig
import SRSIO
import SRSKernel
import SRSRTMP

/// A per-stream feature (HLS, forward, edge push, stream callbacks; later DVR, transcode, HDS):
/// it plugs into a live stream's lifecycle the way an nginx-rtmp module chains itself into
/// publish, message and close handlers. The live source calls every feature it holds and
/// names none of them.
///
/// Rules: every method runs on the stream's loop and must never block it; file writes,
/// processes and lookups go to the blocking pool (a `BlockingLane` keeps them in order).
/// `onMessages` is the hot call: once per publisher batch, never per message.
protocol StreamFeature: AnyObject {
    /// A publisher started (a client, or an edge's pull from its origin). The ring was reset:
    /// the batches that follow are the new publish.
    func onPublish(_ publisher: StreamPublisher)
    /// One batch of the publisher's messages, after they entered the ring. `headers` are the
    /// stream's metadata and sequence headers as of the end of the batch.
    func onMessages(_ batch: [SharedMessage], headers: MessageRing.Headers)
    /// The publisher left (players stay attached for the next one).
    func onUnpublish()
    /// A reload changed the stream's vhost and the feature's module still wants it: take the
    /// new settings (true), or be stopped and replaced by a new feature (false).
    func apply(_ vhost: VhostConfig) -> Bool
    /// The feature leaves the stream for good (removed by a reload, or the stream retired).
    func stop()
    /// Graceful quit: the lane whose pending writes must land before the process exits.
    func drainLane() -> BlockingLane?
    /// Whether the stream stays registered while nobody publishes or plays it (HLS keeps its
    /// playlist for the next publish, as SRS does).
    var keepsStreamWhenIdle: Bool { get }
}

extension StreamFeature {
    func onPublish(_ publisher: StreamPublisher) {}
    func onMessages(_ batch: [SharedMessage], headers: MessageRing.Headers) {}
    func onUnpublish() {}
    func apply(_ vhost: VhostConfig) -> Bool { true }
    func stop() {}
    func drainLane() -> BlockingLane? { nil }
    var keepsStreamWhenIdle: Bool { false }
}

/// How one kind of feature enters a stream: whether a vhost wants it, and how to make it.
/// The server lists its modules once (`StreamFeatureModules`); nothing else names them.
struct StreamFeatureModule: Sendable {
    /// A name for logs ("hls", "forward").
    let name: String
    /// Whether `vhost` turns the feature on.
    let isWanted: @Sendable (VhostConfig) -> Bool
    /// A new feature for `source` under `vhost`, on the source's loop.
    let make: @Sendable (LiveSource, VhostConfig) -> StreamFeature
}

/// Who publishes a stream: a client of the server (RTMP today; casters and ingest later), or
/// an edge's pull from its origin.
struct StreamPublisher: Sendable {
    enum Origin: Sendable, Equatable {
        /// A client published here (forward, edge push and callbacks apply).
        case client
        /// An edge pulls the stream from its origin (it is not pushed back or announced).
        case edgePull
    }

    var origin: Origin
    /// The client's context id (the pull's id for an edge pull).
    var clientId: Int
    var ip: String
    /// The stream as the publisher asked for it (vhost resolved), with tcUrl and param.
    var request: StreamRequest
}
