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
    /// How to turn a sentence into the model's integer inputs (text bundles), or nil.
    public let tokenizer: Tokenizer?
    /// A causal language model's tokenizer, prompt format, stop tokens and prompts (LLM bundles), or nil.
    public let llm: LLM?

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
        case tokenizer
        case llm
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
        /// image, input_ids, attention_mask, token_type_ids, features or tokens (nil in older bundles).
        public let role: String?

        /// Whether the input takes integers (token ids, masks) rather than real numbers.
        public var isInteger: Bool { !["float32", "float16"].contains(dtype) }

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
        /// embedding: the model L2-normalises the vector itself.
        public let normalize: Bool?

        enum CodingKeys: String, CodingKey {
            case kind
            case softmax
            case topK = "top_k"
            case normalize
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
        /// Every input's raw little-endian file, in the manifest's input order (absent in older bundles).
        public let inputs: [SampleInput]?
        /// Eager FP32 outputs, float32 little-endian.
        public let outputs: [SampleOutput]?
        /// The sentence the sample inputs were tokenized from (text models).
        public let text: String?
        /// The output check passes when cosine(output 0, expected output 0) >= this (default 0.98).
        public let minCosine: Double?

        enum CodingKeys: String, CodingKey {
            case input
            case expectedTop1 = "expected_top1"
            case expectedOutput = "expected_output"
            case inputs
            case outputs
            case text
            case minCosine = "min_cosine"
        }

        /// The check's floor when `min_cosine` is absent.
        public static let defaultMinCosine = 0.98

        /// The eager FP32 outputs[0] file: `expected_output`, else `outputs[0].file`.
        public var expectedOutputFile: String? { expectedOutput ?? outputs?.first?.file }
    }

    // schema: manifest.schema.json#/properties/sample/properties/inputs/items
    public struct SampleInput: Codable, Equatable, Sendable {
        public let name: String
        public let file: String
        public let dtype: String
        public let shape: [Int]
    }

    // schema: manifest.schema.json#/properties/sample/properties/outputs/items
    public struct SampleOutput: Codable, Equatable, Sendable {
        public let name: String
        public let file: String
        public let shape: [Int]?
    }

    /// The manifest's `tokenizer` (see `WordPieceTokenizer`).
    // schema: manifest.schema.json#/$defs/tokenizer
    public struct Tokenizer: Codable, Equatable, Sendable {
        public let kind: String
        public let vocab: String
        public let file: String?
        public let lowercase: Bool?
        public let stripAccents: Bool?
        public let maxLength: Int
        public let clsToken: String?
        public let sepToken: String?
        public let padToken: String?
        public let unkToken: String?
        public let continuingPrefix: String?
        public let maxCharsPerWord: Int?
        public let inputs: TokenizerInputs

        enum CodingKeys: String, CodingKey {
            case kind
            case vocab
            case file
            case lowercase
            case stripAccents = "strip_accents"
            case maxLength = "max_length"
            case clsToken = "cls_token"
            case sepToken = "sep_token"
            case padToken = "pad_token"
            case unkToken = "unk_token"
            case continuingPrefix = "continuing_prefix"
            case maxCharsPerWord = "max_chars_per_word"
            case inputs
        }

        /// A spec with BERT's special tokens (tests, or an app that knows its model).
        public init(vocab: String = "vocab.txt", lowercase: Bool, stripAccents: Bool?, maxLength: Int,
                    inputs: TokenizerInputs) {
            kind = "wordpiece"
            self.vocab = vocab
            file = nil
            self.lowercase = lowercase
            self.stripAccents = stripAccents
            self.maxLength = maxLength
            clsToken = nil
            sepToken = nil
            padToken = nil
            unkToken = nil
            continuingPrefix = nil
            maxCharsPerWord = nil
            self.inputs = inputs
        }

        public var lowercases: Bool { lowercase ?? true }
        /// `strip_accents` null or absent follows `lowercase`, as in BERT.
        public var stripsAccents: Bool { stripAccents ?? lowercases }
        public var cls: String { clsToken ?? "[CLS]" }
        public var sep: String { sepToken ?? "[SEP]" }
        public var pad: String { padToken ?? "[PAD]" }
        public var unk: String { unkToken ?? "[UNK]" }
        public var prefix: String { continuingPrefix ?? "##" }
        public var maxCharsPerWordOrDefault: Int { maxCharsPerWord ?? 100 }
    }

    // schema: manifest.schema.json#/$defs/tokenizer/properties/inputs
    public struct TokenizerInputs: Codable, Equatable, Sendable {
        public let inputIds: String
        public let attentionMask: String?
        public let tokenTypeIds: String?

        enum CodingKeys: String, CodingKey {
            case inputIds = "input_ids"
            case attentionMask = "attention_mask"
            case tokenTypeIds = "token_type_ids"
        }

        public init(inputIds: String, attentionMask: String?, tokenTypeIds: String?) {
            self.inputIds = inputIds
            self.attentionMask = attentionMask
            self.tokenTypeIds = tokenTypeIds
        }
    }

    /// Errors a bundle can have, with messages that say what to do.
    public enum ManifestError: Error, CustomStringConvertible, Equatable, Sendable {
        case unsupportedSchema(String)
        case unknownArtifact(String, known: [String])
        case sampleSize(file: String, bytes: Int, expected: Int)
        case noSampleForIntegerInput(name: String, dtype: String)
        case missingTokenizer(String)
        case dtypeMismatch(name: String, sample: String, model: String)

        public var description: String {
            switch self {
            case .unsupportedSchema(let found):
                return "manifest schema is '\(found)', this app reads \(Manifest.supportedSchema): re-export the bundle"
            case .unknownArtifact(let file, let known):
                return "unknown artifact '\(file)': the manifest lists \(known)"
            case .sampleSize(let file, let bytes, let expected):
                return "\(file) has \(bytes) bytes; the manifest's input shape needs \(expected) (little-endian)"
            case .noSampleForIntegerInput(let name, let dtype):
                return "input '\(name)' (\(dtype)) has no sample data in the bundle (sample.inputs), and integer inputs "
                    + "are not filled with zeros (token ids and an attention mask of zeros make a meaningless run): "
                    + "re-export the bundle with a mobilekit that writes sample.inputs (text models: --tokenizer)"
            case .missingTokenizer(let message):
                return message
            case .dtypeMismatch(let name, let sample, let model):
                return "input '\(name)': sample data is \(sample) but the model takes \(model)"
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

    /// Reads `manifest.json` from a bundle directory and checks every path it names (BundlePath): a bundle that
    /// points outside its folder is refused before anything is read.
    public static func load(bundle: URL) throws -> Manifest {
        let manifest = try decode(Data(contentsOf: bundle.appendingPathComponent("manifest.json")))
        try manifest.checkPaths(bundle: bundle)
        return manifest
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
        let text = try String(contentsOf: file(labels, field: "labels", bundle: bundle), encoding: .utf8)
        var lines = text.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        while let last = lines.last, last.isEmpty {
            lines.removeLast()
        }
        return lines
    }

    /// Whether any input takes integers (a text model's token ids and masks).
    public var hasIntegerInputs: Bool { inputs.contains(where: \.isInteger) }

    /// What to say when a model takes integer inputs but the bundle has no tokenizer, or nil.
    public var missingTokenizerMessage: String? {
        guard tokenizer == nil, hasIntegerInputs else { return nil }
        let names = inputs.filter(\.isInteger).map { "\($0.name) (\($0.dtype))" }
        return "\(name) takes integer inputs \(names) (token ids), but the bundle has no tokenizer vocabulary, so this "
            + "app cannot turn text into them. Re-export it with --tokenizer. The bundle's sample still runs."
    }

    /// Every model input from the bundle's sample, in manifest order and the model's dtypes (`sample.inputs`
    /// matched by name, else by position; older bundles: inputs[0] from `sample.input`). A float input without
    /// sample data gets zeros; an integer input without it throws an error that names it.
    public func readSampleInputs(bundle: URL) throws -> [InputTensor] {
        let files: [SampleInput] = sample.map { s in
            s.inputs ?? [SampleInput(name: inputs[0].name, file: s.input, dtype: inputs[0].dtype, shape: inputs[0].shape)]
        } ?? []
        // Match every input to its sample file first, so a missing integer input is named before any file is read.
        let entries: [SampleInput?] = try inputs.enumerated().map { i, input in
            let entry = files.first(where: { $0.name == input.name })
                ?? (i < files.count && !inputs.contains(where: { $0.name == files[i].name }) ? files[i] : nil)
            if entry == nil && input.isInteger {
                throw ManifestError.noSampleForIntegerInput(name: input.name, dtype: input.dtype)
            }
            return entry
        }
        var out: [InputTensor] = []
        for (input, entry) in zip(inputs, entries) {
            guard let entry else {
                out.append(InputTensor(name: input.name, shape: input.concreteShape,
                                       storage: .float32([Float](repeating: 0, count: input.count))))
                continue
            }
            let data = try Data(contentsOf: file(entry.file, field: "sample.inputs[].file", bundle: bundle))
            let shape = entry.shape.map { max($0, 1) }
            let expected = shape.reduce(1, *) * InputTensor.elementSize(entry.dtype)
            guard data.count == expected else {
                throw ManifestError.sampleSize(file: entry.file, bytes: data.count, expected: expected)
            }
            out.append(try InputTensor.fromLE(data, name: input.name, dtype: entry.dtype, shape: shape).converted(to: input.dtype))
        }
        return out
    }

    /// The host's eager FP32 outputs[0] for the sample, or nil.
    public func readExpectedOutput(bundle: URL) throws -> [Float]? {
        guard let file = sample?.expectedOutputFile else { return nil }
        return Tensors.floatsLE(try Data(contentsOf: self.file(file, field: "sample.expected_output", bundle: bundle)))
    }

    /// A tokenized sentence mapped onto every model input (tokenizer.inputs names, else roles), in manifest order.
    public func textInputs(_ encoding: WordPieceTokenizer.Encoding) throws -> [InputTensor] {
        guard let tokenizer else { throw ManifestError.missingTokenizer(missingTokenizerMessage ?? "no tokenizer") }
        return try inputs.map { input in
            let values: [Int64]
            if input.name == tokenizer.inputs.inputIds || input.role == "input_ids" {
                values = encoding.inputIds
            } else if input.name == tokenizer.inputs.attentionMask || input.role == "attention_mask" {
                values = encoding.attentionMask
            } else if input.name == tokenizer.inputs.tokenTypeIds || input.role == "token_type_ids" {
                values = encoding.tokenTypeIds
            } else if !input.isInteger {
                return InputTensor(name: input.name, shape: input.concreteShape,
                                   storage: .float32([Float](repeating: 0, count: input.count)))
            } else {
                throw ManifestError.noSampleForIntegerInput(name: input.name, dtype: input.dtype)
            }
            let shape = input.shape.enumerated().map { i, d in d >= 0 ? d : (i == input.shape.count - 1 ? values.count : 1) }
            return try InputTensor(name: input.name, shape: shape, storage: .int64(values)).converted(to: input.dtype)
        }
    }

    /// The bundle's sample input (raw little-endian float32 of inputs[0]), size-checked.
    public func readSampleInput(bundle: URL) throws -> [Float]? {
        guard let sample else { return nil }
        let data = try Data(contentsOf: file(sample.input, field: "sample.input", bundle: bundle))
        let expected = inputs[0].count * MemoryLayout<Float>.size
        guard data.count == expected else {
            throw ManifestError.sampleSize(file: sample.input, bytes: data.count, expected: expected)
        }
        return Tensors.floatsLE(data)
    }
}

/// One named model input with its concrete shape and values in the Swift array that matches its dtype.
public struct InputTensor: Equatable, Sendable {
    public enum Storage: Equatable, Sendable {
        case float32([Float])
        case int64([Int64])
        case int32([Int32])
        /// int8, uint8 and bool bytes, with the dtype name.
        case bytes([UInt8], dtype: String)
        /// IEEE half-precision bits.
        case float16([UInt16])
    }

    public let name: String
    public let shape: [Int]
    public let storage: Storage

    public init(name: String, shape: [Int], storage: Storage) {
        self.name = name
        self.shape = shape
        self.storage = storage
    }

    /// The manifest dtype name of the values.
    public var dtype: String {
        switch storage {
        case .float32: return "float32"
        case .int64: return "int64"
        case .int32: return "int32"
        case .bytes(_, let dtype): return dtype
        case .float16: return "float16"
        }
    }

    /// Bytes per element of a manifest dtype.
    public static func elementSize(_ dtype: String) -> Int {
        switch dtype {
        case "int64": return 8
        case "float32", "int32": return 4
        case "float16": return 2
        default: return 1
        }
    }

    /// Reads raw little-endian bytes.
    public static func fromLE(_ data: Data, name: String, dtype: String, shape: [Int]) throws -> InputTensor {
        func load<T: FixedWidthInteger>(_: T.Type) -> [T] {
            data.withUnsafeBytes { raw in
                (0..<(data.count / MemoryLayout<T>.size)).map {
                    T(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self))
                }
            }
        }
        switch dtype {
        case "float32": return InputTensor(name: name, shape: shape, storage: .float32(Tensors.floatsLE(data)))
        case "int64": return InputTensor(name: name, shape: shape, storage: .int64(load(Int64.self)))
        case "int32": return InputTensor(name: name, shape: shape, storage: .int32(load(Int32.self)))
        case "float16": return InputTensor(name: name, shape: shape, storage: .float16(load(UInt16.self)))
        default: return InputTensor(name: name, shape: shape, storage: .bytes([UInt8](data), dtype: dtype))
        }
    }

    /// The values widened to Int64 (integer storage only).
    public var int64Values: [Int64]? {
        switch storage {
        case .int64(let v): return v
        case .int32(let v): return v.map(Int64.init)
        case .bytes(let v, let dtype): return dtype == "int8" ? v.map { Int64(Int8(bitPattern: $0)) } : v.map(Int64.init)
        default: return nil
        }
    }

    /// The same values in the model input's dtype (int64 sample data for an int32 input, and so on).
    public func converted(to target: String) throws -> InputTensor {
        if target == dtype { return self }
        guard let ints = int64Values else {
            throw Manifest.ManifestError.dtypeMismatch(name: name, sample: dtype, model: target)
        }
        switch target {
        case "int64": return InputTensor(name: name, shape: shape, storage: .int64(ints))
        case "int32": return InputTensor(name: name, shape: shape, storage: .int32(ints.map { Int32(truncatingIfNeeded: $0) }))
        case "float32": return InputTensor(name: name, shape: shape, storage: .float32(ints.map { Float($0) }))
        default: return InputTensor(name: name, shape: shape,
                                    storage: .bytes(ints.map { UInt8(truncatingIfNeeded: $0) }, dtype: target))
        }
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

    /// Cosine similarity in double precision; 1 when both are all zeros, 0 when only one is.
    public static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for i in 0..<min(a.count, b.count) {
            dot += Double(a[i]) * Double(b[i])
            na += Double(a[i]) * Double(a[i])
            nb += Double(b[i]) * Double(b[i])
        }
        if na == 0 && nb == 0 { return 1 }
        if na == 0 || nb == 0 { return 0 }
        return max(-1, min(1, dot / (na * nb).squareRoot()))
    }

    /// The largest |a[i] - b[i]|.
    public static func maxAbsErr(_ a: [Float], _ b: [Float]) -> Double {
        zip(a, b).reduce(0.0) { max($0, abs(Double($1.0) - Double($1.1))) }
    }

    /// The L2 norm.
    public static func norm(_ a: [Float]) -> Double {
        a.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
    }

    /// Indices of the k largest values, largest first.
    public static func topK(_ values: [Float], _ k: Int) -> [Int] {
        Array(values.indices.sorted { values[$0] > values[$1] || (values[$0] == values[$1] && $0 < $1) }.prefix(k))
    }
}
