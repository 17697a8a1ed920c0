import CoreML
import Foundation
import MobilekitApp
import MobilekitCore
import XCTest

/// The runtime side's decisions that happen before any runtime is touched (on Linux the runtimes are stand-ins
/// that only compile): which artifacts are refused and why, and the compute-unit names.
final class RunnersTests: XCTestCase {
    private func bundle(_ artifacts: String) throws -> (URL, Manifest) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let text = """
        {"schema": "mobilekit.manifest/1", "name": "m", "created_utc": "x", "source": {"model": "m", "torch": "2"},
         "inputs": [{"name": "x", "dtype": "float32", "shape": [1, 4]}],
         "outputs": [{"name": "y", "dtype": "float32", "shape": [1, 2]}], "artifacts": [\(artifacts)]}
        """
        try Data(text.utf8).write(to: dir.appendingPathComponent("manifest.json"))
        for name in ["m.onnx", "m.ptl", "m.pte", "new.pte"] {
            try Data([1, 2, 3]).write(to: dir.appendingPathComponent(name))
        }
        return (dir, try Manifest.load(bundle: dir))
    }

    private func artifact(_ file: String, _ runtime: String, version: String? = nil) -> String {
        """
        {"file": "\(file)", "runtime": "\(runtime)", "backend": "cpu", "precision": "fp32", "platforms": ["ios"],
         "bytes": 3, "sha256": "0"\(version.map { ", \"runtime_version\": \"\($0)\"" } ?? "")}
        """
    }

    func testRuntimesIOSDoesNotLinkAreRefusedWithWhatToDo() throws {
        let (dir, m) = try bundle([artifact("m.onnx", "onnxruntime"), artifact("m.ptl", "pytorch_mobile"),
                                   artifact("gone.pte", "executorch"), artifact("new.pte", "executorch", version: "9.0.0"),
                                   artifact("m.pte", "executorch")].joined(separator: ","))
        XCTAssertEqual(Runners.refusal(bundle: dir, manifest: m, artifact: m.artifacts[0])?
            .hasPrefix("ONNX Runtime is not linked into the iOS demo"), true)
        XCTAssertEqual(Runners.refusal(bundle: dir, manifest: m, artifact: m.artifacts[1])?
            .contains("use the ExecuTorch .pte artifact"), true)
        XCTAssertEqual(Runners.refusal(bundle: dir, manifest: m, artifact: m.artifacts[2]),
                       "cannot open gone.pte: no such file in the bundle")
        XCTAssertEqual(Runners.refusal(bundle: dir, manifest: m, artifact: m.artifacts[3])?
            .hasPrefix("bundle needs ExecuTorch 9.0.0"), true)
        XCTAssertNil(Runners.refusal(bundle: dir, manifest: m, artifact: m.artifacts[4]))
        XCTAssertThrowsError(try Runners.open(bundle: dir, manifest: m, artifact: m.artifacts[0])) { error in
            XCTAssertTrue(String(describing: error).contains("onnxruntime-objc"))
        }
    }

    func testComputeUnitNames() {
        XCTAssertEqual(ComputeUnits.named("cpu"), .cpuOnly)
        XCTAssertEqual(ComputeUnits.named("cpu_gpu"), .cpuAndGPU)
        XCTAssertEqual(ComputeUnits.named("cpu_ne"), .cpuAndNeuralEngine)
        XCTAssertEqual(ComputeUnits.named("all"), .all)
        XCTAssertEqual(Set(ComputeUnits.labels.keys), Set(BenchmarkArguments.computeUnitNames))
    }
}
