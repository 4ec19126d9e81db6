import SRSIO
import SRSKernel

/// `RTMPClient` for async code: each call runs the blocking client on a lane of its own (a
/// serial queue outside the caller's threads), so tasks never block.
///
/// ```swift
/// let client = AsyncRTMPClient(url: "rtmp://127.0.0.1/live/livestream")
/// try await client.publish()
/// try await client.writePacket(packet)
/// ```
public final class AsyncRTMPClient: Sendable {
    private let lane: BlockingLane
    private let box: Box

    /// The client is created on first use.
    public init(url: String, timeoutMs: Int = 10_000) {
        lane = BlockingPool.standaloneLane(label: "srs.client.\(url)")
        box = Box(url: url, timeoutMs: timeoutMs)
    }

    /// Handshake, connect and publish.
    public func publish() async throws {
        try await run { client in
            try client.handshake()
            try client.connectApp()
            try client.publish()
        }
    }

    /// Handshake, connect and play.
    public func play() async throws {
        try await run { client in
            try client.handshake()
            try client.connectApp()
            try client.play()
        }
    }

    public func readPacket() async throws -> MediaPacket? { try await run { try $0.readPacket() } }

    public func writePacket(_ packet: MediaPacket) async throws { try await run { try $0.writePacket(packet) } }

    public func writeH264Frames(_ annexB: [UInt8], dts: UInt32, pts: UInt32) async throws {
        try await run { try $0.writeH264Frames(annexB, dts: dts, pts: pts) }
    }

    public func writeAudioFrame(soundFormat: UInt8, soundRate: UInt8, soundSize: UInt8, soundType: UInt8, frame: [UInt8], timestamp: UInt32) async throws {
        try await run { try $0.writeAudioFrame(soundFormat: soundFormat, soundRate: soundRate, soundSize: soundSize, soundType: soundType, frame: frame, timestamp: timestamp) }
    }

    /// Closes the connection; a `readPacket` waiting on the lane returns nil first.
    public func close() async {
        box.interrupt()
        try? await run { $0.close() }
    }

    private func run<T: Sendable>(_ work: @escaping @Sendable (RTMPClient) throws -> T) async throws -> T {
        let box = self.box
        return try await withCheckedThrowingContinuation { continuation in
            lane.async {
                continuation.resume(with: Result { try work(try box.client()) })
            }
        }
    }

    /// The blocking client, touched only on the lane.
    private final class Box: @unchecked Sendable {
        let url: String
        let timeoutMs: Int
        private var made: RTMPClient?
        /// The client, for `interrupt` from outside the lane (set once, on the lane).
        private let shared = LockedValue<RTMPClient?>(nil)

        func interrupt() { shared.withLock { $0?.interrupt() } }

        init(url: String, timeoutMs: Int) {
            self.url = url
            self.timeoutMs = timeoutMs
        }

        func client() throws -> RTMPClient {
            if let made { return made }
            let client = try RTMPClient(url: url, timeoutMs: timeoutMs)
            made = client
            shared.withLock { $0 = client }
            return client
        }
    }
}
