import SRSKernel

/// Frames of raw elementary-stream files, with the times a publisher sends them at: H.264
/// Annex B (.h264) at a frame rate, AAC in ADTS (.aac) at 1024 samples a frame.
public enum RawMediaFile {
    /// One H.264 frame: its NAL units as Annex B bytes, and its times (ms).
    public struct VideoFrame: Sendable {
        public var annexB: [UInt8]
        public var dts: UInt32
        public var pts: UInt32
    }

    /// One ADTS frame (header included) and its time (ms).
    public struct AudioFrame: Sendable {
        public var adts: [UInt8]
        public var timestamp: UInt32
    }

    /// The access units of an Annex B stream at `fps` (B-frames get their presentation times
    /// from the picture order counts).
    public static func h264Frames(_ bytes: [UInt8], fps: Double) -> [VideoFrame] {
        let units = AVCNALUnits.accessUnits(AVCNALUnits.annexBUnits(bytes[...]))
        let times = H264FrameTiming.timestamps(units, frameDurationMs: 1000 / max(1, fps))
        return zip(units, times).map { unit, time in
            VideoFrame(annexB: AVCNALUnits.annexB(nalUnits: unit), dts: UInt32(clamping: time.dts), pts: UInt32(clamping: time.pts))
        }
    }

    /// The ADTS frames of an AAC stream, each 1024 samples after the one before; stops at the
    /// first bytes that are not a whole frame.
    public static func adtsFrames(_ bytes: [UInt8]) -> [AudioFrame] {
        var frames: [AudioFrame] = []
        var index = 0
        var samples: Int64 = 0
        while let header = ADTSHeader(bytes[...], at: index) {
            let length = header.frameLength
            frames.append(AudioFrame(adts: Array(bytes[index..<(index + length)]), timestamp: UInt32(clamping: samples * 1000 / Int64(header.sampleRate))))
            samples += 1024
            index += length
        }
        return frames
    }
}
