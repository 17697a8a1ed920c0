import CoreML
import CoreVideo
import Foundation
import MobilekitCore

/// Owns one Core ML model, compiled and loaded lazily on a private serial queue the first time it
/// is used (as Apple's ManagedMLModel in ml-stable-diffusion does), and runs predictions on that
/// queue. An `.mlpackage` is compiled on the device once (`MLModel.compileModel`) and the compiled
/// `.mlmodelc` is kept in Application Support/compiled-models/<sha256>.mlmodelc, so later launches
/// load it directly. Compute units come from the caller (launch argument `-compute_units` or the
/// demo's picker). The output is the manifest's output name, never a guess.
///
/// mobilekit exports image inputs as Core ML ImageType with the manifest's normalisation folded into
/// the model, so such an input takes the 8-bit picture after resize/crop (before inversion); a float
/// tensor (the bundle's sample, or the demo's preprocessed picture) is turned back into that picture
/// with `ImageTypeFold`. Other inputs are MLMultiArray float32. Multi-input models (a text model's token
/// ids and attention mask) get one MLMultiArray per input name, in the data type the model declares
/// (Core ML integer inputs are usually int32: int64 sample data is converted).
public final class CoreMLRunner: ModelRunner {
    private let url: URL
    private let sha256: String
    private let input: Manifest.Input
    private let outputName: String
    private let unitsName: String
    private let configuration: MLModelConfiguration
    private let queue = DispatchQueue(label: "org.mobilekit.demo.coreml")
    private var model: MLModel?
    public private(set) var compiledFromCache = false

    public init(url: URL, sha256: String, input: Manifest.Input, outputName: String, computeUnits: String = "all") throws {
        self.url = url
        self.sha256 = sha256
        self.input = input
        self.outputName = outputName
        unitsName = computeUnits
        configuration = MLModelConfiguration()
        configuration.computeUnits = ComputeUnits.named(computeUnits)
        try queue.sync { _ = try loadedModel() }  // the benchmark's load time includes compile (first time) + load
    }

    public var summary: String {
        "coreml (compute units \(unitsName)\(compiledFromCache ? ", compiled model from cache" : ""))"
    }

    /// Float values as an MLMultiArray of the given shape (copied).
    static func multiArray(_ values: [Float], shape: [Int]) throws -> MLMultiArray {
        let array = try MLMultiArray(shape: shape.map { NSNumber(value: $0) }, dataType: .float32)
        let pointer = array.dataPointer.bindMemory(to: Float.self, capacity: values.count)
        for i in values.indices {
            pointer[i] = values[i]
        }
        return array
    }

    /// The compiled model, from the cache when this package (by sha256) was compiled before.
    private func compiledURL() throws -> URL {
        try CoreMLRunner.compiled(url, sha256: sha256, fromCache: &compiledFromCache)
    }

    /// `.mlpackage` -> `.mlmodelc`, compiled once per sha256 into Application Support/compiled-models/.
    static func compiled(_ url: URL, sha256: String, fromCache: inout Bool) throws -> URL {
        if url.pathExtension == "mlmodelc" {
            return url
        }
        let fm = FileManager.default
        let cache = try fm.url(for: .applicationSupportDirectory, in: .userDomainMask, appropriateFor: nil, create: true)
            .appendingPathComponent("compiled-models", isDirectory: true)
        try fm.createDirectory(at: cache, withIntermediateDirectories: true)
        let cached = cache.appendingPathComponent("\(sha256).mlmodelc", isDirectory: true)
        if fm.fileExists(atPath: cached.path) {
            fromCache = true
            return cached
        }
        let fresh = try MLModel.compileModel(at: url)  // a temporary directory the system may delete
        try? fm.removeItem(at: cached)
        try fm.moveItem(at: fresh, to: cached)
        return cached
    }

    /// The model, compiled (or taken from the cache) and loaded on first use. Call on `queue` only.
    private func loadedModel() throws -> MLModel {
        if let model {
            return model
        }
        let loaded = try MLModel(contentsOf: try compiledURL(), configuration: configuration)
        model = loaded
        return loaded
    }

    public func run(_ values: [Float]) throws -> [Float] {
        try queue.sync {
            let model = try loadedModel()
            let description = model.modelDescription
            guard let name = description.inputDescriptionsByName.keys.first(where: { $0 == input.name })
                ?? description.inputDescriptionsByName.keys.first,
                let inputDescription = description.inputDescriptionsByName[name] else {
                throw RunnerError.output("the Core ML model has no inputs")
            }
            let value: MLFeatureValue
            if inputDescription.type == .image, let spec = input.preprocess {
                value = MLFeatureValue(pixelBuffer: try pixelBuffer(values, spec: spec))
            } else {
                value = MLFeatureValue(multiArray: try CoreMLRunner.multiArray(values, shape: input.concreteShape))
            }
            let features = try MLDictionaryFeatureProvider(dictionary: [name: value])
            let output = try model.prediction(from: features)
            guard description.outputDescriptionsByName[outputName] != nil else {
                throw RunnerError.output("the Core ML model has no output '\(outputName)' (the manifest's outputs[0]); "
                    + "it has \(description.outputDescriptionsByName.keys.sorted()): re-export the bundle")
            }
            guard let array = output.featureValue(for: outputName)?.multiArrayValue else {
                throw RunnerError.output("the Core ML output '\(outputName)' is not a MultiArray")
            }
            return (0..<array.count).map { array[$0].floatValue }
        }
    }

    public func run(inputs: [InputTensor]) throws -> [Float] {
        try queue.sync {
            let model = try loadedModel()
            let description = model.modelDescription
            let names = description.inputDescriptionsByName.keys.sorted()
            var features: [String: MLFeatureValue] = [:]
            for input in inputs {
                guard let declared = description.inputDescriptionsByName[input.name]?.multiArrayConstraint else {
                    throw RunnerError.unsupported("the Core ML model has no MultiArray input '\(input.name)' (it has "
                        + "\(names)): re-export the bundle")
                }
                let array = try MLMultiArray(shape: input.shape.map { NSNumber(value: $0) }, dataType: declared.dataType)
                switch input.storage {
                case .float32(let v):
                    for (i, x) in v.enumerated() { array[i] = NSNumber(value: x) }
                default:
                    guard let ints = input.int64Values else {
                        throw RunnerError.unsupported("input '\(input.name)' is \(input.dtype): not supported by this app")
                    }
                    for (i, x) in ints.enumerated() {
                        array[i] = declared.dataType == .int32 ? NSNumber(value: Int32(truncatingIfNeeded: x)) : NSNumber(value: x)
                    }
                }
                features[input.name] = MLFeatureValue(multiArray: array)
            }
            let output = try model.prediction(from: try MLDictionaryFeatureProvider(dictionary: features))
            guard let array = output.featureValue(for: outputName)?.multiArrayValue else {
                throw RunnerError.output("the Core ML model has no MultiArray output '\(outputName)' (the manifest's "
                    + "outputs[0]): re-export the bundle")
            }
            return (0..<array.count).map { array[$0].floatValue }
        }
    }

    /// The 8-bit picture an ImageType input takes, from the preprocessed CHW float tensor.
    private func pixelBuffer(_ values: [Float], spec: Manifest.ImagePreprocess) throws -> CVPixelBuffer {
        let height = spec.outputHW[0]
        let width = spec.outputHW[1]
        let gray = spec.channels == 1
        let pixels = ImageTypeFold(spec: spec).pixels(fromTensor: values, channels: spec.channels)
        var buffer: CVPixelBuffer?
        let format = gray ? kCVPixelFormatType_OneComponent8 : kCVPixelFormatType_32BGRA
        let status = CVPixelBufferCreate(kCFAllocatorDefault, width, height, format, nil, &buffer)
        guard status == kCVReturnSuccess, let buffer else {
            throw RunnerError.output("CVPixelBufferCreate failed (\(status))")
        }
        CVPixelBufferLockBaseAddress(buffer, [])
        defer { CVPixelBufferUnlockBaseAddress(buffer, []) }
        guard let base = CVPixelBufferGetBaseAddress(buffer)?.assumingMemoryBound(to: UInt8.self) else {
            throw RunnerError.output("no pixel buffer memory")
        }
        let rowBytes = CVPixelBufferGetBytesPerRow(buffer)
        let hw = width * height
        for y in 0..<height {
            for x in 0..<width {
                let i = y * width + x
                if gray {
                    base[y * rowBytes + x] = pixels[i]
                } else {
                    // Planes are in the spec's color order (RGB, or BGR reversed by the tensor); BGRA memory.
                    let first = pixels[i]
                    let second = pixels[hw + i]
                    let third = pixels[2 * hw + i]
                    let rgb = spec.color == "BGR" ? (third, second, first) : (first, second, third)
                    base[y * rowBytes + 4 * x] = rgb.2
                    base[y * rowBytes + 4 * x + 1] = rgb.1
                    base[y * rowBytes + 4 * x + 2] = rgb.0
                    base[y * rowBytes + 4 * x + 3] = 255
                }
            }
        }
        return buffer
    }
}
