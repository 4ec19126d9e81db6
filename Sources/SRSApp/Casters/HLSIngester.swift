import SRSConfig
import SRSHLS
import SRSHTTP
import SRSIO
import SRSKernel
import SRSRTMP

/// An ingest of `input { type hls; url ...m3u8; }`: the server's own HTTP client reads the
/// live playlist (a master playlist's first variant), downloads each new segment once, demuxes
/// it with the same `TSDemuxer` as the UDP caster and publishes it in-process through
/// admission and the gate, paced at real time. A first playlist starts at its last
/// `AppTuning.hlsIngestStartSegments` segments; a discontinuity continues the timeline. A
/// segment is fetched once less than `hlsIngestPrefetchTargets` target durations wait, so
/// what is held stays bounded. The publish ends after `casterIdleMs` without media; a
/// failing source is asked again with backoff. Confined to its loop.
final class HLSIngester: @unchecked Sendable {
    let label: String
    private unowned let server: Server
    private let loop: EventLoop
    private let request: StreamRequest
    private var playlistURL: String
    private var stopped = false

    // Segments.
    private var lastSequence: Int?
    private var queue: [(url: String, discontinuity: Bool, sequence: Int)] = []
    private var fetching = false
    private var targetDurationMs = 2000
    private var failures = 0
    /// Master playlists followed in a row (one leading to another is refused after a few).
    private var masterHops = 0

    // Media.
    private var demuxer = TSDemuxer()
    private var timelineOffset: Int64 = 0
    private var lastTimestamp: Int64 = 0
    private var pending: [DemuxedMessage] = []
    private var pace: (wall: Int64, timestamp: Int64)?
    private var lastMediaAt: Int64 = 0
    private var publication: CasterPublication?
    private var publishing = false
    private var refusedUntil: Int64 = 0
    /// Messages published, for the log.
    private var published = 0

    init(label: String, url: String, output: String, server: Server, loop: EventLoop) {
        self.label = label
        self.server = server
        self.loop = loop
        playlistURL = url
        request = CasterPublication.request(output: output)
    }

    func start() {
        loop.execute { [self] in
            log.trace(Server.serverContextId, "\(label): pulls HLS \(playlistURL), publishes \(request.streamURL)")
            fetchPlaylist()
            tick()
        }
    }

    func stop() {
        loop.execute { [self] in
            stopped = true
            endPublish("ingest stopped")
        }
    }

    // MARK: Playlist

    private func fetchPlaylist() {
        guard !stopped else { return }
        HTTPFetch.start(method: "GET", url: playlistURL, maxBodyBytes: AppTuning.hlsIngestMaxPlaylistBytes, timeoutMs: AppTuning.hlsIngestRequestTimeoutMs,
                        loop: loop, connector: server.connector) { [self] result in
            guard !stopped else { return }
            switch result {
            case .success(let response) where response.status == 200:
                do {
                    let playlist = try HLSPlaylistReader(parsing: String(decoding: response.body, as: UTF8.self))
                    failures = 0
                    read(playlist)
                } catch {
                    retryPlaylist("\(playlistURL): \(error)")
                }
            case .success(let response):
                retryPlaylist("\(playlistURL): HTTP \(response.status)")
            case .failure(let failure):
                retryPlaylist("\(playlistURL): \(failure)")
            }
        }
    }

    private func retryPlaylist(_ why: String) {
        failures += 1
        let delay = min(AppTuning.hlsIngestRetryMinMs << min(failures - 1, 5), AppTuning.hlsIngestRetryMaxMs)
        if failures == 1 || failures % 10 == 0 { log.warn(Server.serverContextId, "\(label): \(why); again in \(delay) ms") }
        loop.schedule(afterMilliseconds: delay) { [weak self] in self?.fetchPlaylist() }
    }

    private func read(_ playlist: HLSPlaylistReader) {
        if playlist.segments.isEmpty, let variant = playlist.variants.first {
            masterHops += 1
            guard masterHops <= AppTuning.hlsIngestMaxMasterHops else {
                masterHops = 0
                retryPlaylist("\(playlistURL): master playlists lead to master playlists (\(AppTuning.hlsIngestMaxMasterHops) hops)")
                return
            }
            playlistURL = HLSPlaylistReader.resolve(variant.uri, against: playlistURL)
            log.trace(Server.serverContextId, "\(label): master playlist, pulls its first variant \(playlistURL)")
            fetchPlaylist()
            return
        }
        masterHops = 0
        if playlist.targetDuration > 0 { targetDurationMs = Int(playlist.targetDuration * 1000) }
        if let newest = playlist.segments.last?.sequence, let last = lastSequence, newest < last {
            log.warn(Server.serverContextId, "\(label): the media sequence went back from \(last) to \(newest) (the origin restarted?); following it")
            lastSequence = nil
            queue = []
        }
        var fresh = playlist.segments.filter { segment in lastSequence.map { segment.sequence > $0 } ?? true }
        if lastSequence == nil { fresh = Array(fresh.suffix(AppTuning.hlsIngestStartSegments)) }
        if let last = lastSequence, let first = playlist.segments.first, first.sequence > last + 1 {
            log.warn(Server.serverContextId, "\(label): segments \(last + 1)..<\(first.sequence) left the playlist before they were fetched")
        }
        for segment in fresh {
            queue.append((HLSPlaylistReader.resolve(segment.uri, against: playlistURL), segment.discontinuity || lastSequence == nil && segment == fresh.first,
                          segment.sequence))
            lastSequence = segment.sequence
        }
        if queue.count > AppTuning.hlsIngestMaxQueuedSegments {
            let dropped = queue.count - AppTuning.hlsIngestMaxQueuedSegments
            log.warn(Server.serverContextId, "\(label): \(dropped) segments skipped, \(AppTuning.hlsIngestMaxQueuedSegments) wait already")
            queue.removeFirst(dropped)
            queue[0].discontinuity = true
        }
        fetchSegmentIfRoom()
        // RFC 8216 6.3.4: reload after the target duration, or half of it when nothing changed.
        let delay = playlist.ended ? max(targetDurationMs, 1000) : (fresh.isEmpty ? targetDurationMs / 2 : targetDurationMs)
        loop.schedule(afterMilliseconds: max(delay, 200)) { [weak self] in self?.fetchPlaylist() }
    }

    // MARK: Segments

    /// Fetches the next segment while less than the prefetch window of media waits.
    private func fetchSegmentIfRoom() {
        guard !fetching, !stopped, let next = queue.first, pending.count < AppTuning.hlsIngestMaxPendingMessages else { return }
        if let first = pending.first, let last = pending.last,
           last.timestamp - first.timestamp > Int64(targetDurationMs) * Int64(AppTuning.hlsIngestPrefetchTargets) { return }
        queue.removeFirst()
        fetching = true
        HTTPFetch.start(method: "GET", url: next.url, maxBodyBytes: AppTuning.hlsIngestMaxSegmentBytes,
                        timeoutMs: max(AppTuning.hlsIngestRequestTimeoutMs, min(3 * targetDurationMs, 60_000)), loop: loop, connector: server.connector) { [self] result in
            fetching = false
            guard !stopped else { return }
            switch result {
            case .success(let response) where response.status == 200:
                demux(response.body, discontinuity: next.discontinuity)
            case .success(let response):
                log.warn(Server.serverContextId, "\(label): segment \(next.sequence) \(next.url): HTTP \(response.status); skipped")
            case .failure(let failure):
                log.warn(Server.serverContextId, "\(label): segment \(next.sequence) \(next.url): \(failure); skipped")
            }
            fetchSegmentIfRoom()
        }
    }

    private func demux(_ bytes: [UInt8], discontinuity: Bool) {
        if discontinuity && published + pending.count > 0 {
            // A new timeline: continue one frame after the last timestamp.
            demuxer = TSDemuxer()
            timelineOffset = lastTimestamp + 40
        }
        var messages = demuxer.feed(bytes)
        messages += demuxer.flush()
        if messages.count > AppTuning.hlsIngestMaxPendingMessages {
            log.warn(Server.serverContextId, "\(label): a segment of \(messages.count) messages; the first \(AppTuning.hlsIngestMaxPendingMessages) kept")
            messages.removeLast(messages.count - AppTuning.hlsIngestMaxPendingMessages)
        }
        for index in messages.indices {
            messages[index].timestamp += timelineOffset
            lastTimestamp = max(lastTimestamp, messages[index].timestamp)
        }
        pending = Self.merged(pending, Self.timeOrdered(messages))
    }

    /// Segments carry audio late (muxers gather several frames per PES, ~0.5 s behind the
    /// video), often into the next segment: the queue is kept in timestamp order, so players
    /// get the tracks interleaved as an RTMP publisher sends them (a jump of more than 250 ms
    /// between messages would be smoothed away by the players' time_jitter). Stable: a
    /// sequence header stays before the frame of its timestamp.
    private static func timeOrdered(_ messages: [DemuxedMessage]) -> [DemuxedMessage] {
        messages.enumerated().sorted { ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset) }.map(\.element)
    }

    /// Two time-ordered lists as one; on equal timestamps `first`'s messages go first.
    private static func merged(_ first: [DemuxedMessage], _ second: [DemuxedMessage]) -> [DemuxedMessage] {
        guard let firstLast = first.last, let secondFirst = second.first, secondFirst.timestamp < firstLast.timestamp else { return first + second }
        var out: [DemuxedMessage] = []
        out.reserveCapacity(first.count + second.count)
        var i = 0
        var j = 0
        while i < first.count && j < second.count {
            if second[j].timestamp < first[i].timestamp {
                out.append(second[j])
                j += 1
            } else {
                out.append(first[i])
                i += 1
            }
        }
        return out + first[i...] + second[j...]
    }

    // MARK: Publishing, paced

    /// Every `hlsIngestTickMs`: hands over the messages that are due, starts or ends the publish.
    private func tick() {
        guard !stopped else { return }
        let now = loop.now
        if !pending.isEmpty {
            lastMediaAt = now
            release(now: now)
        } else if publishing && now - lastMediaAt > Int64(AppTuning.casterIdleMs) {
            endPublish("no media for \(AppTuning.casterIdleMs) ms")
        }
        fetchSegmentIfRoom()
        loop.schedule(afterMilliseconds: AppTuning.hlsIngestTickMs) { [weak self] in self?.tick() }
    }

    private func release(now: Int64) {
        guard publishing else {
            if publication == nil && now >= refusedUntil { admit() }
            return
        }
        guard let first = pending.first, let last = pending.last else { return }
        // A late start or a stall: the pace starts again from the next message, once a target
        // duration of media waits (the next segment's early audio then comes in time), or
        // nothing more is on its way.
        if pace == nil || first.timestamp - pace!.timestamp + pace!.wall < now - Int64(targetDurationMs) {
            let buffered = last.timestamp - first.timestamp >= Int64(targetDurationMs)
            guard buffered || queue.isEmpty && !fetching else {
                pace = nil
                return
            }
            pace = (now, first.timestamp)
        }
        let due = pending.prefix { $0.timestamp - pace!.timestamp + pace!.wall <= now }
        guard !due.isEmpty else { return }
        pending.removeFirst(due.count)
        published += due.count
        publication?.submit(due.map(SharedMessage.init))
    }

    private func admit() {
        let publication = CasterPublication(server: server, loop: loop, id: server.newContextId(), ip: "127.0.0.1", request: request)
        self.publication = publication
        publication.start { [self] result in
            guard self.publication === publication, !stopped else { return }
            switch result {
            case .success(let source):
                log.trace(publication.id, "\(label): publish \(source.key) from \(playlistURL)")
                publishing = true
                pace = nil
            case .failure(let refusal):
                log.warn(publication.id, "\(label): publish refused (\(refusal)); retrying in \(AppTuning.casterRetryMs) ms")
                self.publication = nil
                pending = []
                refusedUntil = loop.now + Int64(AppTuning.casterRetryMs)
            }
        }
    }

    private func endPublish(_ reason: String) {
        if let publication {
            log.trace(publication.id, "\(label): unpublish \(publication.streamName) after \(published) messages: \(reason)")
            publication.end()
        }
        publication = nil
        publishing = false
        pace = nil
    }
}
