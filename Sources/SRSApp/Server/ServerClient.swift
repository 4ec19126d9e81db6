import SRSConfig
/// A connection the server tracks per loop (RTMP or HTTP): scanned once a second for
/// timeouts and periodic statistics. Confined to its loop.
protocol ServerClient: AnyObject {
    var id: Int { get }
    func checkTimeouts(now: Int64)
    /// A line for the periodic statistics ("<- ..." for publishers, "-> ..." for players).
    var pithyLine: String? { get }
    func close(_ reason: String)
    /// A reload installed `config`; called on the client's loop.
    func reloaded(_ config: ServerConfig)
}
