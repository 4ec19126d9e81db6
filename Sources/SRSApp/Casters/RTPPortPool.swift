import SRSIO
import SRSKernel

/// The UDP ports of `rtp_port_min`...`rtp_port_max` that RTSP clients' tracks take: an even
/// RTP port and the odd RTCP port above it, bound together, tried from where the last search
/// stopped so that ports just released are taken last. The pool remembers the pairs it handed
/// out until they are released (UDP sockets are bound with SO_REUSEADDR, so a bind alone
/// would not refuse a pair another client still holds).
final class RTPPortPool: Sendable {
    private struct State {
        var cursor: Int
        var taken: Set<Int> = []
    }

    let range: ClosedRange<Int>
    private let state: LockedValue<State>

    init(min: Int, max: Int) {
        let low = min + min % 2
        range = low...Swift.max(low + 1, max)
        state = LockedValue(State(cursor: low))
    }

    /// Gives back the pair whose RTP port is `port`.
    func release(_ port: Int) {
        state.withLock { _ = $0.taken.remove(port) }
    }

    /// Binds a free pair on `loop`, reading only datagrams from `peer`; nil when every pair is
    /// taken. The receivers are not started.
    func bind(peer: String, loop: EventLoop, onRTP: @escaping ([[UInt8]]) -> Void,
              onRTCP: @escaping ([[UInt8]]) -> Void) -> (rtp: UDPReceiver, rtcp: UDPReceiver)? {
        let pairs = (range.upperBound - range.lowerBound + 1) / 2
        for _ in 0..<pairs {
            let port = state.withLock { state -> Int? in
                let port = state.cursor
                state.cursor = port + 2 > range.upperBound - 1 ? range.lowerBound : port + 2
                guard !state.taken.contains(port) else { return nil }
                state.taken.insert(port)
                return port
            }
            guard let port else { continue }
            guard let rtp = try? UDPReceiver(host: "", port: port, loop: loop, acceptingOnlyFrom: peer, onDatagrams: onRTP) else {
                release(port)
                continue
            }
            guard let rtcp = try? UDPReceiver(host: "", port: port + 1, loop: loop, acceptingOnlyFrom: peer, onDatagrams: onRTCP) else {
                rtp.close()
                release(port)
                continue
            }
            return (rtp, rtcp)
        }
        return nil
    }
}
