/// An H.264 sequence parameter set (ITU-T H.264 7.3.2.1.1), decoded up to and including
/// `vui_parameters_present_flag`; the VUI itself is not decoded.
public struct H264SPS: Sendable, Equatable {
    /// How picture order counts are coded (pic_order_cnt_type and its fields).
    public enum PicOrderCount: Sendable, Equatable {
        /// Type 0: POC LSBs in every slice header.
        case type0(log2MaxPicOrderCntLsb: Int)
        /// Type 1: POC derived from frame_num and a cycle of expected offsets.
        case type1(deltaPicOrderAlwaysZero: Bool, offsetForNonRefPic: Int, offsetForTopToBottomField: Int, offsetsForRefFrame: [Int])
        /// Type 2: POC follows decoding order.
        case type2

        /// pic_order_cnt_type: 0, 1 or 2.
        public var type: Int {
            switch self {
            case .type0: 0
            case .type1: 1
            case .type2: 2
            }
        }
    }

    /// nal_ref_idc of the NAL header, 0...3.
    public let nalRefIdc: UInt8
    /// profile_idc, for example 66 Baseline, 77 Main, 100 High.
    public let profileIdc: UInt8
    /// The byte holding constraint_set0_flag (bit 7) to constraint_set5_flag (bit 2).
    public let constraintFlags: UInt8
    /// level_idc, ten times the level number (31 is level 3.1).
    public let levelIdc: UInt8
    /// seq_parameter_set_id, 0...31.
    public let seqParameterSetId: Int
    /// chroma_format_idc: 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4 (1 unless a High profile says otherwise).
    public let chromaFormatIdc: Int
    /// separate_colour_plane_flag (4:4:4 coded as three monochrome planes).
    public let separateColourPlane: Bool
    /// Luma sample bit depth, bit_depth_luma_minus8 + 8.
    public let bitDepthLuma: Int
    /// Chroma sample bit depth, bit_depth_chroma_minus8 + 8.
    public let bitDepthChroma: Int
    /// qpprime_y_zero_transform_bypass_flag.
    public let transformBypass: Bool
    /// seq_scaling_matrix_present_flag (the lists themselves are skipped).
    public let hasScalingMatrix: Bool
    /// log2_max_frame_num_minus4 + 4, 4...16.
    public let log2MaxFrameNum: Int
    /// pic_order_cnt_type and its fields.
    public let picOrderCount: PicOrderCount
    /// max_num_ref_frames.
    public let maxNumRefFrames: Int
    /// gaps_in_frame_num_value_allowed_flag.
    public let gapsInFrameNumAllowed: Bool
    /// pic_width_in_mbs_minus1 + 1.
    public let widthInMacroblocks: Int
    /// pic_height_in_map_units_minus1 + 1 (map units are field macroblock pairs when not frame_mbs_only).
    public let heightInMapUnits: Int
    /// frame_mbs_only_flag: false for interlaced (field or MBAFF) coding.
    public let frameMbsOnly: Bool
    /// mb_adaptive_frame_field_flag (false when frame_mbs_only).
    public let mbAdaptiveFrameField: Bool
    /// direct_8x8_inference_flag.
    public let direct8x8Inference: Bool
    /// frame_crop_left/right/top/bottom_offset, in crop units; all 0 without frame_cropping_flag.
    public let cropLeft: Int, cropRight: Int, cropTop: Int, cropBottom: Int
    /// vui_parameters_present_flag.
    public let vuiParametersPresent: Bool

    /// Width in pixels after frame cropping.
    public let width: Int
    /// Height in pixels after frame cropping.
    public let height: Int

    /// The profiles whose SPS carries chroma format, bit depths and scaling matrices.
    public static let highProfileIdcs: Set<UInt8> = [100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]

    /// constraint_set0_flag ... constraint_set5_flag, by index 0...5.
    public func constraintSet(_ index: Int) -> Bool {
        (0...5).contains(index) && constraintFlags & (0x80 >> UInt8(index)) != 0
    }

    /// pic_order_cnt_type.
    public var picOrderCntType: Int { picOrderCount.type }

    /// The profile's name, for example "Constrained Baseline", "Main", "High", "High 4:2:2 Intra".
    public var profileName: String {
        let intra = constraintSet(3)
        switch profileIdc {
        case 66: return constraintSet(1) ? "Constrained Baseline" : "Baseline"
        case 77: return "Main"
        case 88: return "Extended"
        case 100: return "High"
        case 110: return intra ? "High 10 Intra" : "High 10"
        case 122: return intra ? "High 4:2:2 Intra" : "High 4:2:2"
        case 244: return intra ? "High 4:4:4 Intra" : "High 4:4:4"
        case 144: return "High 4:4:4"
        case 44: return "CAVLC 4:4:4 Intra"
        case 83: return "Scalable Baseline"
        case 86: return "Scalable High"
        case 118: return "Multiview High"
        case 128: return "Stereo High"
        case 138: return "Multiview Depth High"
        case 139: return "Enhanced Multiview Depth High"
        case 134: return "MFC High"
        case 135: return "MFC Depth High"
        default: return "Unknown (\(profileIdc))"
        }
    }

    /// The level's name: "3.1" for level_idc 31, "3" for 30, and "1b" for level_idc 9 or for
    /// level_idc 11 with constraint_set3_flag in the Baseline, Main and Extended profiles.
    public var levelName: String { Self.levelName(levelIdc: levelIdc, profileIdc: profileIdc, constraintSet3: constraintSet(3)) }

    /// The level name for a level_idc in a profile (see `levelName`).
    public static func levelName(levelIdc: UInt8, profileIdc: UInt8, constraintSet3: Bool) -> String {
        if levelIdc == 9 || (levelIdc == 11 && constraintSet3 && (profileIdc == 66 || profileIdc == 77 || profileIdc == 88)) {
            return "1b"
        }
        return levelIdc % 10 == 0 ? "\(levelIdc / 10)" : "\(levelIdc / 10).\(levelIdc % 10)"
    }

    /// Decodes an SPS NAL unit: the 1-byte NAL header (type 7) followed by the payload with its
    /// emulation-prevention bytes, as found in an AVCDecoderConfigurationRecord or after an
    /// Annex B start code. Throws on truncation (including mid exp-Golomb code), a wrong NAL type,
    /// or out-of-range values.
    public init(parsing nalUnit: some Collection<UInt8>) throws(KernelError) {
        let context = "H.264 SPS"
        var bits = BitReader(AVCNALUnits.rbsp(fromNAL: nalUnit))
        guard try !bits.readBit("\(context) forbidden_zero_bit") else {
            throw KernelError(context, "forbidden_zero_bit is set")
        }
        nalRefIdc = UInt8(try bits.readBits(2, "\(context) nal_ref_idc"))
        let nalType = try bits.readBits(5, "\(context) nal_unit_type")
        guard nalType == 7 else { throw KernelError(context, "NAL unit type \(nalType) is not an SPS (7)") }

        profileIdc = UInt8(try bits.readBits(8, "\(context) profile_idc"))
        constraintFlags = UInt8(try bits.readBits(8, "\(context) constraint flags"))
        levelIdc = UInt8(try bits.readBits(8, "\(context) level_idc"))
        seqParameterSetId = try Self.readUE(&bits, "\(context) seq_parameter_set_id", max: 31)

        if Self.highProfileIdcs.contains(profileIdc) {
            chromaFormatIdc = try Self.readUE(&bits, "\(context) chroma_format_idc", max: 3)
            if chromaFormatIdc == 3 {
                separateColourPlane = try bits.readBit("\(context) separate_colour_plane_flag")
            } else {
                separateColourPlane = false
            }
            bitDepthLuma = try Self.readUE(&bits, "\(context) bit_depth_luma_minus8", max: 6) + 8
            bitDepthChroma = try Self.readUE(&bits, "\(context) bit_depth_chroma_minus8", max: 6) + 8
            transformBypass = try bits.readBit("\(context) qpprime_y_zero_transform_bypass_flag")
            hasScalingMatrix = try bits.readBit("\(context) seq_scaling_matrix_present_flag")
            if hasScalingMatrix {
                for list in 0..<(chromaFormatIdc == 3 ? 12 : 8) {
                    if try bits.readBit("\(context) seq_scaling_list_present_flag") {
                        try Self.skipScalingList(&bits, size: list < 6 ? 16 : 64, "\(context) scaling list \(list)")
                    }
                }
            }
        } else {
            chromaFormatIdc = 1
            separateColourPlane = false
            bitDepthLuma = 8
            bitDepthChroma = 8
            transformBypass = false
            hasScalingMatrix = false
        }

        log2MaxFrameNum = try Self.readUE(&bits, "\(context) log2_max_frame_num_minus4", max: 12) + 4
        switch try Self.readUE(&bits, "\(context) pic_order_cnt_type", max: 2) {
        case 0:
            picOrderCount = .type0(log2MaxPicOrderCntLsb: try Self.readUE(&bits, "\(context) log2_max_pic_order_cnt_lsb_minus4", max: 12) + 4)
        case 1:
            let alwaysZero = try bits.readBit("\(context) delta_pic_order_always_zero_flag")
            let nonRef = Int(try bits.readSE("\(context) offset_for_non_ref_pic"))
            let topToBottom = Int(try bits.readSE("\(context) offset_for_top_to_bottom_field"))
            let cycle = try Self.readUE(&bits, "\(context) num_ref_frames_in_pic_order_cnt_cycle", max: 255)
            var offsets: [Int] = []
            for _ in 0..<cycle { offsets.append(Int(try bits.readSE("\(context) offset_for_ref_frame"))) }
            picOrderCount = .type1(
                deltaPicOrderAlwaysZero: alwaysZero, offsetForNonRefPic: nonRef, offsetForTopToBottomField: topToBottom,
                offsetsForRefFrame: offsets)
        default:
            picOrderCount = .type2
        }

        maxNumRefFrames = Int(try bits.readUE("\(context) max_num_ref_frames"))
        gapsInFrameNumAllowed = try bits.readBit("\(context) gaps_in_frame_num_value_allowed_flag")
        widthInMacroblocks = Int(try bits.readUE("\(context) pic_width_in_mbs_minus1")) + 1
        heightInMapUnits = Int(try bits.readUE("\(context) pic_height_in_map_units_minus1")) + 1
        frameMbsOnly = try bits.readBit("\(context) frame_mbs_only_flag")
        if frameMbsOnly {
            mbAdaptiveFrameField = false
        } else {
            mbAdaptiveFrameField = try bits.readBit("\(context) mb_adaptive_frame_field_flag")
        }
        direct8x8Inference = try bits.readBit("\(context) direct_8x8_inference_flag")
        if try bits.readBit("\(context) frame_cropping_flag") {
            cropLeft = Int(try bits.readUE("\(context) frame_crop_left_offset"))
            cropRight = Int(try bits.readUE("\(context) frame_crop_right_offset"))
            cropTop = Int(try bits.readUE("\(context) frame_crop_top_offset"))
            cropBottom = Int(try bits.readUE("\(context) frame_crop_bottom_offset"))
        } else {
            (cropLeft, cropRight, cropTop, cropBottom) = (0, 0, 0, 0)
        }
        vuiParametersPresent = try bits.readBit("\(context) vui_parameters_present_flag")

        // H.264 7.4.2.1.1: crop units depend on ChromaArrayType and frame_mbs_only_flag.
        let chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc
        let subWidthC = chromaArrayType == 3 ? 1 : 2
        let subHeightC = chromaArrayType == 1 ? 2 : 1
        let fieldFactor = frameMbsOnly ? 1 : 2
        let cropUnitX = chromaArrayType == 0 ? 1 : subWidthC
        let cropUnitY = (chromaArrayType == 0 ? 1 : subHeightC) * fieldFactor
        let fullWidth = widthInMacroblocks * 16
        let fullHeight = heightInMapUnits * 16 * fieldFactor
        width = fullWidth - cropUnitX * (cropLeft + cropRight)
        height = fullHeight - cropUnitY * (cropTop + cropBottom)
        guard width > 0, height > 0 else {
            throw KernelError(context, "frame cropping leaves \(width)x\(height) of \(fullWidth)x\(fullHeight)")
        }
    }

    private static func readUE(_ bits: inout BitReader, _ context: String, max: Int) throws(KernelError) -> Int {
        let value = Int(try bits.readUE(context))
        guard value <= max else { throw KernelError(context, "value \(value) exceeds \(max)") }
        return value
    }

    /// Skips scaling_list() (H.264 7.3.2.1.1.1): delta_scale codes until the list is full or
    /// nextScale becomes 0.
    private static func skipScalingList(_ bits: inout BitReader, size: Int, _ context: String) throws(KernelError) {
        var lastScale = 8
        var nextScale = 8
        for _ in 0..<size {
            if nextScale != 0 {
                let delta = Int(try bits.readSE("\(context) delta_scale"))
                guard (-128...127).contains(delta) else { throw KernelError(context, "delta_scale \(delta) out of -128...127") }
                nextScale = (lastScale + delta + 256) % 256
            }
            if nextScale != 0 { lastScale = nextScale }
        }
    }
}
