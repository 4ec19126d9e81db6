import SRSConfig
import SRSIO
import Synchronization

/// The server's per-loop bookkeeping: the connections pinned to the loop, scanned once a
/// second by the loop's timer for timeouts and periodic statistics.
final class LoopContext: @unchecked Sendable {
    let loop: EventLoop
    unowned let server: Server
    // Loop-confined.
    private(set) var connections: [ObjectIdentifier: any ServerClient] = [:]
    private var lastScan: Int64 = 0

    init(loop: EventLoop, server: Server) {
        self.loop = loop
        self.server = server
    }

    /// Installs the scan on the loop's timer. Call once.
    func start() {
        loop.execute { [self] in
            loop.addTickHandler { [unowned self] in self.tick() }
        }
    }

    func add(_ connection: any ServerClient) { connections[ObjectIdentifier(connection)] = connection }
    func remove(_ connection: any ServerClient) { connections[ObjectIdentifier(connection)] = nil }

    private func tick() {
        let now = loop.now
        guard now - lastScan >= 1000 else { return }
        lastScan = now
        for connection in Array(connections.values) { connection.checkTimeouts(now: now) }
        server.pithy.report(connections: connections.values, now: now)
    }

    /// A reload installed `config`: each connection checks what concerns it.
    func reloaded(_ config: ServerConfig) {
        for connection in Array(connections.values) { connection.reloaded(config) }
    }

    /// Closes every connection of the loop (quit).
    func closeAll(_ reason: String) {
        for connection in Array(connections.values) { connection.close(reason) }
    }
}

/// SRS's "pithy print": periodic statistics lines, at most one per kind of client per
/// `pithy_print_ms`, however many clients there are.
final class PithyPrint: Sendable {
    private let intervalMs: Atomic<Int64>
    private let lastPublisherLine = Atomic<Int64>(0)
    private let lastPlayerLine = Atomic<Int64>(0)

    init(intervalMs: Int) { self.intervalMs = Atomic(Int64(intervalMs)) }

    func setInterval(_ milliseconds: Int) { intervalMs.store(Int64(milliseconds), ordering: .relaxed) }

    func report<C: Collection>(connections: C, now: Int64) where C.Element == any ServerClient {
        let interval = intervalMs.load(ordering: .relaxed)
        var publisherDue = claim(lastPublisherLine, now: now, interval: interval)
        var playerDue = claim(lastPlayerLine, now: now, interval: interval)
        guard publisherDue || playerDue else { return }
        for connection in connections {
            guard let line = connection.pithyLine else { continue }
            if line.hasPrefix("<-") && publisherDue {
                log.trace(connection.id, line)
                publisherDue = false
            } else if line.hasPrefix("->") && playerDue {
                log.trace(connection.id, line)
                playerDue = false
            }
            if !publisherDue && !playerDue { break }
        }
    }

    private func claim(_ last: borrowing Atomic<Int64>, now: Int64, interval: Int64) -> Bool {
        let previous = last.load(ordering: .relaxed)
        guard now - previous >= interval else { return false }
        return last.compareExchange(expected: previous, desired: now, ordering: .relaxed).exchanged
    }
}
