// swift-tools-version:6.1
// Micro-benchmarks of SwiftSRS's hot paths (package-benchmark). A separate package so that the
// main build and CI never compile the benchmark stack.
//   cd Benchmarks && swift package benchmark                 # run all
//   cd Benchmarks && swift package benchmark baseline update # record a baseline
import PackageDescription

let package = Package(
    name: "SwiftSRSBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "SwiftSRS", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "MediaBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SRSKernel", package: "SwiftSRS"),
                .product(name: "SRSRTMP", package: "SwiftSRS"),
            ],
            path: "Benchmarks/MediaBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
