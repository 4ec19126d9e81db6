import XCTest
@testable import SRSKernel

/// SPS vectors produced by x264 (through ffmpeg 5.1), checked against ffmpeg's trace_headers
/// bitstream filter and ffprobe's reported size. The scaling-list and POC type 1 vectors are
/// x264 SPSs rewritten to carry those fields; ffmpeg decodes the rewritten streams.
final class H264SPSTests: XCTestCase {
    /// x264 Baseline 320x240 (the brief's vector): constraint_set0/1, level 1.3, POC type 2, 3 refs.
    static let baseline320x240: [UInt8] = [
        0x67, 0x42, 0xC0, 0x0D, 0xD9, 0x01, 0x41, 0xFB, 0x01, 0x10, 0x00, 0x00, 0x03, 0x00, 0x10, 0x00,
        0x00, 0x03, 0x03, 0x20, 0xF1, 0x42, 0xA4, 0x80,
    ]
    /// x264 High 1280x720, level 3.1.
    static let high1280x720: [UInt8] = [
        0x67, 0x64, 0x00, 0x1F, 0xAC, 0xD9, 0x40, 0x50, 0x05, 0xBB, 0x01, 0x10, 0x00, 0x00, 0x03, 0x00,
        0x10, 0x00, 0x00, 0x03, 0x03, 0x20, 0xF1, 0x83, 0x19, 0x60,
    ]
    /// x264 High 1920x1080, level 4: coded 1088 lines, cropped by 4 units of 2 lines.
    static let high1920x1080: [UInt8] = [
        0x67, 0x64, 0x00, 0x28, 0xAC, 0xD9, 0x40, 0x78, 0x02, 0x27, 0xE5, 0xC0, 0x44, 0x00, 0x00, 0x03,
        0x00, 0x04, 0x00, 0x00, 0x03, 0x00, 0xC8, 0x3C, 0x60, 0xC6, 0x58,
    ]
    /// x264 Main 640x360, level 3 (constraint_set1): coded 368 lines.
    static let main640x360: [UInt8] = [
        0x67, 0x4D, 0x40, 0x1E, 0xEC, 0xA0, 0x50, 0x17, 0xFC, 0xB8, 0x08, 0x80, 0x00, 0x00, 0x03, 0x00,
        0x80, 0x00, 0x00, 0x19, 0x07, 0x8B, 0x16, 0xCB,
    ]
    /// x264 High 10 1280x720 (yuv420p10le).
    static let high10: [UInt8] = [
        0x67, 0x6E, 0x00, 0x1F, 0xA6, 0xCD, 0x94, 0x05, 0x00, 0x5B, 0xB0, 0x11, 0x00, 0x00, 0x03, 0x00,
        0x01, 0x00, 0x00, 0x03, 0x00, 0x32, 0x0F, 0x18, 0x31, 0x96,
    ]
    /// x264 High 4:2:2 350x198: coded 352x208, crop right 1 (x2), bottom 10 (x1).
    static let high422_350x198: [UInt8] = [
        0x67, 0x7A, 0x00, 0x0D, 0xBC, 0xD9, 0x41, 0x61, 0xBE, 0xA2, 0xF0, 0x11, 0x00, 0x00, 0x03, 0x00,
        0x01, 0x00, 0x00, 0x03, 0x00, 0x32, 0x0F, 0x14, 0x29, 0x96,
    ]
    /// x264 High 4:4:4 Predictive 350x198: coded 352x208, crop right 2 (x1), bottom 10 (x1).
    static let high444_350x198: [UInt8] = [
        0x67, 0xF4, 0x00, 0x0D, 0x91, 0x9B, 0x28, 0x2C, 0x37, 0xDC, 0x5E, 0x02, 0x20, 0x00, 0x00, 0x03,
        0x00, 0x20, 0x00, 0x00, 0x06, 0x41, 0xE2, 0x85, 0x32, 0xC0,
    ]
    /// x264 High 1920x1080 interlaced (MBAFF): 34 map units of 32 lines, crop bottom 2 (x4).
    static let highInterlaced1080: [UInt8] = [
        0x67, 0x64, 0x00, 0x28, 0xAC, 0xD9, 0x40, 0x78, 0x04, 0x4F, 0xDE, 0x02, 0x20, 0x00, 0x00, 0x03,
        0x00, 0x20, 0x00, 0x00, 0x06, 0x43, 0xE2, 0xC5, 0xB2, 0xC0,
    ]
    /// High 640x480 carrying seq_scaling_matrix: lists 0 (explicit 4x4), 2 (default), 6 (explicit
    /// 8x8) and 7 (8x8 ended early by nextScale 0).
    static let highScaling420: [UInt8] = [
        0x67, 0x64, 0x00, 0x1E, 0xAD, 0x83, 0x60, 0xE8, 0x3E, 0x0D, 0x01, 0xA4, 0x78, 0x1D, 0x81, 0xB8,
        0x91, 0x60, 0x48, 0x85, 0x41, 0xF8, 0x50, 0x2A, 0x84, 0x44, 0x0F, 0xC0, 0x8C, 0x0C, 0x20, 0x2A,
        0x00, 0x4D, 0x86, 0x00, 0xDC, 0x02, 0x34, 0x08, 0x40, 0x47, 0x07, 0xC0, 0xD0, 0x10, 0x03, 0x71,
        0x42, 0x41, 0x70, 0x23, 0x02, 0x78, 0x3A, 0x02, 0x28, 0x44, 0x34, 0x05, 0xC0, 0x24, 0x8C, 0x05,
        0x80, 0xC8, 0x0A, 0xA1, 0xE0, 0xB0, 0x7C, 0x18, 0x03, 0xB0, 0x60, 0x30, 0x16, 0x82, 0xC0, 0x2D,
        0x87, 0x00, 0xA2, 0x04, 0x00, 0x2A, 0x04, 0x00, 0x41, 0x82, 0xA0, 0x70, 0x21, 0x81, 0xDC, 0x04,
        0x60, 0x1C, 0x40, 0xD8, 0x11, 0x02, 0x79, 0x01, 0x58, 0xF0, 0x35, 0x02, 0x80, 0x52, 0x06, 0x50,
        0x21, 0x01, 0x26, 0x10, 0x48, 0x84, 0x05, 0xBB, 0x28, 0x14, 0x07, 0xB6, 0x02, 0x20, 0x00, 0x00,
        0x03, 0x00, 0x20, 0x00, 0x00, 0x06, 0x41, 0xE2, 0xC5, 0xB2, 0xC0,
    ]
    /// High 4:4:4 350x198 carrying all 12 scaling list flags (lists 0, 1, 3, 6, 8, 11 present).
    static let highScaling444: [UInt8] = [
        0x67, 0xF4, 0x00, 0x0D, 0x91, 0xB0, 0x6C, 0x1D, 0x07, 0xC1, 0xA0, 0x34, 0x8F, 0x03, 0xB0, 0x37,
        0x12, 0x2C, 0x09, 0x10, 0xA8, 0x3F, 0x0A, 0x05, 0x61, 0x14, 0x10, 0x05, 0x02, 0xA0, 0xF8, 0x29,
        0x02, 0x48, 0xA1, 0x00, 0xD8, 0x0E, 0xE3, 0x80, 0xD0, 0x1B, 0x07, 0xE1, 0xC2, 0x07, 0xE0, 0x46,
        0x06, 0x10, 0x15, 0x00, 0x26, 0xC3, 0x00, 0x6E, 0x01, 0x1A, 0x04, 0x20, 0x23, 0x83, 0xE0, 0x68,
        0x08, 0x01, 0xB8, 0xA1, 0x20, 0xB8, 0x11, 0x81, 0x3C, 0x1D, 0x01, 0x14, 0x22, 0x1A, 0x02, 0xE0,
        0x12, 0x46, 0x02, 0xC0, 0x64, 0x05, 0x50, 0xF0, 0x58, 0x3E, 0x0C, 0x01, 0xD8, 0x30, 0x18, 0x0B,
        0x41, 0x60, 0x16, 0xC3, 0x80, 0x51, 0x02, 0x00, 0x15, 0x02, 0x00, 0x20, 0xC1, 0x50, 0x38, 0x10,
        0xC0, 0xEE, 0x02, 0x30, 0x0E, 0x20, 0x6C, 0x08, 0x81, 0x3C, 0x80, 0xAC, 0x78, 0x1A, 0x81, 0x40,
        0x29, 0x03, 0x28, 0x10, 0x80, 0x92, 0x84, 0x48, 0xA0, 0x24, 0x01, 0x0C, 0x0C, 0x80, 0xA0, 0x14,
        0x81, 0xAC, 0x70, 0x2A, 0x28, 0x13, 0x82, 0x00, 0x6D, 0x03, 0x80, 0x08, 0xD0, 0x3B, 0x21, 0x20,
        0xE4, 0x15, 0x80, 0x82, 0x08, 0x81, 0x54, 0x08, 0x20, 0x50, 0x0E, 0x81, 0x68, 0x16, 0x82, 0xC1,
        0xA0, 0xC4, 0x1D, 0x03, 0x10, 0xF0, 0x5C, 0x3E, 0x05, 0x40, 0x66, 0x0B, 0x46, 0x81, 0x20, 0x0B,
        0xA1, 0xB0, 0x80, 0x11, 0x01, 0xD8, 0x13, 0x81, 0x10, 0x2F, 0x10, 0x2C, 0x1B, 0x02, 0x10, 0x6A,
        0x0F, 0xC0, 0x8C, 0x04, 0x30, 0x11, 0x80, 0x6F, 0x0C, 0x80, 0x9A, 0x01, 0x52, 0x06, 0x00, 0x45,
        0xB2, 0x82, 0xC3, 0x7D, 0xC5, 0xE0, 0x22, 0x00, 0x00, 0x03, 0x00, 0x02, 0x00, 0x00, 0x03, 0x00,
        0x64, 0x1E, 0x28, 0x53, 0x2C,
    ]
    /// Main 720x480 with POC type 1: always-zero deltas, offsets -2 / 1, cycle [3, -4].
    static let mainPOCType1: [UInt8] = [
        0x67, 0x4D, 0x40, 0x1E, 0xD4, 0xA9, 0x98, 0x49, 0x00, 0xB4, 0x3D, 0xB0, 0x11, 0x00, 0x00, 0x03,
        0x00, 0x01, 0x00, 0x00, 0x03, 0x00, 0x32, 0x0F, 0x16, 0x2E, 0x48,
    ]
    /// Hand-built Baseline 320x240 whose max_num_ref_frames (2^25) has 25 leading zero bits, so
    /// two emulation-prevention bytes fall inside the decoded fields (raw RBSP:
    /// 67 42 C0 1E D8 00 00 02 00 00 01 05 07 E4).
    static let emulationInFields: [UInt8] = [
        0x67, 0x42, 0xC0, 0x1E, 0xD8, 0x00, 0x00, 0x03, 0x02, 0x00, 0x00, 0x03, 0x01, 0x05, 0x07, 0xE4,
    ]

    private func parse(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) throws -> H264SPS {
        do {
            return try H264SPS(parsing: bytes)
        } catch {
            XCTFail("SPS \(hex(bytes)) failed: \(error)", file: file, line: line)
            throw error
        }
    }

    func testBaseline320x240() throws {
        let sps = try parse(Self.baseline320x240)
        XCTAssertEqual(sps.nalRefIdc, 3)
        XCTAssertEqual(sps.profileIdc, 66)
        XCTAssertEqual(sps.constraintFlags, 0xC0)
        XCTAssertTrue(sps.constraintSet(0))
        XCTAssertTrue(sps.constraintSet(1))
        XCTAssertFalse(sps.constraintSet(2))
        XCTAssertEqual(sps.profileName, "Constrained Baseline")
        XCTAssertEqual(sps.levelIdc, 13)
        XCTAssertEqual(sps.levelName, "1.3")
        XCTAssertEqual(sps.seqParameterSetId, 0)
        XCTAssertEqual(sps.chromaFormatIdc, 1)
        XCTAssertEqual(sps.bitDepthLuma, 8)
        XCTAssertFalse(sps.hasScalingMatrix)
        XCTAssertEqual(sps.log2MaxFrameNum, 4)
        XCTAssertEqual(sps.picOrderCount, .type2)
        XCTAssertEqual(sps.picOrderCntType, 2)
        XCTAssertEqual(sps.maxNumRefFrames, 3)
        XCTAssertFalse(sps.gapsInFrameNumAllowed)
        XCTAssertEqual(sps.widthInMacroblocks, 20)
        XCTAssertEqual(sps.heightInMapUnits, 15)
        XCTAssertTrue(sps.frameMbsOnly)
        XCTAssertTrue(sps.direct8x8Inference)
        XCTAssertEqual([sps.cropLeft, sps.cropRight, sps.cropTop, sps.cropBottom], [0, 0, 0, 0])
        XCTAssertTrue(sps.vuiParametersPresent)
        XCTAssertEqual(sps.width, 320)
        XCTAssertEqual(sps.height, 240)
    }

    func testHigh720p() throws {
        let sps = try parse(Self.high1280x720)
        XCTAssertEqual(sps.profileIdc, 100)
        XCTAssertEqual(sps.profileName, "High")
        XCTAssertEqual(sps.levelName, "3.1")
        XCTAssertEqual(sps.chromaFormatIdc, 1)
        XCTAssertEqual(sps.bitDepthLuma, 8)
        XCTAssertEqual(sps.bitDepthChroma, 8)
        XCTAssertFalse(sps.transformBypass)
        XCTAssertEqual(sps.picOrderCount, .type0(log2MaxPicOrderCntLsb: 6))
        XCTAssertEqual(sps.maxNumRefFrames, 4)
        XCTAssertEqual(sps.width, 1280)
        XCTAssertEqual(sps.height, 720)
    }

    func testHigh1080pCropsCodedHeight() throws {
        let sps = try parse(Self.high1920x1080)
        XCTAssertEqual(sps.levelIdc, 40)
        XCTAssertEqual(sps.levelName, "4")
        XCTAssertEqual(sps.widthInMacroblocks, 120)
        XCTAssertEqual(sps.heightInMapUnits, 68)
        XCTAssertEqual(sps.cropBottom, 4)
        XCTAssertEqual(sps.cropTop, 0)
        XCTAssertEqual(sps.width, 1920)
        XCTAssertEqual(sps.height, 1080)
    }

    func testMain360p() throws {
        let sps = try parse(Self.main640x360)
        XCTAssertEqual(sps.profileIdc, 77)
        XCTAssertEqual(sps.profileName, "Main")
        XCTAssertEqual(sps.constraintFlags, 0x40)
        XCTAssertEqual(sps.levelName, "3")
        XCTAssertEqual(sps.picOrderCount, .type0(log2MaxPicOrderCntLsb: 6))
        XCTAssertEqual(sps.heightInMapUnits, 23)
        XCTAssertEqual(sps.cropBottom, 4)
        XCTAssertEqual(sps.width, 640)
        XCTAssertEqual(sps.height, 360)
    }

    func testHigh10BitDepth() throws {
        let sps = try parse(Self.high10)
        XCTAssertEqual(sps.profileIdc, 110)
        XCTAssertEqual(sps.profileName, "High 10")
        XCTAssertEqual(sps.bitDepthLuma, 10)
        XCTAssertEqual(sps.bitDepthChroma, 10)
        XCTAssertEqual(sps.width, 1280)
        XCTAssertEqual(sps.height, 720)
    }

    func testHigh422CropUnits() throws {
        let sps = try parse(Self.high422_350x198)
        XCTAssertEqual(sps.profileName, "High 4:2:2")
        XCTAssertEqual(sps.chromaFormatIdc, 2)
        XCTAssertEqual(sps.cropRight, 1)
        XCTAssertEqual(sps.cropBottom, 10)
        // 4:2:2 crops 2 columns and 1 line per unit.
        XCTAssertEqual(sps.width, 350)
        XCTAssertEqual(sps.height, 198)
    }

    func testHigh444CropUnits() throws {
        let sps = try parse(Self.high444_350x198)
        XCTAssertEqual(sps.profileIdc, 244)
        XCTAssertEqual(sps.profileName, "High 4:4:4")
        XCTAssertEqual(sps.chromaFormatIdc, 3)
        XCTAssertFalse(sps.separateColourPlane)
        XCTAssertEqual(sps.cropRight, 2)
        XCTAssertEqual(sps.cropBottom, 10)
        // 4:4:4 crops 1 column and 1 line per unit.
        XCTAssertEqual(sps.width, 350)
        XCTAssertEqual(sps.height, 198)
    }

    func testInterlacedCropUnitsDoubleVertically() throws {
        let sps = try parse(Self.highInterlaced1080)
        XCTAssertFalse(sps.frameMbsOnly)
        XCTAssertTrue(sps.mbAdaptiveFrameField)
        XCTAssertEqual(sps.heightInMapUnits, 34)
        XCTAssertEqual(sps.cropBottom, 2)
        XCTAssertEqual(sps.width, 1920)
        XCTAssertEqual(sps.height, 1080)
    }

    func testScalingListsAreSkipped() throws {
        let sps = try parse(Self.highScaling420)
        XCTAssertTrue(sps.hasScalingMatrix)
        XCTAssertEqual(sps.log2MaxFrameNum, 4)
        XCTAssertEqual(sps.picOrderCount, .type0(log2MaxPicOrderCntLsb: 6))
        XCTAssertEqual(sps.maxNumRefFrames, 4)
        XCTAssertEqual(sps.width, 640)
        XCTAssertEqual(sps.height, 480)
        XCTAssertTrue(sps.vuiParametersPresent)
    }

    func testTwelveScalingListsFor444() throws {
        let sps = try parse(Self.highScaling444)
        XCTAssertTrue(sps.hasScalingMatrix)
        XCTAssertEqual(sps.chromaFormatIdc, 3)
        XCTAssertEqual(sps.picOrderCount, .type0(log2MaxPicOrderCntLsb: 6))
        XCTAssertEqual(sps.cropRight, 2)
        XCTAssertEqual(sps.width, 350)
        XCTAssertEqual(sps.height, 198)
    }

    func testPicOrderCountType1() throws {
        let sps = try parse(Self.mainPOCType1)
        XCTAssertEqual(sps.picOrderCntType, 1)
        XCTAssertEqual(
            sps.picOrderCount,
            .type1(deltaPicOrderAlwaysZero: true, offsetForNonRefPic: -2, offsetForTopToBottomField: 1, offsetsForRefFrame: [3, -4]))
        XCTAssertEqual(sps.maxNumRefFrames, 3)
        XCTAssertEqual(sps.width, 720)
        XCTAssertEqual(sps.height, 480)
    }

    func testEmulationPreventionBytesAreRemovedBeforeDecoding() throws {
        let sps = try parse(Self.emulationInFields)
        XCTAssertEqual(sps.maxNumRefFrames, 33_554_432)
        XCTAssertEqual(sps.width, 320)
        XCTAssertEqual(sps.height, 240)
        XCTAssertEqual(sps.levelName, "3")
        XCTAssertEqual(
            AVCNALUnits.rbsp(fromNAL: Self.emulationInFields),
            [0x67, 0x42, 0xC0, 0x1E, 0xD8, 0x00, 0x00, 0x02, 0x00, 0x00, 0x01, 0x05, 0x07, 0xE4])
    }

    func testRBSPRemovesOnlyEmulationBytes() {
        XCTAssertEqual(
            AVCNALUnits.rbsp(fromNAL: [0x00, 0x00, 0x03, 0x01, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03]),
            [0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00])
        // A 03 after a single zero, or after 00 00 03 already consumed, stays.
        XCTAssertEqual(AVCNALUnits.rbsp(fromNAL: [0x00, 0x03, 0x00, 0x00, 0x03, 0x03]), [0x00, 0x03, 0x00, 0x00, 0x03])
        XCTAssertEqual(AVCNALUnits.rbsp(fromNAL: [0x67, 0x42]), [0x67, 0x42])
    }

    func testProfileNamesFromConstraintFlags() throws {
        var bytes = Self.baseline320x240
        bytes[2] = 0x80
        XCTAssertEqual(try parse(bytes).profileName, "Baseline")
        bytes[1] = 77
        XCTAssertEqual(try parse(bytes).profileName, "Main")
        bytes[1] = 88
        XCTAssertEqual(try parse(bytes).profileName, "Extended")
        var intra = Self.high10
        intra[2] = 0x10
        XCTAssertEqual(try parse(intra).profileName, "High 10 Intra")
        XCTAssertTrue(try parse(intra).constraintSet(3))
    }

    func testLevel1b() throws {
        var bytes = Self.baseline320x240
        bytes[3] = 11
        XCTAssertEqual(try parse(bytes).levelName, "1.1")
        bytes[2] = 0xD0  // constraint_set3_flag: level 1b in Baseline
        XCTAssertEqual(try parse(bytes).levelName, "1b")
        XCTAssertEqual(H264SPS.levelName(levelIdc: 9, profileIdc: 100, constraintSet3: false), "1b")
        XCTAssertEqual(H264SPS.levelName(levelIdc: 11, profileIdc: 100, constraintSet3: true), "1.1")
        XCTAssertEqual(H264SPS.levelName(levelIdc: 51, profileIdc: 100, constraintSet3: false), "5.1")
    }

    func testTruncatedMidExpGolombThrows() {
        // D9 ends inside max_num_ref_frames' code.
        XCTAssertThrowsError(try H264SPS(parsing: Self.baseline320x240.prefix(5))) { error in
            XCTAssertTrue((error as? KernelError)?.context.contains("max_num_ref_frames") == true, "\(error)")
        }
        // 01 ends after the prefix of pic_width_in_mbs_minus1, before its suffix.
        XCTAssertThrowsError(try H264SPS(parsing: Self.baseline320x240.prefix(6))) { error in
            XCTAssertTrue((error as? KernelError)?.context.contains("pic_width_in_mbs_minus1") == true, "\(error)")
        }
        // Decoding stops at vui_parameters_present_flag, the last bit of byte 7.
        for count in 0..<8 { assertThrowsKernelError(try H264SPS(parsing: Self.baseline320x240.prefix(count)), "prefix \(count)") }
        XCTAssertEqual(try H264SPS(parsing: Self.baseline320x240.prefix(8)).height, 240)
        // Cut inside the scaling lists.
        assertThrowsKernelError(try H264SPS(parsing: Self.highScaling420.prefix(40)))
    }

    func testInvalidSPSThrows() {
        XCTAssertThrowsError(try H264SPS(parsing: [0x68, 0xCB, 0x83, 0xCB, 0x20])) { error in
            XCTAssertEqual((error as? KernelError)?.reason, "NAL unit type 8 is not an SPS (7)")
        }
        assertThrowsKernelError(try H264SPS(parsing: [0xE7, 0x42, 0xC0, 0x0D, 0xD9]), "forbidden_zero_bit")
        // pic_order_cnt_type 3.
        assertThrowsKernelError(try H264SPS(parsing: [0x67, 0x42, 0xC0, 0x1E, 0xC8, 0x40, 0x50, 0x7E, 0x40]))
        // chroma_format_idc 4.
        assertThrowsKernelError(try H264SPS(parsing: [0x67, 0x64, 0x00, 0x1E, 0x97, 0xFF, 0xFE]))
        // One macroblock cropped by 7 units (14 pixels) on two sides is fine, by 8 units is not.
        XCTAssertEqual(try H264SPS(parsing: [0x67, 0x42, 0xC0, 0x1E, 0xD9, 0x1F, 0x11, 0x88, 0x40]).width, 2)
        XCTAssertThrowsError(try H264SPS(parsing: [0x67, 0x42, 0xC0, 0x1E, 0xD9, 0x1F, 0x13, 0xD0])) { error in
            XCTAssertEqual((error as? KernelError)?.reason, "frame cropping leaves 0x16 of 16x16")
        }
    }

    func testRecordFromFLVParsesItsSPS() throws {
        let record = try AVCDecoderConfiguration(parsing: AVCDecoderConfigurationTests.baselineRecord)
        let sps = try XCTUnwrap(try record.parsedSPS())
        XCTAssertEqual(sps.width, 320)
        XCTAssertEqual(sps.profileIdc, record.profileIndication)
        XCTAssertEqual(sps.constraintFlags, record.profileCompatibility)
        XCTAssertEqual(sps.levelIdc, record.levelIndication)
    }
}
