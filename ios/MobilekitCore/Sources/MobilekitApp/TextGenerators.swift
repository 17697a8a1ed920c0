import CoreML
import ExecuTorchLLM
import Foundation
import MobilekitCore

/// ExecuTorch's `TextRunner` (SwiftPM products executorch_llm + kernels_llm): it tokenizes with the bundle's
/// tokenizer.json in C++, prefills, and decodes greedily, calling back with each token's text (no ids, no stats
/// callback on iOS: GenerationTimer times the tokens). The special tokens from tokenizer.json are passed on.
@available(*, deprecated, message: "TextRunner is marked experimental upstream")
public final class ExecuTorchTextGenerator: TokenGenerator {
    private let runner: TextRunner

    public init(modelPath: String, tokenizerPath: String, specialTokens: [Int: String]) {
        runner = TextRunner(modelPath: modelPath, tokenizerPath: tokenizerPath,
                            specialTokens: specialTokens.sorted { $0.key < $1.key }.map(\.value))
    }

    public var runtimeAPI: String { "TextRunner" }

    public func load() throws {
        try runner.load()
    }

    public func generate(prompt: String, maxNewTokens: Int, maxSeqLen: Int,
                         onToken: (_ text: String, _ id: Int?) -> Bool) throws {
        // The callback is called synchronously on this thread, inside generate.
        try withoutActuallyEscaping(onToken) { onToken in
            let config = Config {
                $0.sequenceLength = maxSeqLen
                $0.maximumNewTokens = maxNewTokens
                $0.temperature = 0
                $0.isEchoEnabled = false
            }
            try runner.generate(prompt, config) { [runner] token in
                if !onToken(token, nil) {
                    runner.stop()
                }
            }
        }
    }

    public func stop() {
        runner.stop()
    }

    public func reset() {
        runner.reset()
    }
}

/// A stateful Core ML LLM (iOS 18): the KV cache is the model's MLState (`model.makeState()`), each step is
/// `prediction(from:using:)`. Inputs by the manifest's contract (the `.pte`'s forward): `input_ids` [1, n] and
/// `cache_position` [n] in the integer type the model declares, output `logits` [1, n, vocab]; greedy argmax of the
/// last row. Tokenization: BPETokenizer on the bundle's tokenizer.json (BOS prepended when `add_bos`).
@available(iOS 18.0, macOS 15.0, *)
public final class CoreMLStatefulGenerator: TokenGenerator {
    private let url: URL
    private let sha256: String
    private let llm: Manifest.LLM
    private let tokenizer: BPETokenizer
    private let configuration = MLModelConfiguration()
    private let idsName: String
    private let positionsName: String
    private let logitsName: String
    private var model: MLModel?
    private var stopRequested = false
    private let lock = NSLock()

    /// - Parameters: names: the model's token-id input, cache-position input and logits output (the manifest's
    ///   inputs by role and outputs[0]).
    public init(url: URL, sha256: String, tokenizerJSON: URL, llm: Manifest.LLM,
                names: (inputIds: String, cachePosition: String, logits: String), computeUnits: String) throws {
        self.url = url
        idsName = names.inputIds
        positionsName = names.cachePosition
        logitsName = names.logits
        self.sha256 = sha256
        self.llm = llm
        tokenizer = try BPETokenizer(tokenizerJSON: Data(contentsOf: tokenizerJSON))
        configuration.computeUnits = ComputeUnits.named(computeUnits)
    }

    public var runtimeAPI: String { "coreml-stateful" }

    public func load() throws {
        var cached = false
        let compiled = try CoreMLRunner.compiled(url, sha256: sha256, fromCache: &cached)
        model = try MLModel(contentsOf: compiled, configuration: configuration)
    }

    /// Every generate starts from position 0 with a fresh state (KV cache), so there is nothing to forget.
    public func reset() {}

    public func stop() {
        lock.lock()
        stopRequested = true
        lock.unlock()
    }

    private var shouldStop: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopRequested
    }

    private func array(_ values: [Int], shape: [Int], name: String, model: MLModel) throws -> MLMultiArray {
        let type = model.modelDescription.inputDescriptionsByName[name]?.multiArrayConstraint?.dataType ?? .int32
        let array = try MLMultiArray(shape: shape.map { NSNumber(value: $0) }, dataType: type)
        for (i, v) in values.enumerated() { array[i] = NSNumber(value: v) }
        return array
    }

    /// One step: the tokens at positions `start..<start+ids.count`, the argmax of the last position's logits.
    private func step(_ ids: [Int], start: Int, model: MLModel, state: MLState) throws -> Int {
        let positions = Array(start..<(start + ids.count))
        let features = try MLDictionaryFeatureProvider(dictionary: [
            idsName: MLFeatureValue(multiArray: try array(ids, shape: [1, ids.count], name: idsName, model: model)),
            positionsName: MLFeatureValue(multiArray: try array(positions, shape: [ids.count], name: positionsName,
                                                                model: model)),
        ])
        let out = try model.prediction(from: features, using: state)
        guard let logits = out.featureValue(for: logitsName)?.multiArrayValue else {
            throw LLMError.generation("the Core ML model has no MultiArray output '\(logitsName)': re-export the bundle")
        }
        let vocab = llm.vocabSize
        let last = logits.count - vocab
        guard last >= 0 else { throw LLMError.generation("logits has \(logits.count) values, fewer than the vocabulary") }
        var best = 0
        var bestValue = -Float.infinity
        for i in 0..<vocab {
            let v = logits[last + i].floatValue
            if v > bestValue { bestValue = v; best = i }
        }
        return best
    }

    public func generate(prompt: String, maxNewTokens: Int, maxSeqLen: Int,
                         onToken: (_ text: String, _ id: Int?) -> Bool) throws {
        guard let model else { throw LLMError.generation("load the model first") }
        lock.lock()
        stopRequested = false
        lock.unlock()
        var ids = try tokenizer.encode(prompt)
        if llm.tokenizer.addBos == true, let bos = llm.bosId { ids.insert(bos, at: 0) }
        guard ids.count < maxSeqLen else {
            throw LLMError.generation("the prompt has \(ids.count) tokens, the model holds \(maxSeqLen)")
        }
        let state = model.makeState()
        var decoder = StreamingDecoder(tokenizer: tokenizer)
        var token = try step(ids, start: 0, model: model, state: state)
        var position = ids.count
        var produced = 0
        while true {
            produced += 1
            let isEOS = llm.eosIds.contains(token)
            let text = isEOS ? (tokenizer.idToToken[token] ?? "") : decoder.add(token)
            if !onToken(text, token) || isEOS || produced >= maxNewTokens || position + 1 >= maxSeqLen || shouldStop {
                return
            }
            token = try step([token], start: position, model: model, state: state)
            position += 1
        }
    }
}
