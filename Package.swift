// swift-tools-version:6.2
// SwiftSRS: a live-streaming cluster server compatible with SRS 2.0.
//
// Layers (each imports only the ones listed before it):
//   C shims and system libraries  CSRSShim, COpenSSL, CZlib
//   media kernel                  SRSKernel   (bytes, AMF0, FLV, codecs, message ring; no Dispatch, no sockets)
//   protocols (sans-I/O)          SRSRTMP, SRSRTSP, SRSHTTP, SRSHLS, SRSTLS, SRSConfig
//   I/O                           SRSIO       (alone owns Dispatch, sockets, timers, signals)
//   server app                    SRSApp      (joins protocols and I/O)
//   client library                SRSClient   (blocking and async RTMP client, FLV files, raw H.264/AAC), SRSLibRTMP (its C API)
//   executables                   srs, srs-bench, srs-tools (SRSCommandLine: their shared command-line conventions)
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
]

let package = Package(
    name: "SwiftSRS",
    products: [
        .executable(name: "srs", targets: ["srs"]),
        .executable(name: "srs-bench", targets: ["srs-bench"]),
        .executable(name: "srs-tools", targets: ["srs-tools"]),
        .library(name: "SRSClient", targets: ["SRSClient"]),
        // SRS librtmp's C API (include/srs_librtmp.h) as a shared library: libsrs_librtmp.so.
        .library(name: "srs_librtmp", type: .dynamic, targets: ["SRSLibRTMP"]),
        .library(name: "SRSKernel", targets: ["SRSKernel"]),
        .library(name: "SRSRTMP", targets: ["SRSRTMP"]),
        .library(name: "SRSHTTP", targets: ["SRSHTTP"]),
        .library(name: "SRSRTSP", targets: ["SRSRTSP"]),
        .library(name: "SRSHLS", targets: ["SRSHLS"]),
        .library(name: "SRSConfig", targets: ["SRSConfig"]),
        .library(name: "SRSTLS", targets: ["SRSTLS"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
    ],
    targets: [
        .target(name: "CSRSShim", cSettings: [.define("_GNU_SOURCE")]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        .target(name: "SRSKernel", swiftSettings: swiftSettings),
        .target(name: "SRSRTMP", dependencies: ["SRSKernel", "COpenSSL"], swiftSettings: swiftSettings),
        .target(name: "SRSRTSP", dependencies: ["SRSKernel"], swiftSettings: swiftSettings),
        .target(name: "SRSConfig", swiftSettings: swiftSettings),
        .target(name: "SRSHTTP", swiftSettings: swiftSettings),
        .target(name: "SRSTLS", dependencies: ["COpenSSL"], swiftSettings: swiftSettings),
        .target(name: "SRSHLS", swiftSettings: swiftSettings),
        .target(name: "SRSIO", dependencies: ["CSRSShim", "SRSKernel"], swiftSettings: swiftSettings),
        .target(
            name: "SRSApp",
            dependencies: [
                "SRSKernel", "SRSRTMP", "SRSRTSP", "SRSHTTP", "SRSHLS", "SRSTLS", "SRSConfig", "SRSIO", "CZlib",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [.copy("Console")],
            swiftSettings: swiftSettings
        ),
        .target(name: "SRSClient", dependencies: ["SRSKernel", "SRSRTMP", "SRSIO"], swiftSettings: swiftSettings),
        .target(name: "SRSLibRTMP", dependencies: ["SRSClient", "SRSKernel"], exclude: ["include", "examples"], swiftSettings: swiftSettings),
        .target(name: "SRSCommandLine", dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")], swiftSettings: swiftSettings),
        .executableTarget(
            name: "srs", dependencies: ["SRSApp", "SRSCommandLine", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "srs-bench",
            dependencies: [
                "SRSKernel", "SRSRTMP", "SRSHTTP", "SRSIO", "SRSCommandLine", .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/srs-bench",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "srs-tools",
            dependencies: ["SRSClient", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/srs-tools",
            swiftSettings: swiftSettings
        ),

        .testTarget(name: "SRSKernelTests", dependencies: ["SRSKernel"], swiftSettings: swiftSettings),
        .testTarget(name: "SRSRTMPTests", dependencies: ["SRSRTMP", "SRSKernel"], swiftSettings: swiftSettings),
        .testTarget(name: "SRSRTSPTests", dependencies: ["SRSRTSP", "SRSKernel"], swiftSettings: swiftSettings),
        .testTarget(name: "SRSConfigTests", dependencies: ["SRSConfig"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(name: "SRSHTTPTests", dependencies: ["SRSHTTP"], swiftSettings: swiftSettings),
        .testTarget(name: "SRSHLSTests", dependencies: ["SRSHLS"], swiftSettings: swiftSettings),
        .testTarget(name: "SRSClientTests", dependencies: ["SRSClient", "SRSKernel"], swiftSettings: swiftSettings),
        .testTarget(name: "SRSIOTests", dependencies: ["SRSIO", "SRSKernel"], swiftSettings: swiftSettings),
        .testTarget(
            name: "SRSAppTests",
            dependencies: ["SRSApp", "SRSIO", "SRSKernel", "SRSRTMP", "SRSConfig", "SRSHTTP"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SRSEndToEndTests",
            dependencies: ["SRSKernel", "SRSRTMP", "SRSClient", "srs"],
            swiftSettings: swiftSettings
        ),
    ]
)
