import SRSConfig
import SRSIO
import SRSKernel
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

/// SRS's "pithy print": periodic statistics lines, one per kind of client (publishers `<-`,
/// players `->`) every `pithy_print_ms`, however many clients there are (as SRS's stages). A
/// loop claims a kind's line only when it has a client of that kind, so the line comes on
/// time whichever loop the clients are on; the clients of a loop take turns (by id).
final class PithyPrint: Sendable {
    private enum Kind: Int, CaseIterable { case publisher, player }

    private struct State {
        var intervalMs: Int64
        /// Per kind: when its last line was written, and for which client.
        var lastLine: [Int64] = [0, 0]
        var lastClient: [Int] = [-1, -1]
    }

    private let state: LockedValue<State>

    init(intervalMs: Int) { state = LockedValue(State(intervalMs: Int64(intervalMs))) }

    func setInterval(_ milliseconds: Int) { state.withLock { $0.intervalMs = Int64(milliseconds) } }

    /// Called by each loop once a second with its connections; returns the lines written.
    @discardableResult
    func report<C: Collection>(connections: C, now: Int64) -> [String] where C.Element == any ServerClient {
        let due = state.withLock { state in Kind.allCases.filter { now - state.lastLine[$0.rawValue] >= state.intervalMs } }
        guard !due.isEmpty else { return [] }
        var written: [String] = []
        var candidates: [[(id: Int, line: String)]] = [[], []]
        for connection in connections {
            guard let line = connection.pithyLine else { continue }
            candidates[(line.hasPrefix("<-") ? Kind.publisher : .player).rawValue].append((connection.id, line))
        }
        for kind in due where !candidates[kind.rawValue].isEmpty {
            let sorted = candidates[kind.rawValue].sorted { $0.id < $1.id }
            let chosen = state.withLock { state -> (id: Int, line: String)? in
                let index = kind.rawValue
                guard now - state.lastLine[index] >= state.intervalMs else { return nil }  // another loop wrote it
                state.lastLine[index] = now
                let chosen = sorted.first { $0.id > state.lastClient[index] } ?? sorted[0]
                state.lastClient[index] = chosen.id
                return chosen
            }
            if let chosen {
                log.trace(chosen.id, chosen.line)
                written.append(chosen.line)
            }
        }
        return written
    }
}
