import ArgumentParser
import SRSClient

/// Plays an RTMP stream into an FLV file (SRS's srs_rtmp_dump).
struct DumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dump", abstract: "Play an RTMP stream into an FLV file.")

    @Option(name: .customShort("u"), help: "The stream: rtmp://host[:port]/app/stream.")
    var url: String

    @Option(name: .customShort("o"), help: "The FLV file to write.")
    var output: String

    @Option(name: .customShort("d"), help: "Stop after this many seconds (default: when the stream ends).")
    var seconds: Double?

    func run() throws {
        let client = try RTMPClient.play(url: url)
        let file = try FLVFileWriter(path: output)
        try file.writeHeader()
        let pacer = Pacer()
        var packets = 0
        // A stream that never starts, or pauses, still ends the run at -d.
        while let packet = try client.readPacket(waitingAtMost: pacer.remainingMs(of: seconds)) {
            // Audio, video and onMetaData: other script data (|RtmpSampleAccess) is for Flash.
            guard let kept = packet.type == 18 ? packet.metadataForFile : (packet.type == 8 || packet.type == 9 ? packet : nil) else { continue }
            try file.writeTag(kept)
            packets += 1
        }
        file.close()
        client.close()
        print("dumped \(packets) packets of \(url) to \(output)")
    }
}
