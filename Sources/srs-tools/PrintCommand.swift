import ArgumentParser
import SRSClient

/// Prints the packets of an RTMP stream, one line each.
struct PrintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "print", abstract: "Print the packets of an RTMP stream, one line each.")

    @Option(name: .customShort("u"), help: "The stream: rtmp://host[:port]/app/stream.")
    var url: String

    @Option(name: .customShort("d"), help: "Stop after this many seconds (default: when the stream ends).")
    var seconds: Double?

    @Option(name: .customShort("n"), help: "Stop after this many packets.")
    var count: Int?

    func run() throws {
        let client = try RTMPClient.play(url: url)
        let pacer = Pacer()
        var printed = 0
        while count.map({ printed < $0 }) ?? true, let packet = try client.readPacket(waitingAtMost: pacer.remainingMs(of: seconds)) {
            print(packet.description)
            printed += 1
        }
        client.close()
    }
}
