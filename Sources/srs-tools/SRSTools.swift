import ArgumentParser

/// srs-tools: small programs over the client library (SRS shipped them beside srs-librtmp).
@main
struct SRSTools: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "srs-tools",
        abstract: "RTMP tools over SwiftSRS's client library.",
        discussion: """
            Each tool is a client of any RTMP server (SwiftSRS, SRS, nginx-rtmp, ...):
              srs-tools dump -u rtmp://127.0.0.1/live/livestream -o out.flv -d 10
              srs-tools ingest -i in.flv -u rtmp://127.0.0.1/live/livestream
              srs-tools print -u rtmp://127.0.0.1/live/livestream -d 5
              srs-tools publish-raw --h264 in.h264 --aac in.aac --fps 25 -u rtmp://127.0.0.1/live/livestream
            """,
        subcommands: [DumpCommand.self, IngestCommand.self, PrintCommand.self, PublishRawCommand.self])
}
