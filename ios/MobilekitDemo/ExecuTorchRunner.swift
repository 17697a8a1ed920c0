import ExecuTorch
import Foundation

/// Runs an ExecuTorch `.pte` with the ExecuTorch Swift `Module` API (SwiftPM branch swiftpm-1.3.1,
/// products executorch + backend_xnnpack + kernels_optimized + kernels_quantized, linked with
/// -all_load so the backend and kernels register). The file is memory-mapped and `forward` is loaded
/// up front, so the load time includes method initialisation. ExecuTorch's iOS Module has no thread
/// setting: XNNPACK sizes its own thread pool.
final class ExecuTorchRunner: ModelRunner {
    private let module: Module
    private let shape: [Int]

    init(url: URL, shape: [Int]) throws {
        module = Module(filePath: url.path, loadMode: .mmap)
        try module.load("forward")
        self.shape = shape
    }

    var summary: String { "executorch" }

    func run(_ input: [Float]) throws -> [Float] {
        let tensor = Tensor<Float>(input, shape: shape)
        let output = try Tensor<Float>(module.forward(tensor))
        return output.scalars()
    }
}
