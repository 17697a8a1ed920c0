// swift-tools-version:5.9
// Shared, UI-free logic of the iOS demo app: the bundle manifest, preprocessing, benchmark result
// and statistics. `swift test` runs the XCTest suite on macOS or Linux (CoreGraphics/CoreML parts
// compile only where those frameworks exist).
import PackageDescription

let package = Package(
    name: "MobilekitCore",
    platforms: [.iOS(.v17), .macOS(.v14)],
    products: [
        .library(name: "MobilekitCore", targets: ["MobilekitCore"]),
    ],
    targets: [
        .target(name: "MobilekitCore"),
        .testTarget(name: "MobilekitCoreTests", dependencies: ["MobilekitCore"]),
    ]
)
