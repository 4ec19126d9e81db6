import ArgumentParser
import Foundation
import SRSClient

/// Publishes raw H.264 (Annex B) and AAC (ADTS) files as one stream, at real-time pace
/// (SRS's srs_h264_raw_publish and srs_aac_raw_publish together).
struct PublishRawCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "publish-raw", abstract: "Publish raw .h264 and .aac files as one RTMP stream.")

    @Option(name: .customShort("u"), help: "Where to publish: rtmp://host[:port]/app/stream.")
    var url: String

    @Option(name: .customLong("h264"), help: "An H.264 Annex B elementary stream.")
    var h264: String?

    @Option(name: .customLong("aac"), help: "An AAC ADTS stream.")
    var aac: String?

    @Option(help: "The video's frame rate.")
    var fps: Double = 25

    func validate() throws {
        if h264 == nil && aac == nil { throw ValidationError("give --h264 FILE, --aac FILE or both") }
        if fps <= 0 || fps > 240 { throw ValidationError("--fps must be in 0...240") }
    }

    func run() throws {
        let video = try h264.map { RawMediaFile.h264Frames(try Self.read($0), fps: fps) } ?? []
        let audio = try aac.map { RawMediaFile.adtsFrames(try Self.read($0)) } ?? []
        if h264 != nil && video.isEmpty { throw ValidationError("\(h264!) holds no H.264 frame") }
        if aac != nil && audio.isEmpty { throw ValidationError("\(aac!) holds no ADTS frame") }
        let client = try RTMPClient.publish(url: url)
        let pacer = Pacer()
        var nextVideo = 0
        var nextAudio = 0
        // In decode-time order, audio first on a tie.
        while nextVideo < video.count || nextAudio < audio.count {
            let takeAudio = nextAudio < audio.count && (nextVideo >= video.count || audio[nextAudio].timestamp <= video[nextVideo].dts)
            if takeAudio {
                let frame = audio[nextAudio]
                pacer.wait(until: frame.timestamp, after: 0)
                try client.writeAudioFrame(soundFormat: 10, soundRate: 3, soundSize: 1, soundType: 1, frame: frame.adts, timestamp: frame.timestamp)
                nextAudio += 1
            } else {
                let frame = video[nextVideo]
                pacer.wait(until: frame.dts, after: 0)
                try client.writeH264Frames(frame.annexB, dts: frame.dts, pts: frame.pts)
                nextVideo += 1
            }
        }
        client.close()
        print("published \(video.count) video and \(audio.count) audio frames to \(url)")
    }

    private static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
        return [UInt8](data)
    }
}
