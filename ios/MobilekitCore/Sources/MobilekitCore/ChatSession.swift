import Foundation

/// The chat view's conversation over a TokenGenerator: each turn renders the whole conversation with the manifest's
/// prompt_format (system + earlier turns + the new user text + assistant_prefix), resets the generator and generates,
/// streaming the text; EOS ends the answer. Under every answer: TTFT and decode tok/s (timed by GenerationTimer;
/// prefill tok/s needs the prompt's token count, which only the benchmark's prompts file states).
/// Call `send` on one background queue; `stop` from any thread.
public final class ChatSession: @unchecked Sendable {
    public struct Turn: Equatable, Sendable {
        public let user: String
        public var answer: String
        public var ttftMs: Double?
        public var decodeTokPerS: Double?
        public var generatedTokens: Int
        public var stopReason: String?
    }

    public let llm: Manifest.LLM
    private let generator: TokenGenerator
    private let timer: GenerationTimer
    public private(set) var turns: [Turn] = []
    private let lock = NSLock()
    private var stopRequested = false
    public var maxNewTokens: Int

    public init(llm: Manifest.LLM, generator: TokenGenerator, specialTokens: [Int: String], maxNewTokens: Int = 256,
                clock: @escaping () -> Double = GenerationTimer.monotonic) {
        self.llm = llm
        self.generator = generator
        self.timer = GenerationTimer(eosIds: llm.eosIds, specialTokens: specialTokens, clock: clock)
        self.maxNewTokens = maxNewTokens
    }

    /// The exact string the next turn generates from.
    public func prompt(for text: String) -> String {
        llm.promptFormat.render(history: turns.map { ($0.user, $0.answer) }, user: text)
    }

    /// One turn: `onText` gets each piece of the answer as it is generated.
    @discardableResult
    public func send(_ text: String, onText: (String) -> Void) throws -> Turn {
        lock.lock()
        stopRequested = false
        lock.unlock()
        let prompt = self.prompt(for: text)
        generator.reset()
        let record = try timer.run(generator, prompt: prompt, maxNewTokens: maxNewTokens, maxSeqLen: llm.maxSeqLen,
                                   onText: onText, shouldStop: { [self] in
                                       lock.lock()
                                       defer { lock.unlock() }
                                       return stopRequested
                                   })
        let turn = Turn(user: text, answer: record.text, ttftMs: record.ttftMs, decodeTokPerS: record.decodeTokPerS,
                        generatedTokens: record.generatedTokens, stopReason: record.stopReason)
        turns.append(turn)
        return turn
    }

    /// Stops the answer being generated (the Stop button).
    public func stop() {
        lock.lock()
        stopRequested = true
        lock.unlock()
        generator.stop()
    }

    /// Forgets the conversation.
    public func clear() {
        turns = []
        generator.reset()
    }
}
