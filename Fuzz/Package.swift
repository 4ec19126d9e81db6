// swift-tools-version:6.2
// Coverage-guided fuzzing of every parser that takes bytes from a client, a peer or a file
// (libFuzzer with AddressSanitizer). A separate package: the main build never links libFuzzer.
//   scripts/fuzz.sh TARGET [SECONDS]     builds with -sanitize=fuzzer,address and runs TARGET
import PackageDescription

let package = Package(
    name: "SwiftSRSFuzz",
    dependencies: [
        .package(name: "SwiftSRS", path: ".."),
    ],
    targets: [
        .target(name: "CFuzzDriver", path: "Sources/CFuzzDriver"),
        .executableTarget(
            name: "srs-fuzz",
            dependencies: [
                "CFuzzDriver",
                .product(name: "SRSKernel", package: "SwiftSRS"),
                .product(name: "SRSRTMP", package: "SwiftSRS"),
                .product(name: "SRSRTSP", package: "SwiftSRS"),
                .product(name: "SRSHTTP", package: "SwiftSRS"),
                .product(name: "SRSHLS", package: "SwiftSRS"),
                .product(name: "SRSConfig", package: "SwiftSRS"),
                .product(name: "SRSTLS", package: "SwiftSRS"),
            ],
            path: "Sources/srs-fuzz",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
