import ArgumentParser
import SRSClient

/// Publishes an FLV file to an RTMP server at its real-time pace (SRS's srs_ingest_flv).
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ingest", abstract: "Publish an FLV file to an RTMP server at its pace.")

    @Option(name: .customShort("i"), help: "The FLV file.")
    var input: String

    @Option(name: .customShort("u"), help: "Where to publish: rtmp://host[:port]/app/stream.")
    var url: String

    @Flag(name: .long, help: "Publish the file again and again (timestamps go on).")
    var loop = false

    func run() throws {
        let client = try RTMPClient.publish(url: url)
        let pacer = Pacer()
        var base: UInt32 = 0
        var packets = 0
        repeat {
            let file = try FLVFileReader(path: input)
            _ = try file.readHeader()
            var first: UInt32?
            var last: UInt32 = 0
            while let tag = try file.readTag() {
                guard tag.type == 8 || tag.type == 9 || tag.type == 18 else { continue }
                if first == nil { first = tag.timestamp }
                var packet = tag
                // A tag older than the first (audio before the first video) is not in the past.
                packet.timestamp = base &+ UInt32(clamping: max(0, Int64(tag.timestamp) - Int64(first ?? 0)))
                pacer.wait(until: packet.timestamp, after: 0)
                try client.writePacket(packet)
                last = max(last, packet.timestamp)
                packets += 1
            }
            base = last &+ 40
        } while loop
        client.close()
        print("published \(packets) packets of \(input) to \(url)")
    }
}
