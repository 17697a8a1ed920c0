import Foundation

/// The manifest's `llm` block (docs/llm-contract.md): a causal LM's tokenizer file, prompt format, stop tokens
/// and prompts file. Only what the app reads is declared.
extension Manifest {
    // schema: manifest.schema.json#/$defs/llm
    public struct LLM: Codable, Equatable, Sendable {
        public let architecture: String
        public let tokenizer: LLMTokenizer
        public let promptFormat: PromptFormat
        public let bosId: Int?
        public let eosIds: [Int]
        public let vocabSize: Int
        public let maxSeqLen: Int
        public let kvCache: KVCache
        public let prompts: String
        public let recipe: String?

        enum CodingKeys: String, CodingKey {
            case architecture
            case tokenizer
            case promptFormat = "prompt_format"
            case bosId = "bos_id"
            case eosIds = "eos_ids"
            case vocabSize = "vocab_size"
            case maxSeqLen = "max_seq_len"
            case kvCache = "kv_cache"
            case prompts
            case recipe
        }
    }

    // schema: manifest.schema.json#/$defs/llm/properties/tokenizer
    public struct LLMTokenizer: Codable, Equatable, Sendable {
        public let file: String
        public let kind: String?
        public let addBos: Bool?

        enum CodingKeys: String, CodingKey {
            case file
            case kind
            case addBos = "add_bos"
        }
    }

    // schema: manifest.schema.json#/$defs/llm/properties/kv_cache
    public struct KVCache: Codable, Equatable, Sendable {
        public let dtype: String
        public let bytesPerToken: Int
        public let bytesTotal: Int?

        enum CodingKeys: String, CodingKey {
            case dtype
            case bytesPerToken = "bytes_per_token"
            case bytesTotal = "bytes_total"
        }
    }

    /// The chat template as plain strings (`{content}` is replaced).
    // schema: manifest.schema.json#/$defs/llm/properties/prompt_format
    public struct PromptFormat: Codable, Equatable, Sendable {
        public let system: String?
        public let defaultSystem: String?
        public let user: String
        public let assistantPrefix: String
        public let assistantSuffix: String?

        enum CodingKeys: String, CodingKey {
            case system
            case defaultSystem = "default_system"
            case user
            case assistantPrefix = "assistant_prefix"
            case assistantSuffix = "assistant_suffix"
        }

        public init(system: String?, defaultSystem: String?, user: String, assistantPrefix: String,
                    assistantSuffix: String?) {
            self.system = system
            self.defaultSystem = defaultSystem
            self.user = user
            self.assistantPrefix = assistantPrefix
            self.assistantSuffix = assistantSuffix
        }

        /// One turn or a conversation rendered as the contract says: system (with default_system) + user +
        /// assistant_prefix; each earlier turn is user + assistant_prefix + its answer + assistant_suffix.
        /// - Parameters:
        ///   - history: earlier (user text, answer) pairs, oldest first
        ///   - user: the new user text
        ///   - system: a system text that replaces default_system (nil: default_system)
        public func render(history: [(user: String, answer: String)] = [], user text: String,
                           system systemText: String? = nil) -> String {
            var out = ""
            if let system, let content = systemText ?? defaultSystem {
                out += Self.fill(system, content)
            }
            for turn in history {
                out += Self.fill(user, turn.user) + assistantPrefix + turn.answer + (assistantSuffix ?? "")
            }
            return out + Self.fill(user, text) + assistantPrefix
        }

        static func fill(_ template: String, _ content: String) -> String {
            template.replacingOccurrences(of: "{content}", with: content)
        }
    }

    /// The bundle's prompts file (`llm.prompts`, schemas/prompts.schema.json), path-checked.
    public func readPrompts(bundle: URL) throws -> PromptsFile {
        guard let llm else { throw LLMError.notAnLLM(name) }
        let data = try Data(contentsOf: file(llm.prompts, field: "llm.prompts", bundle: bundle))
        return try PromptsFile.decode(data)
    }

    /// The special tokens' texts by id, from the tokenizer.json's `added_tokens` (path-checked): how the EOS ids
    /// are recognised in a runtime that hands back token text only (ExecuTorch's TextRunner).
    public func readSpecialTokens(bundle: URL) throws -> [Int: String] {
        guard let llm else { throw LLMError.notAnLLM(name) }
        let url = try file(llm.tokenizer.file, field: "llm.tokenizer.file", bundle: bundle)
        return try SpecialTokens.read(tokenizerJSON: Data(contentsOf: url))
    }
}

public enum LLMError: Error, CustomStringConvertible, Equatable, Sendable {
    case notAnLLM(String)
    case unsupportedPrompts(String)
    case unknownPrompt(String, known: [String])
    case tokenizer(String)
    case generation(String)

    public var description: String {
        switch self {
        case .notAnLLM(let name): return "\(name) has no llm block: it is not a language-model bundle"
        case .unsupportedPrompts(let found):
            return "prompts file schema is '\(found)', this app reads \(PromptsFile.supportedSchema): re-export the bundle"
        case .unknownPrompt(let id, let known): return "unknown prompt id '\(id)': the prompts file has \(known)"
        case .tokenizer(let message), .generation(let message): return message
        }
    }
}

/// prompts.json (schemas/prompts.schema.json).
// schema: prompts.schema.json#
public struct PromptsFile: Codable, Equatable, Sendable {
    public static let supportedSchema = "mobilekit.prompts/1"

    public let schema: String
    public let maxNewTokens: Int
    public let prompts: [Prompt]

    enum CodingKeys: String, CodingKey {
        case schema
        case maxNewTokens = "max_new_tokens"
        case prompts
    }

    // schema: prompts.schema.json#/properties/prompts/items
    public struct Prompt: Codable, Equatable, Sendable {
        public let id: String
        public let text: String
        public let chat: Bool
        public let promptTokens: Int
        public let rendered: String?
        public let expected: [Expected]?

        enum CodingKeys: String, CodingKey {
            case id
            case text
            case chat
            case promptTokens = "prompt_tokens"
            case rendered
            case expected
        }

        /// The exact string to generate from: `rendered` when the exporter wrote it, else the template around
        /// `text` (chat) or `text` itself.
        public func input(format: Manifest.PromptFormat) -> String {
            rendered ?? (chat ? format.render(user: text) : text)
        }

        /// The host's greedy output for an artifact file, or nil.
        public func expected(for file: String) -> Expected? {
            expected?.first(where: { $0.file == file })
        }
    }

    // schema: prompts.schema.json#/properties/prompts/items/properties/expected/items
    public struct Expected: Codable, Equatable, Sendable {
        public let file: String
        public let maxNewTokens: Int
        public let tokenIds: [Int]
        public let text: String
        public let stopReason: String?
        public let runtime: String?

        enum CodingKeys: String, CodingKey {
            case file
            case maxNewTokens = "max_new_tokens"
            case tokenIds = "token_ids"
            case text
            case stopReason = "stop_reason"
            case runtime
        }
    }

    public static func decode(_ data: Data) throws -> PromptsFile {
        let file = try JSONDecoder().decode(PromptsFile.self, from: data)
        guard file.schema == supportedSchema else { throw LLMError.unsupportedPrompts(file.schema) }
        return file
    }

    /// The prompts to run: the ids asked for, in that order (all when empty); an unknown id throws.
    public func select(_ ids: [String]) throws -> [Prompt] {
        guard !ids.isEmpty else { return prompts }
        return try ids.map { id in
            guard let p = prompts.first(where: { $0.id == id }) else {
                throw LLMError.unknownPrompt(id, known: prompts.map(\.id))
            }
            return p
        }
    }
}

/// Special tokens of a Hugging Face tokenizer.json.
public enum SpecialTokens {
    /// `added_tokens[].id -> content`.
    public static func read(tokenizerJSON data: Data) throws -> [Int: String] {
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw LLMError.tokenizer("tokenizer.json is not a JSON object")
        }
        var out: [Int: String] = [:]
        for entry in root["added_tokens"] as? [[String: Any]] ?? [] {
            if let id = (entry["id"] as? NSNumber)?.intValue, let content = entry["content"] as? String {
                out[id] = content
            }
        }
        return out
    }
}

/// What generates tokens: ExecuTorch's TextRunner, a stateful Core ML model, or a test double. Called on one
/// background queue; `onToken` is called for every generated token in order (its text, and its id where the
/// runtime gives one) and returns false to stop.
public protocol TokenGenerator: AnyObject {
    /// What `result.json`'s `llm.runtime_api` says, e.g. "TextRunner" or "coreml-stateful".
    var runtimeAPI: String { get }
    /// Loads the model (timed as `llm.load_ms`).
    func load() throws
    /// Generates greedily from `prompt` until EOS, `maxNewTokens` new tokens, `maxSeqLen` tokens in all, or
    /// `onToken` returns false.
    func generate(prompt: String, maxNewTokens: Int, maxSeqLen: Int,
                  onToken: (_ text: String, _ id: Int?) -> Bool) throws
    /// Asks a running `generate` to stop after the current token (any thread).
    func stop()
    /// Forgets the conversation (KV cache position 0).
    func reset()
}

/// One generation's tokens and timing, measured by the app itself (iOS gives no stats callback): time to first
/// token from the start of generate(), prefill tok/s = prompt tokens / TTFT, decode tok/s = (tokens after the
/// first) / (last token time - first token time).
public struct GenerationRecord: Equatable, Sendable {
    public var text = ""
    public var tokenIds: [Int] = []
    public var hasIds = true
    /// Every token the runtime produced, EOS included.
    public var generatedTokens = 0
    public var stopReason: String?
    /// Seconds since generate() started, for each token.
    public var tokenTimes: [Double] = []
    public var totalSeconds: Double = 0

    public init() {}

    public var ttftMs: Double? { tokenTimes.first.map { $0 * 1000 } }

    public func prefillTokPerS(promptTokens: Int?) -> Double? {
        guard let promptTokens, promptTokens > 0, let first = tokenTimes.first, first > 0 else { return nil }
        return Double(promptTokens) / first
    }

    /// Decode time: from the first token to the last.
    public var decodeSeconds: Double? {
        guard let first = tokenTimes.first, let last = tokenTimes.last, tokenTimes.count > 1 else { return nil }
        return last - first
    }

    public var decodeTokPerS: Double? {
        guard let seconds = decodeSeconds, seconds > 0 else { return nil }
        return Double(tokenTimes.count - 1) / seconds
    }

    /// ms per decoded token (what `latency_ms` holds for LLM cases).
    public var decodeMsPerToken: Double? {
        guard let seconds = decodeSeconds, tokenTimes.count > 1 else { return nil }
        return seconds * 1000 / Double(tokenTimes.count - 1)
    }
}

/// Runs one generation through a TokenGenerator, timing every token, recognising EOS (by id, or by text where the
/// runtime gives only text) and keeping EOS out of the text.
public struct GenerationTimer {
    public let eosIds: Set<Int>
    public let eosTexts: Set<String>
    public let clock: () -> Double

    /// - Parameters: specialTokens: id -> text from tokenizer.json (SpecialTokens.read); clock: seconds,
    ///   monotonic (tests pass a fake one).
    public init(eosIds: [Int], specialTokens: [Int: String], clock: @escaping () -> Double = GenerationTimer.monotonic) {
        self.eosIds = Set(eosIds)
        self.eosTexts = Set(eosIds.compactMap { specialTokens[$0] })
        self.clock = clock
    }

    public static func monotonic() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }

    /// Generates, calling `onText` with each piece of visible text as it arrives (the chat view streams it).
    public func run(_ generator: TokenGenerator, prompt: String, maxNewTokens: Int, maxSeqLen: Int,
                    onText: (String) -> Void = { _ in }, shouldStop: () -> Bool = { false }) throws -> GenerationRecord {
        var record = GenerationRecord()
        let start = clock()
        var stoppedByUser = false
        do {
            try generator.generate(prompt: prompt, maxNewTokens: maxNewTokens, maxSeqLen: maxSeqLen) { text, id in
                record.tokenTimes.append(clock() - start)
                record.generatedTokens += 1
                if let id { record.tokenIds.append(id) } else { record.hasIds = false }
                let isEOS = id.map { eosIds.contains($0) } ?? eosTexts.contains(text)
                if isEOS {
                    record.stopReason = "eos"
                    return false
                }
                record.text += text
                onText(text)
                if shouldStop() {
                    stoppedByUser = true
                    return false
                }
                return true
            }
        } catch {
            record.stopReason = "error"
            record.totalSeconds = clock() - start
            throw error
        }
        record.totalSeconds = clock() - start
        if record.stopReason == nil {
            record.stopReason = stoppedByUser ? "stopped" : "max_tokens"
        }
        return record
    }
}

/// The greedy-text check against the host's output (prompts.json `expected` for this artifact).
public enum GreedyCheck {
    public static func check(_ record: GenerationRecord, expected: PromptsFile.Expected?) -> BenchmarkResult.LLMCheck? {
        guard let expected else { return nil }
        let textEqual = record.text == expected.text
        var matched: Int?
        if record.hasIds {
            matched = zip(record.tokenIds, expected.tokenIds).prefix(while: { $0 == $1 }).count
        }
        let ok = textEqual && (matched.map { $0 >= min(expected.tokenIds.count, record.tokenIds.count) } ?? true)
        return BenchmarkResult.LLMCheck(expectedTokens: expected.tokenIds.count, matchedTokens: matched,
                                        textEqual: textEqual, ok: ok)
    }
}
