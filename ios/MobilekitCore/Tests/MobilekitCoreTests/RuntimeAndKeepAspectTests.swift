import XCTest
@testable import MobilekitCore

final class RuntimeAndKeepAspectTests: XCTestCase {
    func testKeepAspectCoversThenCentreCrops() throws {
        let spec = Manifest.ImagePreprocess(color: "L", resize: [2, 2], scale: 1, mean: [0], std: [1], keepAspect: true)
        let gray: [UInt8] = [10, 20, 30, 40, 50, 60, 70, 80]
        let out = try Preprocess(spec: spec).apply(rgba: gray.flatMap { [$0, $0, $0, 255] }, width: 4, height: 2)
        XCTAssertEqual(out, [20, 30, 60, 70])  // 4x2 already covers 2x2: centre columns 1 and 2
    }

    func testCoverSizeRoundsHalvesToEvenAsPython() {
        XCTAssertTrue(Preprocess.coverSize(width: 1001, height: 512, outW: 256, outH: 256) == (500, 256))
        XCTAssertTrue(Preprocess.coverSize(width: 400, height: 300, outW: 256, outH: 256) == (341, 256))
    }

    func testNewerExecuTorchBundleIsRefusedWithWhatToDo() {
        let message = RuntimeVersions.refusal(runtime: "executorch", runtimeVersion: "9.0.0", file: "m.pte")
        XCTAssertEqual(message?.hasPrefix("bundle needs ExecuTorch 9.0.0, this app links \(RuntimeVersions.executorch)"), true)
        XCTAssertNil(RuntimeVersions.refusal(runtime: "executorch", runtimeVersion: RuntimeVersions.executorch, file: "m.pte"))
        XCTAssertNil(RuntimeVersions.refusal(runtime: "coreml", runtimeVersion: "99", file: "m.mlpackage"))
        XCTAssertEqual(RuntimeVersions.compare("1.10.0", "1.9.2"), 1)
    }

    func testComputeUnitsLaunchArgument() throws {
        let args = try BenchmarkArguments.parse(["app", "-run_id", "r1", "-bundle", "b", "-artifact", "a.mlpackage",
                                                 "-compute_units", "cpu_ne"])
        XCTAssertEqual(args?.computeUnits, "cpu_ne")
        XCTAssertThrowsError(try BenchmarkArguments.parse(["app", "-run_id", "r1", "-bundle", "b", "-artifact", "a",
                                                           "-compute_units", "gpu_only"]))
    }
}
