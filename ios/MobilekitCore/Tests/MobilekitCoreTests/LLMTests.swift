import Foundation
@testable import MobilekitCore
import XCTest

/// A scripted generator: emits the given (text, id) tokens, one per fake-clock tick, and records what it was asked.
final class FakeGenerator: TokenGenerator {
    var script: [(String, Int?)]
    var prompts: [String] = []
    var resets = 0
    var loaded = false
    let tick: () -> Void

    init(_ script: [(String, Int?)], tick: @escaping () -> Void = {}) {
        self.script = script
        self.tick = tick
    }

    var runtimeAPI: String { "fake" }
    func load() throws { loaded = true }
    func stop() {}
    func reset() { resets += 1 }

    func generate(prompt: String, maxNewTokens: Int, maxSeqLen: Int, onToken: (String, Int?) -> Bool) throws {
        prompts.append(prompt)
        for (i, (text, id)) in script.enumerated() where i < maxNewTokens {
            tick()
            if !onToken(text, id) { return }
        }
    }
}

/// A clock that moves only when told: the first token after 0.25 s (prefill), then 0.05 s a token.
final class FakeClock: @unchecked Sendable {
    var now = 0.0
    var first = true
    func read() -> Double { now }
    func tick() {
        now += first ? 0.25 : 0.05
        first = false
    }
}

final class LLMTests: XCTestCase {
    private func fixture() throws -> (URL, Manifest) {
        let dir = try TestData.copyFixture("llm")
        return (dir, try Manifest.load(bundle: dir))
    }

    func testTheFixtureDecodes() throws {
        let (dir, m) = try fixture()
        let llm = try XCTUnwrap(m.llm)
        XCTAssertEqual(llm.eosIds, [13])
        XCTAssertEqual(llm.maxSeqLen, 64)
        XCTAssertEqual(m.inputs.map(\.role), ["input_ids", "cache_position"])
        let prompts = try m.readPrompts(bundle: dir)
        XCTAssertEqual(prompts.prompts.map(\.id), ["greet", "raw"])
        XCTAssertEqual(try prompts.select(["raw"]).map(\.id), ["raw"])
        XCTAssertThrowsError(try prompts.select(["nope"])) { XCTAssertTrue("\($0)".contains("[\"greet\", \"raw\"]")) }
        XCTAssertEqual(try m.readSpecialTokens(bundle: dir), [12: "<|im_start|>", 13: "<|im_end|>"])
    }

    func testPromptFormatRendersSystemTurnsAndThePrefix() throws {
        let (_, m) = try fixture()
        let f = try XCTUnwrap(m.llm).promptFormat
        XCTAssertEqual(f.render(user: "hi"),
                       "<|im_start|>system\nYou are a helpful AI assistant.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n"
                       + "<|im_start|>assistant\n")
        XCTAssertEqual(f.render(history: [("hi", "hello")], user: "bye", system: "Be brief."),
                       "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"
                       + "hello<|im_end|>\n<|im_start|>user\nbye<|im_end|>\n<|im_start|>assistant\n")
        let plain = Manifest.PromptFormat(system: nil, defaultSystem: "ignored", user: "Q: {content}\n",
                                          assistantPrefix: "A:", assistantSuffix: nil)
        XCTAssertEqual(plain.render(user: "2+2?"), "Q: 2+2?\nA:")
    }

    func testTimingAndEOSByTextAsTextRunnerGivesIt() throws {
        let clock = FakeClock()
        let gen = FakeGenerator([("hi", nil), (" there", nil), ("<|im_end|>", nil), ("never", nil)], tick: clock.tick)
        let timer = GenerationTimer(eosIds: [13], specialTokens: [13: "<|im_end|>"], clock: clock.read)
        var streamed: [String] = []
        let r = try timer.run(gen, prompt: "p", maxNewTokens: 8, maxSeqLen: 64, onText: { streamed.append($0) })
        XCTAssertEqual(r.text, "hi there")
        XCTAssertEqual(streamed, ["hi", " there"])
        XCTAssertEqual(r.stopReason, "eos")
        XCTAssertEqual(r.generatedTokens, 3)  // EOS was generated, and is counted, but is not text
        XCTAssertFalse(r.hasIds)
        XCTAssertEqual(r.ttftMs ?? 0, 250, accuracy: 1e-9)
        XCTAssertEqual(r.prefillTokPerS(promptTokens: 21) ?? 0, 84, accuracy: 1e-9)  // 21 tokens in 0.25 s
        XCTAssertEqual(r.decodeTokPerS ?? 0, 20, accuracy: 1e-9)  // 2 tokens in 0.1 s after the first
        XCTAssertEqual(r.decodeMsPerToken ?? 0, 50, accuracy: 1e-9)
    }

    func testEOSByIdMaxTokensAndStop() throws {
        let timer = GenerationTimer(eosIds: [13], specialTokens: [:], clock: FakeClock().read)
        let byId = try timer.run(FakeGenerator([("a", 1), ("", 13)]), prompt: "p", maxNewTokens: 8, maxSeqLen: 64)
        XCTAssertEqual(byId.stopReason, "eos")
        XCTAssertEqual(byId.tokenIds, [1, 13])
        let capped = try timer.run(FakeGenerator([("a", 1), ("b", 2), ("c", 3)]), prompt: "p", maxNewTokens: 2, maxSeqLen: 64)
        XCTAssertEqual(capped.stopReason, "max_tokens")
        XCTAssertEqual(capped.text, "ab")
        var n = 0
        let stopped = try timer.run(FakeGenerator([("a", 1), ("b", 2), ("c", 3)]), prompt: "p", maxNewTokens: 8,
                                    maxSeqLen: 64, shouldStop: { n += 1; return n >= 2 })
        XCTAssertEqual(stopped.stopReason, "stopped")
        XCTAssertEqual(stopped.text, "ab")
    }

    func testGreedyCheckAgainstTheHostsOutput() throws {
        let (dir, m) = try fixture()
        let expected = try m.readPrompts(bundle: dir).prompts[0].expected(for: "smollm2.xnnpack.8da4w.pte")
        var r = GenerationRecord()
        r.text = "hi there"
        r.tokenIds = [6, 11, 13]
        let same = try XCTUnwrap(GreedyCheck.check(r, expected: expected))
        XCTAssertEqual(same, .init(expectedTokens: 3, matchedTokens: 3, textEqual: true, ok: true))
        r.text = "hi the"
        r.tokenIds = [6, 10]
        let off = try XCTUnwrap(GreedyCheck.check(r, expected: expected))
        XCTAssertEqual(off.matchedTokens, 1)
        XCTAssertEqual(off.ok, false)
        var textOnly = GenerationRecord()
        textOnly.text = "hi there"
        textOnly.hasIds = false
        XCTAssertEqual(GreedyCheck.check(textOnly, expected: expected)?.matchedTokens, nil)
        XCTAssertEqual(GreedyCheck.check(textOnly, expected: expected)?.ok, true)
    }

    func testChatSessionRendersTheConversationAndResets() throws {
        let (dir, m) = try fixture()
        let gen = FakeGenerator([("hello", nil), ("<|im_end|>", nil)])
        let chat = ChatSession(llm: try XCTUnwrap(m.llm), generator: gen, specialTokens: try m.readSpecialTokens(bundle: dir))
        var pieces = ""
        let first = try chat.send("hi") { pieces += $0 }
        XCTAssertEqual(first.answer, "hello")
        XCTAssertEqual(pieces, "hello")
        try chat.send("bye") { _ in }
        XCTAssertEqual(gen.resets, 2)
        XCTAssertTrue(gen.prompts[1].hasSuffix("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nhello<|im_end|>\n"
                                               + "<|im_start|>user\nbye<|im_end|>\n<|im_start|>assistant\n"), gen.prompts[1])
        XCTAssertEqual(chat.turns.count, 2)
    }

    func testBPETokenizerOnTheFixture() throws {
        let t = try BPETokenizer(tokenizerJSON: Data(contentsOf: TestData.fixtures.appendingPathComponent("llm/tokenizer.json")))
        XCTAssertEqual(try t.encode("hi there"), [6, 11])
        XCTAssertEqual(try t.encode("<|im_start|>hi there<|im_end|>"), [12, 6, 11, 13])
        XCTAssertEqual(try t.encode("hi\n"), [6, 15])
        XCTAssertEqual(t.decode([6, 11]), "hi there")
        XCTAssertThrowsError(try t.encode("hiz"))  // no token for 'z': an error, never a silent drop
        var stream = StreamingDecoder(tokenizer: t)
        XCTAssertEqual([6, 11].map { stream.add($0) }, ["hi", " there"])
    }
}
