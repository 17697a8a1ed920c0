import Foundation
import MobilekitCore

/// One loaded artifact that maps inputs[0] to outputs[0] (flat Float arrays, the manifest's shapes).
/// Not thread-safe: call it from one background queue, never the main thread.
protocol ModelRunner: AnyObject {
    /// Runs one inference.
    func run(_ input: [Float]) throws -> [Float]
    /// What runs the model, e.g. "coreml (all compute units)" or "executorch".
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

enum Runners {
    /// Loads an artifact by its manifest `runtime` (never by its file name).
    static func open(bundle: URL, manifest: Manifest, artifact: Manifest.Artifact) throws -> ModelRunner {
        let url = bundle.appendingPathComponent(artifact.file)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw RunnerError.unsupported("cannot open \(url.path): no such file in the bundle")
        }
        switch artifact.runtime {
        case "coreml":
            return try CoreMLRunner(url: url, input: manifest.inputs[0])
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
