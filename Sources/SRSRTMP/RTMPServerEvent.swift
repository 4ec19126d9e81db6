import SRSKernel

/// What a server session reports to the application after decoding client bytes.
/// The large, rare cases are boxed (`indirect`) so that an event is a few words: a
/// publisher's read makes one event per media message, and a stride of the size of a
/// `StreamRequest` made every read's event array a large allocation.
public enum RTMPServerEvent: Sendable {
    /// The handshake finished; `complex` tells whether the digest handshake was used.
    case handshakeDone(complex: Bool)
    /// NetConnection.connect: answer with `acceptConnect` or `rejectConnect`.
    indirect case connect(StreamRequest)
    /// NetStream.publish: answer with `acceptPublish` or `rejectPublish`.
    indirect case publish(streamId: UInt32, request: StreamRequest, type: String)
    /// NetStream.play: answer with `acceptPlay` or `rejectPlay`.
    indirect case play(streamId: UInt32, request: StreamRequest, start: Double, duration: Double, reset: Bool)
    /// Audio or video from a publisher, decoded straight into the message players share.
    case media(SharedMessage)
    /// onMetaData (from `@setDataFrame` or a plain onMetaData data message), normalized to
    /// ["onMetaData", object].
    indirect case metadata(RTMPMessage)
    /// FCUnpublish of a stream name.
    case unpublish(streamName: String)
    /// closeStream or deleteStream.
    case closeStream(streamId: UInt32)
    /// NetStream.pause.
    case pause(streamId: UInt32, paused: Bool, timeMs: Double)
    /// User control Set Buffer Length from a player.
    case setBufferLength(streamId: UInt32, milliseconds: UInt32)
    /// Any other command (after connect): its name and the values after the command object
    /// (SRS's bandwidth-test packets carry their data there).
    indirect case call(streamId: UInt32, name: String, arguments: [AMF0Value])
}
