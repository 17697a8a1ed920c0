import Foundation

/// A bundle's `manifest.json` (schemas/manifest.schema.json, `mobilekit.manifest/1`).
///
/// Only what the app reads is declared; unknown keys are ignored by `JSONDecoder`. Keys are the
/// schema's snake_case names (the `// schema:` line above each type says which schema object it
/// decodes; tests/apps/test_ios.py checks every key against the schema).
// schema: manifest.schema.json#
public struct Manifest: Codable, Equatable, Sendable {
    public static let supportedSchema = "mobilekit.manifest/1"

    public let schema: String
    public let name: String
    public let createdUtc: String
    public let source: Source
    public let inputs: [Input]
    public let outputs: [Output]
    public let labels: String?
    public let artifacts: [Artifact]
    public let failures: [Failure]?
    public let sample: Sample?

    enum CodingKeys: String, CodingKey {
        case schema
        case name
        case createdUtc = "created_utc"
        case source
        case inputs
        case outputs
        case labels
        case artifacts
        case failures
        case sample
    }

    // schema: manifest.schema.json#/properties/source
    public struct Source: Codable, Equatable, Sendable {
        public let model: String
        public let torch: String
        public let executorch: String?
        public let trained: Bool?
        public let description: String?
    }

    // schema: manifest.schema.json#/$defs/input
    public struct Input: Codable, Equatable, Sendable {
        public let name: String
        public let dtype: String
        public let shape: [Int]
        public let layout: String?
        public let preprocess: ImagePreprocess?

        /// Element count with dynamic (-1) dimensions taken as 1 (the app runs batch-1 inputs).
        public var count: Int { shape.reduce(1) { $0 * max($1, 1) } }

        /// The shape with dynamic (-1) dimensions taken as 1.
        public var concreteShape: [Int] { shape.map { max($0, 1) } }
    }

    // schema: manifest.schema.json#/$defs/image_preprocess
    public struct ImagePreprocess: Codable, Equatable, Sendable {
        public let kind: String
        public let color: String
        public let resize: [Int]
        public let crop: [Int]?
        public let interpolation: String?
        public let scale: Double
        public let mean: [Double]
        public let std: [Double]
        public let invert: Bool?
        /// Resize so the picture covers `resize` keeping its aspect ratio, then centre-crop to `resize`.
        public let keepAspect: Bool?

        enum CodingKeys: String, CodingKey {
            case kind
            case color
            case resize
            case crop
            case interpolation
            case scale
            case mean
            case std
            case invert
            case keepAspect = "keep_aspect"
        }

        public init(color: String, resize: [Int], crop: [Int]? = nil, interpolation: String? = "bilinear",
                    scale: Double, mean: [Double], std: [Double], invert: Bool? = false, keepAspect: Bool? = nil) {
            self.kind = "image"
            self.color = color
            self.resize = resize
            self.crop = crop
            self.interpolation = interpolation
            self.scale = scale
            self.mean = mean
            self.std = std
            self.invert = invert
            self.keepAspect = keepAspect
        }

        /// 1 for L, 3 for RGB and BGR.
        public var channels: Int { color == "L" ? 1 : 3 }

        /// [height, width] of the tensor this spec produces.
        public var outputHW: [Int] { crop ?? resize }
    }

    // schema: manifest.schema.json#/$defs/output
    public struct Output: Codable, Equatable, Sendable {
        public let name: String
        public let dtype: String
        public let shape: [Int]
        public let postprocess: Postprocess?
    }

    // schema: manifest.schema.json#/$defs/output/properties/postprocess/oneOf/1
    public struct Postprocess: Codable, Equatable, Sendable {
        public let kind: String
        public let softmax: Bool?
        public let topK: Int?

        enum CodingKeys: String, CodingKey {
            case kind
            case softmax
            case topK = "top_k"
        }
    }

    // schema: manifest.schema.json#/$defs/artifact
    public struct Artifact: Codable, Equatable, Sendable {
        public let file: String
        public let target: String?
        public let runtime: String
        public let backend: String
        public let precision: String
        public let platforms: [String]
        public let legacy: Bool?
        public let bytes: Int
        public let sha256: String
        public let minimumOs: String?
        public let extraFiles: [String]?
        /// The runtime release the exporter used (ExecuTorch for `.pte`), e.g. "1.5.1".
        public let runtimeVersion: String?
        public let validation: Validation?

        enum CodingKeys: String, CodingKey {
            case file
            case target
            case runtime
            case backend
            case precision
            case platforms
            case legacy
            case bytes
            case sha256
            case minimumOs = "minimum_os"
            case extraFiles = "extra_files"
            case runtimeVersion = "runtime_version"
            case validation
        }

        /// Host validation of the artifact against FP32 (only what the app shows).
        // schema: manifest.schema.json#/$defs/artifact/properties/validation
        public struct Validation: Codable, Equatable, Sendable {
            public let status: String?
            public let reason: String?
            public let top1Agreement: Double?
            public let sqnrDb: Double?

            enum CodingKeys: String, CodingKey {
                case status
                case reason
                case top1Agreement = "top1_agreement"
                case sqnrDb = "sqnr_db"
            }
        }

        /// The warning to show (alert) or record (benchmark `errors`) before loading a low-fidelity artifact.
        public var fidelityWarning: String? {
            guard validation?.status == "low_fidelity" else { return nil }
            return "\(file) is marked low fidelity by host validation: "
                + (validation?.reason ?? "its outputs differ from FP32 beyond the floor.")
        }

        /// The ExecuTorch version this artifact needs (`runtime_version`, else the manifest's `source.executorch`).
        public func neededRuntimeVersion(source: Source) -> String? {
            runtimeVersion ?? (runtime == "executorch" ? source.executorch : nil)
        }
    }

    // schema: manifest.schema.json#/properties/failures/items
    public struct Failure: Codable, Equatable, Sendable {
        public let target: String
        public let precision: String
        public let error: String
        public let hint: String?
    }

    // schema: manifest.schema.json#/properties/sample
    public struct Sample: Codable, Equatable, Sendable {
        public let input: String
        public let expectedTop1: Int?
        public let expectedOutput: String?

        enum CodingKeys: String, CodingKey {
            case input
            case expectedTop1 = "expected_top1"
            case expectedOutput = "expected_output"
        }
    }

    /// Errors a bundle can have, with messages that say what to do.
    public enum ManifestError: Error, CustomStringConvertible, Equatable, Sendable {
        case unsupportedSchema(String)
        case unknownArtifact(String, known: [String])
        case sampleSize(file: String, bytes: Int, expected: Int)

        public var description: String {
            switch self {
            case .unsupportedSchema(let found):
                return "manifest schema is '\(found)', this app reads \(Manifest.supportedSchema): re-export the bundle"
            case .unknownArtifact(let file, let known):
                return "unknown artifact '\(file)': the manifest lists \(known)"
            case .sampleSize(let file, let bytes, let expected):
                return "\(file) has \(bytes) bytes; the manifest's input shape needs \(expected) (float32, little-endian)"
            }
        }
    }

    /// Decodes manifest JSON and checks its version.
    public static func decode(_ data: Data) throws -> Manifest {
        let manifest = try JSONDecoder().decode(Manifest.self, from: data)
        guard manifest.schema == supportedSchema else {
            throw ManifestError.unsupportedSchema(manifest.schema)
        }
        return manifest
    }

    /// Reads `manifest.json` from a bundle directory.
    public static func load(bundle: URL) throws -> Manifest {
        try decode(Data(contentsOf: bundle.appendingPathComponent("manifest.json")))
    }

    /// The artifact entry for a file name.
    public func artifact(named file: String) throws -> Artifact {
        guard let found = artifacts.first(where: { $0.file == file }) else {
            throw ManifestError.unknownArtifact(file, known: artifacts.map(\.file))
        }
        return found
    }

    /// The labels, one a line, or an empty list when the bundle has none.
    public func readLabels(bundle: URL) throws -> [String] {
        guard let labels else { return [] }
        let text = try String(contentsOf: bundle.appendingPathComponent(labels), encoding: .utf8)
        var lines = text.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        while let last = lines.last, last.isEmpty {
            lines.removeLast()
        }
        return lines
    }

    /// The bundle's sample input (raw little-endian float32 of inputs[0]), size-checked.
    public func readSampleInput(bundle: URL) throws -> [Float]? {
        guard let sample else { return nil }
        let data = try Data(contentsOf: bundle.appendingPathComponent(sample.input))
        let expected = inputs[0].count * MemoryLayout<Float>.size
        guard data.count == expected else {
            throw ManifestError.sampleSize(file: sample.input, bytes: data.count, expected: expected)
        }
        return Tensors.floatsLE(data)
    }
}

/// Small helpers on flat float tensors.
public enum Tensors {
    /// Little-endian float32 bytes to floats.
    public static func floatsLE(_ data: Data) -> [Float] {
        var out = [Float](repeating: 0, count: data.count / 4)
        data.withUnsafeBytes { raw in
            for i in 0..<out.count {
                let bits = raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)
                out[i] = Float(bitPattern: UInt32(littleEndian: bits))
            }
        }
        return out
    }

    /// Index of the largest value, the first one on ties (numpy's argmax).
    public static func argmax(_ values: [Float]) -> Int {
        var best = 0
        for i in values.indices where values[i] > values[best] {
            best = i
        }
        return best
    }

    /// Numerically stable softmax.
    public static func softmax(_ logits: [Float]) -> [Float] {
        guard let maxValue = logits.max() else { return [] }
        let exps = logits.map { Foundation.exp(Double($0 - maxValue)) }
        let sum = exps.reduce(0, +)
        return exps.map { Float($0 / sum) }
    }

    /// Indices of the k largest values, largest first.
    public static func topK(_ values: [Float], _ k: Int) -> [Int] {
        Array(values.indices.sorted { values[$0] > values[$1] || (values[$0] == values[$1] && $0 < $1) }.prefix(k))
    }
}
