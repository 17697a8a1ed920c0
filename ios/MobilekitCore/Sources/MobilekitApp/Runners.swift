import CoreML
import Foundation
import MobilekitCore

/// Core ML compute units by the names the launch argument `-compute_units` and the demo's picker use.
public enum ComputeUnits {
    public static func named(_ name: String) -> MLComputeUnits {
        switch name {
        case "cpu": return .cpuOnly
        case "cpu_gpu": return .cpuAndGPU
        case "cpu_ne": return .cpuAndNeuralEngine
        default: return .all
        }
    }

    public static let labels = ["all": "All", "cpu": "CPU", "cpu_gpu": "CPU + GPU", "cpu_ne": "CPU + Neural Engine"]
}

public enum Runners {
    /// Why an artifact cannot be opened on iOS before anything is loaded, or nil: a missing file, a `.pte` from a
    /// newer ExecuTorch than the one linked, a runtime iOS does not link.
    public static func refusal(bundle: URL, manifest: Manifest, artifact: Manifest.Artifact) -> String? {
        guard let url = try? manifest.file(artifact.file, field: "artifacts[].file", bundle: bundle),
              FileManager.default.fileExists(atPath: url.path) else {
            return "cannot open \(artifact.file): no such file in the bundle"
        }
        if let refusal = RuntimeVersions.refusal(runtime: artifact.runtime,
                                                 runtimeVersion: artifact.neededRuntimeVersion(source: manifest.source),
                                                 file: artifact.file) {
            return refusal
        }
        switch artifact.runtime {
        case "coreml", "executorch":
            return nil
        case "onnxruntime", "onnxruntime_genai":
            return "ONNX Runtime is not linked into the iOS demo (onnxruntime-objc): benchmark the .pte or .mlpackage "
                + "artifacts on iOS"
        case "pytorch_mobile":
            return "PyTorch Mobile lite (.ptl) artifacts need the legacy build; use the ExecuTorch .pte artifact"
        default:
            return "unknown runtime '\(artifact.runtime)' for \(artifact.file)"
        }
    }

    /// Loads an artifact by its manifest `runtime` (never by its file name).
    public static func open(bundle: URL, manifest: Manifest, artifact: Manifest.Artifact,
                            computeUnits: String = "all") throws -> ModelRunner {
        if let refusal = refusal(bundle: bundle, manifest: manifest, artifact: artifact) {
            throw RunnerError.unsupported(refusal)
        }
        let url = try manifest.file(artifact.file, field: "artifacts[].file", bundle: bundle)
        if artifact.runtime == "coreml" {
            return try CoreMLRunner(url: url, sha256: artifact.sha256, input: manifest.inputs[0],
                                    outputName: manifest.outputs[0].name, computeUnits: computeUnits)
        }
        return try ExecuTorchRunner(url: url, shape: manifest.inputs[0].concreteShape)
    }

    /// A token generator for an LLM artifact: ExecuTorch's TextRunner for a `.pte`, the stateful Core ML model for
    /// an `.mlpackage` (iOS 18).
    public static func openGenerator(bundle: URL, manifest: Manifest, artifact: Manifest.Artifact,
                                     computeUnits: String = "all") throws -> TokenGenerator {
        guard let llm = manifest.llm else { throw LLMError.notAnLLM(manifest.name) }
        if let refusal = refusal(bundle: bundle, manifest: manifest, artifact: artifact) {
            throw RunnerError.unsupported(refusal)
        }
        let url = try manifest.file(artifact.file, field: "artifacts[].file", bundle: bundle)
        let tokenizer = try manifest.file(llm.tokenizer.file, field: "llm.tokenizer.file", bundle: bundle)
        if artifact.runtime == "coreml" {
            guard #available(iOS 18.0, macOS 15.0, *) else {
                throw RunnerError.unsupported("the stateful Core ML LLM needs iOS 18 (MLState); use the .pte artifact")
            }
            let ids = manifest.inputs.first(where: { $0.role == "input_ids" })?.name ?? "input_ids"
            let positions = manifest.inputs.first(where: { $0.role == "cache_position" })?.name ?? "cache_position"
            return try CoreMLStatefulGenerator(url: url, sha256: artifact.sha256, tokenizerJSON: tokenizer, llm: llm,
                                               names: (ids, positions, manifest.outputs[0].name),
                                               computeUnits: computeUnits)
        }
        return ExecuTorchTextGenerator(modelPath: url.path, tokenizerPath: tokenizer.path,
                                       specialTokens: try manifest.readSpecialTokens(bundle: bundle))
    }
}
