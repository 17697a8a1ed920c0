// swift-tools-version:6.0
// The iOS app's logic, in two libraries (the SwiftUI views in ../MobilekitDemo stay thin):
//  - MobilekitCore: Foundation only (manifest, path checks, preprocessing, camera frames, benchmark cases, LLM
//    prompt format / timing / checks, results); builds and is tested on macOS and Linux alike;
//  - MobilekitApp: the runtimes' side (ExecuTorch Module and TextRunner, Core ML incl. the stateful LLM path,
//    AVFoundation camera capture, the inference engine).
// On Apple platforms MobilekitApp links the real ExecuTorch (SwiftPM branch swiftpm-1.5.1) and the SDK's
// frameworks. On Linux, where those do not exist, it compiles against StandIns/: modules with the same names that
// declare exactly the real signatures of what the app calls (checked against the real sources by
// tests/apps/test_swift.py), so `swift build` proves every call; nothing in a stand-in runs.
import PackageDescription

let swift6: [SwiftSetting] = [.swiftLanguageMode(.v6)]

#if os(Linux)
let standInNames = ["ExecuTorch", "ExecuTorchLLM", "CoreML", "CoreVideo", "CoreMedia", "AVFoundation"]
// Swift 5 mode: the real modules are Objective-C, imported without Swift 6's checks on their own declarations.
let swift5: [SwiftSetting] = [.swiftLanguageMode(.v5)]
let standInTargets: [Target] = [
    .target(name: "ExecuTorch", path: "StandIns/ExecuTorch", swiftSettings: swift5),
    .target(name: "ExecuTorchLLM", path: "StandIns/ExecuTorchLLM", swiftSettings: swift5),
    .target(name: "CoreVideo", path: "StandIns/CoreVideo", swiftSettings: swift5),
    .target(name: "CoreMedia", dependencies: ["CoreVideo"], path: "StandIns/CoreMedia", swiftSettings: swift5),
    .target(name: "CoreML", dependencies: ["CoreVideo"], path: "StandIns/CoreML", swiftSettings: swift5),
    .target(name: "AVFoundation", dependencies: ["CoreMedia", "CoreVideo"], path: "StandIns/AVFoundation",
            swiftSettings: swift5),
]
let appDependencies: [Target.Dependency] = ["MobilekitCore"] + standInNames.map { .target(name: $0) }
let packageDependencies: [Package.Dependency] = []
#else
let standInTargets: [Target] = []
// The frameworks (CoreML, CoreVideo, CoreMedia, AVFoundation) come from the SDK; ExecuTorch from its SwiftPM
// branch (= the exporter's executorch==1.5.1; tests/apps/test_android_build.py keeps the versions equal).
let appDependencies: [Target.Dependency] = ["MobilekitCore"] + [
    "executorch", "backend_xnnpack", "backend_coreml", "kernels_optimized", "kernels_quantized",
    "executorch_llm", "kernels_llm",
].map { .product(name: $0, package: "executorch") }
let packageDependencies: [Package.Dependency] = [
    .package(url: "https://github.com/pytorch/executorch.git", branch: "swiftpm-1.5.1"),
]
#endif

let package = Package(
    name: "MobilekitCore",
    platforms: [.iOS(.v17), .macOS(.v14)],
    products: [
        .library(name: "MobilekitCore", targets: ["MobilekitCore"]),
        .library(name: "MobilekitApp", targets: ["MobilekitApp"]),
    ],
    dependencies: packageDependencies,
    targets: standInTargets + [
        .target(name: "MobilekitCore", swiftSettings: swift6),
        .target(name: "MobilekitApp", dependencies: appDependencies, swiftSettings: swift6),
        .testTarget(name: "MobilekitCoreTests", dependencies: ["MobilekitCore"], exclude: ["Fixtures"],
                    swiftSettings: swift6),
        .testTarget(name: "MobilekitAppTests", dependencies: ["MobilekitApp", "MobilekitCore"], swiftSettings: swift6),
    ]
)
