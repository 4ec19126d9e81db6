import SRSIO
import SRSKernel

/// The UDP ports of `rtp_port_min`...`rtp_port_max` that RTSP clients' tracks take: an even
/// RTP port and the odd RTCP port above it, bound together, tried from where the last search
/// stopped so that ports just released are taken last.
final class RTPPortPool: Sendable {
    let range: ClosedRange<Int>
    private let cursor: LockedValue<Int>

    init(min: Int, max: Int) {
        let low = min + min % 2
        range = low...Swift.max(low + 1, max)
        cursor = LockedValue(low)
    }

    /// Binds a free pair on `loop`, reading only datagrams from `peer`; nil when every pair is
    /// taken. The receivers are not started.
    func bind(peer: String, loop: EventLoop, onRTP: @escaping ([[UInt8]]) -> Void,
              onRTCP: @escaping ([[UInt8]]) -> Void) -> (rtp: UDPReceiver, rtcp: UDPReceiver)? {
        let pairs = (range.upperBound - range.lowerBound + 1) / 2
        for _ in 0..<pairs {
            let port = cursor.withLock { next -> Int in
                let port = next
                next = port + 2 > range.upperBound - 1 ? range.lowerBound : port + 2
                return port
            }
            guard let rtp = try? UDPReceiver(host: "", port: port, loop: loop, acceptingOnlyFrom: peer, onDatagrams: onRTP) else { continue }
            guard let rtcp = try? UDPReceiver(host: "", port: port + 1, loop: loop, acceptingOnlyFrom: peer, onDatagrams: onRTCP) else {
                rtp.close()
                continue
            }
            return (rtp, rtcp)
        }
        return nil
    }
}
