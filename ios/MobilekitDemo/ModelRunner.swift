import CoreML
import Foundation
import MobilekitCore

/// One loaded artifact that maps the manifest's inputs to outputs[0] (flat arrays, the manifest's shapes).
/// Not thread-safe: call it from one background queue, never the main thread.
protocol ModelRunner: AnyObject {
    /// Runs one inference of a single-input float model (a picture, features).
    func run(_ input: [Float]) throws -> [Float]
    /// Runs one inference with every model input in its own dtype (a text model's token ids and mask).
    func run(inputs: [InputTensor]) throws -> [Float]
    /// What runs the model, e.g. "coreml (compute units cpu_ne)" or "executorch".
    var summary: String { get }
}

enum RunnerError: Error, CustomStringConvertible {
    case unsupported(String)
    case output(String)

    var description: String {
        switch self {
        case .unsupported(let message), .output(let message):
            return message
        }
    }
}

/// Core ML compute units by the names the launch argument `-compute_units` and the demo's picker use.
enum ComputeUnits {
    static func named(_ name: String) -> MLComputeUnits {
        switch name {
        case "cpu": return .cpuOnly
        case "cpu_gpu": return .cpuAndGPU
        case "cpu_ne": return .cpuAndNeuralEngine
        default: return .all
        }
    }

    static let labels = ["all": "All", "cpu": "CPU", "cpu_gpu": "CPU + GPU", "cpu_ne": "CPU + Neural Engine"]
}

enum Runners {
    /// Loads an artifact by its manifest `runtime` (never by its file name). A `.pte` from a newer
    /// ExecuTorch than the one linked is refused with what to do.
    static func open(bundle: URL, manifest: Manifest, artifact: Manifest.Artifact,
                     computeUnits: String = "all") throws -> ModelRunner {
        let url = bundle.appendingPathComponent(artifact.file)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw RunnerError.unsupported("cannot open \(url.path): no such file in the bundle")
        }
        if let refusal = RuntimeVersions.refusal(runtime: artifact.runtime,
                                                 runtimeVersion: artifact.neededRuntimeVersion(source: manifest.source),
                                                 file: artifact.file) {
            throw RunnerError.unsupported(refusal)
        }
        switch artifact.runtime {
        case "coreml":
            return try CoreMLRunner(url: url, sha256: artifact.sha256, input: manifest.inputs[0],
                                    outputName: manifest.outputs[0].name, computeUnits: computeUnits)
        case "executorch":
            return try ExecuTorchRunner(url: url, shape: manifest.inputs[0].concreteShape)
        case "onnxruntime":
            throw RunnerError.unsupported("ONNX Runtime is not linked into the iOS demo (onnxruntime-objc): "
                + "benchmark the .pte or .mlpackage artifacts on iOS")
        case "pytorch_mobile":
            throw RunnerError.unsupported("PyTorch Mobile lite (.ptl) artifacts need the legacy build; "
                + "use the ExecuTorch .pte artifact")
        default:
            throw RunnerError.unsupported("unknown runtime '\(artifact.runtime)' for \(artifact.file)")
        }
    }
}
