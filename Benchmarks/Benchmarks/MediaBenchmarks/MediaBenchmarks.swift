import Benchmark
import SRSKernel
import SRSRTMP

/// The hot paths of a live server: AMF0, RTMP chunking, the shared ring, chunk headers for
/// writev, FLV tags and MPEG-TS packets.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.cpuTotal, .wallClock, .mallocCountTotal, .throughput], maxDuration: .seconds(2))

    let connect: [AMF0Value] = [
        "connect", 1,
        .object([
            AMF0Property("app", "live"), AMF0Property("flashVer", "FMLE/3.0 (compatible; FMSc/1.0)"),
            AMF0Property("tcUrl", "rtmp://127.0.0.1:1935/live"), AMF0Property("fpad", false),
            AMF0Property("capabilities", 15), AMF0Property("audioCodecs", 4071), AMF0Property("videoCodecs", 252),
        ]),
    ]
    let connectBytes = AMF0Encoder.encode(connect)

    Benchmark("AMF0 encode connect") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(AMF0Encoder.encode(connect)) }
    }
    Benchmark("AMF0 decode connect") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try AMF0Decoder.decodeAll(connectBytes)) }
    }

    // A 20 KB video message (a keyframe of a ~1 Mbps stream).
    let video = RTMPMessage(typeId: RTMPMessageType.video, streamId: 1, timestamp: 40, payload: [0x17, 0x01] + [UInt8](repeating: 0x55, count: 20_000))
    let chunked128 = ChunkEncoder(chunkSize: 128).encode(video)
    let chunked60000 = ChunkEncoder(chunkSize: 60000).encode(video)

    Benchmark("chunk encode 20 KB at 60000") { benchmark in
        let encoder = ChunkEncoder(chunkSize: 60000)
        for _ in benchmark.scaledIterations { blackHole(encoder.encode(video)) }
    }
    Benchmark("chunk decode 20 KB at 128") { benchmark in
        for _ in benchmark.scaledIterations {
            var decoder = ChunkDecoder()
            blackHole(try chunked128.withUnsafeBytes { try decoder.decode($0) })
        }
    }
    Benchmark("chunk decode 20 KB at 60000") { benchmark in
        for _ in benchmark.scaledIterations {
            var decoder = ChunkDecoder()
            try decoder.setChunkSize(60000)
            blackHole(try chunked60000.withUnsafeBytes { try decoder.decode($0) })
        }
    }

    // The ring: one publisher append, one player batch read of 64 messages.
    let payload = [UInt8](repeating: 0xAA, count: 400)
    Benchmark("ring append + read 64", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let ring = MessageRing(limits: .init(maxSpanMs: 30_000, keepLastGOP: true, maxMessages: 16384, maxBytes: 1 << 28))
        var batch: [SharedMessage] = []
        batch.reserveCapacity(64)
        var cursor = 0
        var timestamp: Int64 = 0
        for _ in benchmark.scaledIterations {
            for _ in 0..<64 {
                timestamp += 15
                ring.append(SharedMessage(kind: .audio, timestamp: timestamp, payload: payload))
            }
            batch.removeAll(keepingCapacity: true)
            cursor = ring.read(from: cursor, maxCount: 64, into: &batch).nextCursor
            blackHole(batch)
        }
    }

    // Chunk headers of a 256-message batch into one scratch buffer (what a player's writev needs).
    Benchmark("chunk headers for 256 messages") { benchmark in
        var scratch: [UInt8] = []
        scratch.reserveCapacity(256 * 16)
        for _ in benchmark.scaledIterations {
            scratch.removeAll(keepingCapacity: true)
            for index in 0..<256 {
                ChunkEncoder.writeMessageHeader(into: &scratch, csid: 6, timestamp: Int64(index * 40), length: 3000, typeId: 9, streamId: 1)
            }
            blackHole(scratch)
        }
    }

    Benchmark("FLV tag headers for 256 messages") { benchmark in
        for _ in benchmark.scaledIterations {
            var total = 0
            for index in 0..<256 { total += FLV.tagHeader(type: 9, dataSize: 3000, timestamp: Int64(index * 40)).count }
            blackHole(total)
        }
    }

    // MPEG-TS: a 5 KB video frame and a 2.9 KB audio PES.
    let frame = [UInt8](repeating: 0x41, count: 5000)
    let audio = [UInt8](repeating: 0x21, count: 2930)
    Benchmark("TS mux 5 KB video frame") { benchmark in
        var muxer = TSMuxer(video: .h264, audio: .aac)
        var pts: Int64 = 0
        for _ in benchmark.scaledIterations {
            pts += 3600
            blackHole(muxer.writeVideo(frame, pts: pts, dts: pts, isKeyframe: false))
        }
    }
    Benchmark("TS mux 2.9 KB audio PES") { benchmark in
        var muxer = TSMuxer(video: .h264, audio: .aac)
        var pts: Int64 = 0
        for _ in benchmark.scaledIterations {
            pts += 1920
            blackHole(muxer.writeAudio(audio, pts: pts))
        }
    }
}
