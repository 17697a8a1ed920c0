import ExecuTorch
import Foundation
import MobilekitCore

/// Runs an ExecuTorch `.pte` with the ExecuTorch Swift `Module` API (SwiftPM branch swiftpm-1.5.1 =
/// the exporter's executorch==1.5.1; products executorch + backend_xnnpack + backend_coreml + kernels_optimized +
/// kernels_quantized, linked with -all_load so the backends and kernels register). The file is
/// memory-mapped and `forward` is loaded up front, so the load time includes method initialisation.
///
/// Threads: the iOS Module has no thread count (Module.load takes per-backend options, and XNNPACK's
/// are workspace sharing and weight caches, not threads): XNNPACK runs on ExecuTorch's shared
/// threadpool, sized by the runtime to the performance cores. The benchmark records `threads` as asked
/// and leaves `threads_used` out, with a note in `errors`.
///
/// Outputs: `forward` returns every output of the program; the manifest's outputs[0] is the first one. (Decoding
/// the whole `[Value]` into one `Tensor<Float>` throws for programs with more than one output.)
public final class ExecuTorchRunner: ModelRunner {
    private let module: Module
    private let shape: [Int]

    public init(url: URL, shape: [Int]) throws {
        module = Module(filePath: url.path, loadMode: .mmap)
        try module.load("forward")
        self.shape = shape
    }

    public var summary: String { "executorch (shared threadpool)" }

    public func run(_ input: [Float]) throws -> [Float] {
        try firstOutput(module.forward([Tensor<Float>(input, shape: shape)]))
    }

    /// Every input as a tensor of its dtype, in the manifest's order (the order `forward` takes them).
    public func run(inputs: [InputTensor]) throws -> [Float] {
        let tensors: [ValueConvertible] = inputs.map { input in
            switch input.storage {
            case .float32(let v): return Tensor<Float>(v, shape: input.shape)
            case .int64(let v): return Tensor<Int64>(v, shape: input.shape)
            case .int32(let v): return Tensor<Int32>(v, shape: input.shape)
            case .bytes(let v, let dtype) where dtype == "uint8": return Tensor<UInt8>(v, shape: input.shape)
            case .bytes(let v, let dtype) where dtype == "bool": return Tensor<Bool>(v.map { $0 != 0 }, shape: input.shape)
            case .bytes(let v, _): return Tensor<Int8>(v.map { Int8(bitPattern: $0) }, shape: input.shape)
            case .float16(let bits):
                // No Float16 Scalar in ExecuTorch's Swift API: the raw half-precision bits as a `.half` tensor.
                return bits.withUnsafeBytes { raw in
                    AnyTensor(bytes: raw.baseAddress!, shape: input.shape, dataType: .half)
                }
            }
        }
        return try firstOutput(module.forward(tensors))
    }

    /// outputs[0] as floats, whatever else the program returns.
    private func firstOutput(_ outputs: [Value]) throws -> [Float] {
        guard let first = outputs.first else {
            throw RunnerError.output("the program's forward returned no outputs")
        }
        guard let tensor: Tensor<Float> = first.tensor() else {
            throw RunnerError.output("the program's first output is not a float32 tensor (it has \(outputs.count) "
                + "outputs); the manifest's outputs[0] must be float32")
        }
        return tensor.scalars()
    }
}
