import SRSKernel

/// What a server session reports to the application after decoding client bytes.
public enum RTMPServerEvent: Sendable {
    /// The handshake finished; `complex` tells whether the digest handshake was used.
    case handshakeDone(complex: Bool)
    /// NetConnection.connect: answer with `acceptConnect` or `rejectConnect`.
    case connect(StreamRequest)
    /// NetStream.publish: answer with `acceptPublish` or `rejectPublish`.
    case publish(streamId: UInt32, request: StreamRequest, type: String)
    /// NetStream.play: answer with `acceptPlay` or `rejectPlay`.
    case play(streamId: UInt32, request: StreamRequest, start: Double, duration: Double, reset: Bool)
    /// Audio or video from a publisher, decoded straight into the message players share.
    case media(SharedMessage)
    /// onMetaData (from `@setDataFrame` or a plain onMetaData data message), normalized to
    /// ["onMetaData", object].
    case metadata(RTMPMessage)
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
    case call(streamId: UInt32, name: String, arguments: [AMF0Value])
}
