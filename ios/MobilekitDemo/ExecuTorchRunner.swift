import ExecuTorch
import Foundation

/// Runs an ExecuTorch `.pte` with the ExecuTorch Swift `Module` API (SwiftPM branch swiftpm-1.5.1 =
/// the exporter's executorch==1.5.1; products executorch + backend_xnnpack + kernels_optimized +
/// kernels_quantized, linked with -all_load so the backend and kernels register). The file is
/// memory-mapped and `forward` is loaded up front, so the load time includes method initialisation.
///
/// Threads: the iOS Module has no thread count (Module.load takes per-backend options, and XNNPACK's
/// are workspace sharing and weight caches, not threads): XNNPACK runs on ExecuTorch's shared
/// threadpool, sized by the runtime to the performance cores. The benchmark records `threads` as asked
/// and leaves `threads_used` out, with a note in `errors`.
final class ExecuTorchRunner: ModelRunner {
    private let module: Module
    private let shape: [Int]

    init(url: URL, shape: [Int]) throws {
        module = Module(filePath: url.path, loadMode: .mmap)
        try module.load("forward")
        self.shape = shape
    }

    var summary: String { "executorch (shared threadpool)" }

    func run(_ input: [Float]) throws -> [Float] {
        let tensor = Tensor<Float>(input, shape: shape)
        let output = try Tensor<Float>(module.forward(tensor))
        return output.scalars()
    }

    /// Every input as a tensor of its dtype, in the manifest's order (the order `forward` takes them).
    func run(inputs: [InputTensor]) throws -> [Float] {
        let tensors: [ValueConvertible] = try inputs.map { input in
            switch input.storage {
            case .float32(let v): return Tensor<Float>(v, shape: input.shape)
            case .int64(let v): return Tensor<Int64>(v, shape: input.shape)
            case .int32(let v): return Tensor<Int32>(v, shape: input.shape)
            case .bytes(let v, let dtype) where dtype == "uint8": return Tensor<UInt8>(v, shape: input.shape)
            case .bytes(let v, let dtype) where dtype == "bool": return Tensor<Bool>(v.map { $0 != 0 }, shape: input.shape)
            case .bytes(let v, _): return Tensor<Int8>(v.map { Int8(bitPattern: $0) }, shape: input.shape)
            case .float16:
                throw RunnerError.unsupported("input '\(input.name)' is float16: re-export it as float32")
            }
        }
        let output = try Tensor<Float>(module.forward(tensors))
        return output.scalars()
    }
}
