import Foundation
import SRSConfig

/// The ffmpeg command lines SRS builds for transcode and ingest (SRS 2.0's
/// SrsFFMPEG::start, srs_app_ffmpeg.cpp), argument for argument.
struct FFmpegCommand: Equatable {
    var argv: [String]

    /// Transcoding `input` (the stream, read back from this server) with `engine` to `output`.
    static func transcode(ffmpeg: String, engine: FFmpegEngineConfig, input: String, output: String) -> FFmpegCommand {
        // SRS passes -f iformat only for rtmp:// inputs (srs issue 290).
        let iformat = input.hasPrefix("rtmp://") ? engine.iformat : ""
        return build(ffmpeg: ffmpeg, inputOptions: engine.perfile, iformat: iformat, input: input, engine: engine, vcodec: engine.vcodec,
                     acodec: engine.acodec, oformat: engine.oformat, output: output)
    }

    /// Ingesting `input` (a file at real-time pace, or a stream) with `engine` to `output`: a
    /// disabled engine, or one without both codecs, copies (SRS's initialize_copy).
    static func ingest(ffmpeg: String, type: IngestConfig.InputType, engine: FFmpegEngineConfig, input: String, output: String) -> FFmpegCommand {
        let copies = !engine.enabled || engine.vcodec.isEmpty || engine.acodec.isEmpty
        let inputOptions = (type == .file ? ["-re"] : []) + engine.perfile
        let iformat = !copies && input.hasPrefix("rtmp://") ? engine.iformat : ""
        return build(ffmpeg: ffmpeg, inputOptions: inputOptions, iformat: iformat, input: input, engine: copies ? FFmpegEngineConfig() : engine,
                     vcodec: copies ? FFmpegEngineConfig.copy : engine.vcodec, acodec: copies ? FFmpegEngineConfig.copy : engine.acodec,
                     oformat: "flv", output: output)
    }

    private static func build(ffmpeg: String, inputOptions: [String], iformat: String, input: String, engine: FFmpegEngineConfig,
                              vcodec: String, acodec: String, oformat: String, output: String) -> FFmpegCommand {
        var argv = [ffmpeg] + inputOptions
        if !iformat.isEmpty && iformat != "off" { argv += ["-f", iformat] }
        argv += ["-i", input]
        argv += engine.vfilter
        argv += vcodec == FFmpegEngineConfig.noVideo ? ["-vn"] : ["-vcodec", vcodec]
        if vcodec != FFmpegEngineConfig.copy && vcodec != FFmpegEngineConfig.noVideo {
            if engine.vbitrate > 0 { argv += ["-b:v", "\(engine.vbitrate * 1000)"] }
            if engine.vfps > 0 { argv += ["-r", String(format: "%.2f", engine.vfps)] }
            if engine.vwidth > 0 && engine.vheight > 0 {
                argv += ["-s", "\(engine.vwidth)x\(engine.vheight)", "-aspect", "\(engine.vwidth):\(engine.vheight)"]
            }
            if engine.vthreads > 0 { argv += ["-threads", "\(engine.vthreads)"] }
            argv += ["-profile:v", engine.vprofile, "-preset", engine.vpreset]
            argv += engine.vparams
        }
        argv += acodec == FFmpegEngineConfig.noAudio ? ["-an"] : ["-acodec", acodec]
        if acodec == FFmpegEngineConfig.copy {
            // Copying audio keeps only the ADTS-to-ASC filter of aparams (SRS does the same).
            var index = 0
            while index + 1 < engine.aparams.count {
                if engine.aparams[index] == "-bsf:a" && engine.aparams[index + 1] == "aac_adtstoasc" { argv += ["-bsf:a", "aac_adtstoasc"] }
                index += 2
            }
        } else if acodec != FFmpegEngineConfig.noAudio {
            if engine.abitrate > 0 { argv += ["-b:a", "\(engine.abitrate * 1000)"] }
            if engine.asampleRate > 0 { argv += ["-ar", "\(engine.asampleRate)"] }
            if engine.achannels > 0 { argv += ["-ac", "\(engine.achannels)"] }
            argv += engine.aparams
        }
        if !oformat.isEmpty && oformat != "off" { argv += ["-f", oformat] }
        argv += ["-y", output]
        return FFmpegCommand(argv: argv)
    }

    /// `template` with SRS's variables replaced.
    static func render(_ template: String, vhost: String, port: Int, app: String, stream: String, param: String = "", engine: String = "") -> String {
        template.replacingOccurrences(of: "[vhost]", with: vhost).replacingOccurrences(of: "[port]", with: "\(port)")
            .replacingOccurrences(of: "[app]", with: app).replacingOccurrences(of: "[stream]", with: stream)
            .replacingOccurrences(of: "[param]", with: param).replacingOccurrences(of: "[engine]", with: engine)
    }

    /// The app/stream an rtmp:// URL publishes to (`rtmp://host:port/app?vhost=v/stream`), if
    /// it is one.
    static func streamPath(ofRTMPURL url: String) -> String? {
        guard url.hasPrefix("rtmp://") else { return nil }
        let path = url.dropFirst(7).drop { $0 != "/" }.dropFirst()
        let parts = path.split(separator: "/", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        let app = parts[0].split(separator: "?").first.map(String.init) ?? ""
        let stream = parts[1].split(separator: "?").first.map(String.init) ?? ""
        return app.isEmpty || stream.isEmpty ? nil : "\(app)/\(stream)"
    }

    /// SRS's ffmpeg binary when it exists, else `ffmpeg` from PATH (a config written for SRS
    /// names ./objs/ffmpeg/bin/ffmpeg, which SRS builds and this server does not).
    static func binary(_ configured: String) -> String {
        if configured.contains("/") && !FileManager.default.isExecutableFile(atPath: configured) { return "ffmpeg" }
        return configured
    }
}
