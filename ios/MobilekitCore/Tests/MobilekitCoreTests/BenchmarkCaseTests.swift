import Foundation
@testable import MobilekitCore
import XCTest

struct FixedProbe: DeviceProbe {
    func machine() -> String { "iPhone16,1" }
    func osVersion() -> String { "iOS 18.1.0" }
    func cores() -> Int { 6 }
    func thermalStatus() -> Int { 0 }
    func lowPowerMode() -> Bool { false }
    func appInfo() -> BenchmarkResult.AppInfo { .init(package: "org.mobilekit.demo", version: "0.1.0") }
}

/// Echoes a fixed output and counts calls.
final class FakeRunner: ModelRunner {
    let output: [Float]
    var calls = 0
    init(output: [Float]) { self.output = output }
    func run(_ input: [Float]) throws -> [Float] { calls += 1; return output }
    func run(inputs: [InputTensor]) throws -> [Float] { calls += 1; return output }
    var summary: String { "fake" }
}

/// The headless benchmark mode end to end on real files (result.json, done/error), with the runtimes replaced by
/// fakes: what the app writes for the runner, validated against schemas/result.schema.json by pytest
/// (tests/apps/test_swift.py) from the copies kept in MOBILEKIT_SWIFT_OUT.
final class BenchmarkCaseTests: XCTestCase {
    private func digitsBundle(documents: URL, corrupt: Bool = false) throws -> URL {
        let dir = documents.appendingPathComponent("bundles/digits_cnn")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let pte = Data("a .pte stand-in".utf8)
        try pte.write(to: dir.appendingPathComponent("digits_cnn.xnnpack.int8.pte"))
        let sha = corrupt ? String(repeating: "0", count: 64) : SHA256.hex(of: pte)
        let text = ManifestTests.digits
            .replacingOccurrences(of: "3911c6cd58e703b7e45f3504a571688183ba63e084f280d53a4e4591aa5e5132", with: sha)
        try Data(text.utf8).write(to: dir.appendingPathComponent("manifest.json"))
        try Data((0..<10).map { "\($0)" }.joined(separator: "\n").utf8).write(to: dir.appendingPathComponent("labels.txt"))
        try Data(repeating: 0, count: 784 * 4).write(to: dir.appendingPathComponent("sample_input.bin"))
        var logits = [Float](repeating: 0, count: 10)
        logits[2] = 5
        try Data(logits.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) })
            .write(to: dir.appendingPathComponent("sample_output.bin"))
        return dir
    }

    private func args(_ extra: [String]) throws -> BenchmarkArguments {
        try XCTUnwrap(BenchmarkArguments.parse(["app", "-bundle", "bundles/digits_cnn", "-artifact",
                                                "digits_cnn.xnnpack.int8.pte", "-run_id", "r1", "-warmup", "2",
                                                "-iterations", "5"] + extra))
    }

    func testModelCaseWritesResultAndDone() throws {
        let documents = try TestData.temporaryDirectory()
        _ = try digitsBundle(documents: documents)
        var logits = [Float](repeating: 0, count: 10)
        logits[2] = 3
        let runner = FakeRunner(output: logits)
        let outcome = BenchmarkCase.execute(try args([]), documents: documents, probe: FixedProbe(), stateBefore: nil,
                                            openRunner: { _, _, _ in runner },
                                            openGenerator: { _, _, _ in throw RunnerError.unsupported("no") })
        XCTAssertEqual(outcome, "done")
        XCTAssertEqual(runner.calls, 7)
        let dir = BenchmarkCase.resultDirectory(documents: documents, runId: "r1")
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("done").path))
        let data = try Data(contentsOf: dir.appendingPathComponent("result.json"))
        let result = try JSONDecoder().decode(BenchmarkResult.self, from: data)
        XCTAssertEqual(result.latencyMs.count, 5)
        XCTAssertEqual(result.config.kind, "model")
        XCTAssertEqual(result.check?.gotTop1, 2)
        XCTAssertEqual(result.check?.ok, true)
        XCTAssertTrue(result.errors.contains { $0.hasPrefix("note: threads 0 recorded, not applied") })
        try TestData.keep(data, as: "model-result.json")
    }

    func testADamagedArtifactIsRefusedBeforeLoading() throws {
        let documents = try TestData.temporaryDirectory()
        _ = try digitsBundle(documents: documents, corrupt: true)
        var opened = false
        let outcome = BenchmarkCase.execute(try args([]), documents: documents, probe: FixedProbe(), stateBefore: nil,
                                            openRunner: { _, _, _ in opened = true; return FakeRunner(output: []) },
                                            openGenerator: { _, _, _ in throw RunnerError.unsupported("no") })
        XCTAssertFalse(opened)
        XCTAssertTrue(outcome.hasPrefix("error: digits_cnn.xnnpack.int8.pte has sha256 "), outcome)
        let error = BenchmarkCase.resultDirectory(documents: documents, runId: "r1").appendingPathComponent("error")
        XCTAssertTrue(try String(contentsOf: error, encoding: .utf8).contains("the file is damaged"))
    }

    func testLLMArgumentsParse() throws {
        let a = try XCTUnwrap(BenchmarkArguments.parse(["app", "-mode", "llm", "-bundle", "b", "-artifact", "m.pte",
                                                        "-run_id", "l1", "-prompts", "prompts.json", "-prompt_ids", "a,b",
                                                        "-max_new_tokens", "16", "-repetitions", "3"]))
        XCTAssertEqual(a.mode, "llm")
        XCTAssertEqual(a.promptIds, ["a", "b"])
        XCTAssertEqual(a.maxNewTokens, 16)
        XCTAssertEqual(a.repetitions, 3)
        XCTAssertEqual(a.warmup, 1)
        XCTAssertThrowsError(try BenchmarkArguments.parse(["app", "-mode", "llm", "-bundle", "b", "-artifact", "m",
                                                           "-run_id", "l", "-prompts", "../p.json"]))
        XCTAssertThrowsError(try BenchmarkArguments.parse(["app", "-mode", "chat", "-bundle", "b", "-artifact", "m",
                                                           "-run_id", "l"]))
    }

    func testLLMCaseTimesEveryGenerationAndChecksTheGreedyText() throws {
        let documents = try TestData.temporaryDirectory()
        let bundle = documents.appendingPathComponent("bundles/smollm2")
        try FileManager.default.createDirectory(at: bundle.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: TestData.fixtures.appendingPathComponent("llm"), to: bundle)
        let clock = FakeClock()
        // TextRunner gives text only: "hi", " there", then the EOS token's text.
        let gen = FakeGenerator([("hi", nil), (" there", nil), ("<|im_end|>", nil)], tick: clock.tick)
        let args = try XCTUnwrap(BenchmarkArguments.parse(["app", "-mode", "llm", "-bundle", "bundles/smollm2",
                                                           "-artifact", "smollm2.xnnpack.8da4w.pte", "-run_id", "llm1",
                                                           "-repetitions", "2", "-warmup", "1"]))
        let result = try BenchmarkCase.runLLM(args, bundle: bundle, probe: FixedProbe(), stateBefore: nil,
                                              open: { _, _, _ in gen }, clock: clock.read)
        XCTAssertTrue(gen.loaded)
        XCTAssertEqual(gen.prompts.count, 1 + 2 * 2)  // warm-up + 2 prompts x 2 repetitions
        XCTAssertTrue(gen.prompts[1].hasSuffix("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"))
        XCTAssertEqual(gen.prompts[3], "hi there")  // `rendered` is used as written
        let llm = try XCTUnwrap(result.llm)
        XCTAssertEqual(llm.runtimeApi, "fake")
        XCTAssertEqual(llm.generations.map(\.promptId), ["greet", "greet", "raw", "raw"])
        let g = llm.generations[0]
        XCTAssertEqual(g.generatedTokens, 3)
        XCTAssertEqual(g.stopReason, "eos")
        XCTAssertEqual(g.text, "hi there")
        XCTAssertNil(g.tokenIds)
        XCTAssertEqual(g.check?.textEqual, true)
        XCTAssertEqual(g.check?.ok, true)
        XCTAssertEqual(llm.generations[2].check?.ok, false)  // host said "hi there!" for the raw prompt
        XCTAssertTrue(result.errors.contains { $0.hasPrefix("greedy text mismatch: prompt raw") })
        XCTAssertEqual(result.config.kind, "llm")
        XCTAssertEqual(result.config.iterations, 4)
        XCTAssertEqual(result.latencyMs.count, 4)
        XCTAssertEqual(result.latencyMs[0], 50, accuracy: 1e-9)
        XCTAssertEqual(llm.summary?.decodeTokS ?? 0, 20, accuracy: 1e-9)
        try TestData.keep(try result.encoded(), as: "llm-result.json")
    }
}
