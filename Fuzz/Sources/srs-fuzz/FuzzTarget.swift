import SRSConfig
import SRSHLS
import SRSHTTP
import SRSKernel
import SRSRTMP
import SRSRTSP
import SRSTLS

/// One parser under fuzzing: takes arbitrary bytes and must never crash, hang or leak;
/// errors are the expected answer to garbage.
enum FuzzTarget: String, CaseIterable {
    /// A whole server-side RTMP session: handshake, chunk stream, AMF0 commands, media; every
    /// connect, publish and play is accepted so the fuzzer reaches the later states.
    case rtmpServer = "rtmp-server"
    /// The client side (what an edge or a forward reads from an origin).
    case rtmpClient = "rtmp-client"
    /// AMF0 values alone.
    case amf0
    /// FLV files and their tags, then the codec parsers and the MPEG-TS, fragmented MP4 and HDS
    /// muxers behind them; what DVR reads of a file it appends to (its head and last tag) and
    /// of metadata; what `?start=` seeking reads of a file (its head, a tag at an offset).
    case flv
    /// HTTP/1.1 requests (pipelined), then what the server derives from each one: query
    /// values, byte ranges, the static file path, dates.
    case httpRequest = "http-request"
    /// HTTP/1.x responses (callback servers).
    case httpResponse = "http-response"
    /// Config files.
    case config
    /// What a TLS server (an https:// callback) answers the client side.
    case tlsClient = "tls-client"
    /// MPEG-TS (UDP casters, HLS ingest) in two slices.
    case ts
    /// What an RTSP pushing client sends on its connection: requests (an ANNOUNCE's SDP
    /// among them) and interleaved RTP/RTCP, through the whole push session, every SETUP
    /// given UDP ports and every RECORD admitted.
    case rtsp
    /// HLS playlists an ingester reads, and the URIs it resolves.
    case m3u8
    /// Raw elementary streams a client publishes (srs-tools publish-raw, the C API): H.264
    /// Annex B through access-unit splitting, slice-header picture order counts and FLV
    /// packing; AAC ADTS through the FLV packer; packet descriptions of any tag body.
    case raw
    /// RTP packets (the input cut into packets by a length byte) through the H.264 and AAC
    /// depacketizers, RTCP sender reports, and the decode-time reconstruction.
    case rtp

    /// Feeds `data` to the parser. The first byte picks where the input is split in two
    /// reads, so partial reads are explored too.
    func run(_ data: UnsafeRawBufferPointer) {
        let split = data.isEmpty ? 0 : Int(data[0]) * data.count / 256
        let first = UnsafeRawBufferPointer(rebasing: data[..<split])
        let second = UnsafeRawBufferPointer(rebasing: data[split...])
        switch self {
        case .rtmpServer:
            let session = RTMPServerSession()
            for part in [first, second] {
                guard let events = try? session.receive(part) else { return }
                for event in events {
                    switch event {
                    case .connect: session.acceptConnect()
                    case .publish(let streamId, let request, _): session.acceptPublish(streamId: streamId, streamName: request.stream)
                    case .play(let streamId, let request, _, _, _): session.acceptPlay(streamId: streamId, streamName: request.stream)
                    default: break
                    }
                }
                _ = session.takeOutput()
            }
        case .rtmpClient:
            guard let session = RTMPClientSession(url: "rtmp://127.0.0.1/live/fuzz", mode: data.count % 2 == 0 ? .play : .publish) else { return }
            _ = session.start()
            for part in [first, second] {
                guard (try? session.receive(part)) != nil else { return }
                _ = session.takeOutput()
            }
        case .tlsClient:
            guard let session = try? TLSClientSession(host: data.count % 2 == 0 ? "127.0.0.1" : "hooks.example") else { return }
            guard (try? session.start()) != nil else { return }
            _ = session.takeOutput()
            for part in [first, second] {
                guard (try? session.receive(part)) != nil else { return }
                _ = session.takeOutput()
            }
        case .ts:
            var demuxer = TSDemuxer()
            _ = demuxer.feed(first)
            _ = demuxer.feed(second)
            _ = demuxer.flush()
            var datagrams = TSDemuxer()
            _ = datagrams.feed(datagram: first)
            _ = datagrams.feed(datagram: second)
        case .rtsp:
            var parser = RTSPMessageParser()
            var session = RTSPPushSession(sessionId: "FUZZ")
            var port = 10000
            _ = try? SessionDescription(parsing: Array(data.prefix(2048)))
            for part in [first, second] {
                guard let messages = try? parser.feed(part) else { return }
                for message in messages {
                    switch message {
                    case .request(let request):
                        _ = request.path
                        if case .record = session.handle(request, bindUDP: { _ in
                            port += 2
                            return (port, port + 1)
                        }) {
                            _ = session.recordDecided(status: data.count % 5 == 0 ? 403 : 200, cseq: request.cseq)
                        }
                    case .interleaved(let channel, let payload):
                        _ = session.interleaved(channel: channel, payload: payload)
                        _ = session.datagram(track: Int(channel) / 2, rtcp: channel % 2 == 1, payload)
                    }
                }
            }
            _ = session.finish()
        case .m3u8:
            guard let playlist = try? HLSPlaylistReader(parsing: String(decoding: data, as: UTF8.self)) else { return }
            for uri in playlist.segments.map(\.uri) + playlist.variants.map(\.uri) {
                _ = HLSPlaylistReader.resolve(uri, against: "http://127.0.0.1:8080/live/a.m3u8?x=1")
            }
        case .rtp:
            var h264 = H264RTPDepacketizer()
            var aac = AACRTPDepacketizer(sizeLength: 13, indexLength: 3, indexDeltaLength: 3)
            var small = AACRTPDepacketizer(sizeLength: 6, indexLength: 2, indexDeltaLength: 2)
            var reorder = DecodeTimeReconstructor<Int>(depth: 2)
            let bytes = Array(data)
            var offset = 0
            while offset < bytes.count {
                let length = Int(bytes[offset])
                let packet = Array(bytes[(offset + 1)..<min(offset + 1 + length, bytes.count)])
                offset += 1 + length
                _ = RTCPSenderReport.reports(in: packet)
                guard let rtp = RTPPacket(parsing: packet) else { continue }
                for unit in h264.feed(rtp) { _ = reorder.push(unit.units.count, pts: Int64(unit.timestamp)) }
                _ = aac.feed(rtp)
                _ = small.feed(rtp)
            }
            _ = reorder.flush()
        case .amf0:
            _ = try? AMF0Decoder.decodeAll(Array(data))
        case .raw:
            let bytes = Array(data)
            let units = AVCNALUnits.accessUnits(AVCNALUnits.annexBUnits(bytes[...]))
            _ = H264FrameTiming.timestamps(units, frameDurationMs: 40)
            var packer = AVCFLVPacker()
            for unit in units.prefix(64) { _ = packer.pack(units: unit, timestamp: 0, compositionTime: 0) }
            var adts = ADTSFLVPacker()
            _ = adts.pack(bytes[...], timestamp: 0)
            for type: UInt8 in [8, 9, 18] { _ = PacketDescription.describe(type: type, timestamp: 0, payload: second) }
        case .flv:
            _ = FLVRecording.lastTimestamp(tail: Array(data))
            _ = FLVRecording.isPatchable(Array(data))
            _ = FLVRecording.start(metadata: Array(second), hasAudio: true, hasVideo: true)
            _ = FLVFileSeek.startBytes(fileStart: Array(data))
            _ = FLVFileSeek.isTag(header: Array(first), previousTagSize: Array(second.prefix(4)), offset: split, fileSize: data.count)
            var stream = FLVStreamReader()
            _ = try? stream.feed(first)
            _ = try? stream.feed(second)
            guard let tags = try? FLV.parseFile(Array(data)) else { return }
            let converter = FLVToTSConverter()
            converter.configure(hasVideo: true, audio: .aac)
            var mp4 = FragmentedMP4Muxer(expectsVideo: true, expectsAudio: data.count % 3 == 0, waitForTracksMs: 500, maxFragmentBytes: 1 << 16)
            var hds = HDSFragmenter(fragmentSeconds: 0.05, windowSeconds: 0.2, maxFragmentBytes: 1 << 16)
            for tag in tags {
                guard let kind = MediaKind(rawValue: tag.type) else { continue }
                let message = SharedMessage(kind: kind, timestamp: Int64(tag.timestamp), payload: tag.body)
                _ = CodecInfo.audioCodec(message.payload)
                _ = StreamMetadata(payload: message.payload)
                _ = converter.convert(message, timestamp: message.timestamp)
                _ = mp4.append(kind: kind, timestamp: message.timestamp, payload: message.payload)
                if hds.add(message, timestamp: message.timestamp) != nil { _ = hds.bootstrap() }
            }
            _ = hds.flush()
            _ = converter.flushAudio()
            _ = mp4.finish()
        case .httpRequest:
            var parser = HTTPRequestParser()
            for part in [first, second] {
                guard let requests = try? parser.feed(part) else { return }
                // What the server does next with each request's client-chosen fields.
                for request in requests {
                    _ = request.queryValue("count")
                    _ = request.queryValue("callback")
                    _ = ByteRangeRequest.parse(request.headers["Range"], size: 1000)
                    _ = ByteRangeRequest.parse(request.headers["Range"], size: 0)
                    _ = StaticPath.resolve(root: "/srv/www", requestPath: request.path)
                    _ = request.headers["If-Modified-Since"].flatMap(HTTPDate.parse)
                }
            }
            var streaming = HTTPRequestParser(streamsBodies: true)
            for part in [first, second] {
                guard (try? streaming.feedStreaming(part)) != nil else { break }
            }
        case .httpResponse:
            var parser = HTTPResponseParser(maxBodyBytes: 64 * 1024)
            for part in [first, second] {
                parser.append(part)
                while let response = try? parser.next() { _ = response }
            }
            _ = try? parser.finish()
        case .config:
            _ = try? ServerConfig.parse(text: String(decoding: data, as: UTF8.self), file: "fuzz.conf")
        }
    }
}
