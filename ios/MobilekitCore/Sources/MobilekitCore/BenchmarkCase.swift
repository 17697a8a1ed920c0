import Foundation

/// One loaded artifact that maps the manifest's inputs to outputs[0] (flat arrays, the manifest's shapes).
/// Not thread-safe: call it from one background queue, never the main thread.
public protocol ModelRunner: AnyObject {
    /// Runs one inference of a single-input float model (a picture, features).
    func run(_ input: [Float]) throws -> [Float]
    /// Runs one inference with every model input in its own dtype (a text model's token ids and mask).
    func run(inputs: [InputTensor]) throws -> [Float]
    /// What runs the model, e.g. "coreml (compute units cpu_ne)" or "executorch".
    var summary: String { get }
}

public enum RunnerError: Error, CustomStringConvertible, Sendable {
    case unsupported(String)
    case output(String)

    public var description: String {
        switch self {
        case .unsupported(let message), .output(let message):
            return message
        }
    }
}

/// What the benchmark records about the phone, from the platform (UIKit/ProcessInfo on iOS; a fixed probe in
/// tests). Called off the main thread except `state`, which the app samples on the main actor before the case.
public protocol DeviceProbe: Sendable {
    /// e.g. "iPhone16,1".
    func machine() -> String
    /// e.g. "iOS 18.1.0".
    func osVersion() -> String
    func cores() -> Int
    /// Android's thermal scale (BenchmarkResult.thermalStatus).
    func thermalStatus() -> Int
    func lowPowerMode() -> Bool
    func appInfo() -> BenchmarkResult.AppInfo
}

/// The headless benchmark mode's case, platform-free: the app supplies how to open a runner (ExecuTorch,
/// Core ML) or a token generator, and a device probe; this writes `result.json` and `done`, or `error`.
public enum BenchmarkCase {
    public typealias OpenRunner = (_ bundle: URL, _ manifest: Manifest, _ artifact: Manifest.Artifact) throws -> ModelRunner
    public typealias OpenGenerator = (_ bundle: URL, _ manifest: Manifest, _ artifact: Manifest.Artifact) throws -> TokenGenerator

    /// `documents/mobilekit/<run_id>/`.
    public static func resultDirectory(documents: URL, runId: String) -> URL {
        documents.appendingPathComponent("mobilekit").appendingPathComponent(runId)
    }

    /// A relative `-bundle` is inside Documents; an absolute one is taken as given.
    public static func bundleURL(_ path: String, documents: URL) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : documents.appendingPathComponent(path)
    }

    /// The whole case: returns "done" or "error: message" after writing the files.
    public static func execute(_ args: BenchmarkArguments, documents: URL, probe: DeviceProbe,
                               stateBefore: BenchmarkResult.State?, openRunner: OpenRunner,
                               openGenerator: OpenGenerator) -> String {
        let dir = resultDirectory(documents: documents, runId: args.runId)
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
            for name in ["result.json", "done", "error"] {
                try? fm.removeItem(at: dir.appendingPathComponent(name))
            }
            let bundle = bundleURL(args.bundle, documents: documents)
            let result = args.mode == "llm"
                ? try runLLM(args, bundle: bundle, probe: probe, stateBefore: stateBefore, open: openGenerator)
                : try run(args, bundle: bundle, probe: probe, stateBefore: stateBefore, open: openRunner)
            try result.encoded().write(to: dir.appendingPathComponent("result.json"), options: .atomic)
            try Data().write(to: dir.appendingPathComponent("done"), options: .atomic)
            return "done"
        } catch {
            let message = String(describing: error)
            try? Data(message.utf8).write(to: dir.appendingPathComponent("error"), options: .atomic)
            return "error: " + message
        }
    }

    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }

    static func epochMs() -> Int { Int(Date().timeIntervalSince1970 * 1000) }

    static func milliseconds(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }

    /// The artifact's sha256 as found on the phone (a file's digest; an .mlpackage folder's as the exporter computes
    /// it), refused when it differs from the manifest's: a damaged or swapped file is never benchmarked.
    static func checkedSha256(bundle: URL, manifest: Manifest, artifact: Manifest.Artifact) throws -> String {
        let url = try manifest.file(artifact.file, field: "artifacts[].file", bundle: bundle)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw RunnerError.unsupported("cannot open \(artifact.file): no such file in the bundle")
        }
        let digest = isDirectory.boolValue ? try SHA256.hex(ofFolder: url) : try SHA256.hex(of: url)
        guard digest == artifact.sha256 else {
            throw RunnerError.unsupported("\(artifact.file) has sha256 \(digest), the manifest says \(artifact.sha256): "
                + "the file is damaged or not this bundle's; copy the bundle again")
        }
        return digest
    }

    static func common(_ args: BenchmarkArguments, manifest: Manifest, artifact: Manifest.Artifact,
                       stateBefore: BenchmarkResult.State?) -> [String] {
        var errors: [String] = []
        if let warning = artifact.fidelityWarning {
            errors.append("warning: " + warning)
        }
        if artifact.runtime == "executorch" {
            errors.append("note: threads \(args.threads) recorded, not applied: ExecuTorch's iOS API has no thread "
                + "count; XNNPACK runs on the shared threadpool (performance cores)")
        }
        if let stateBefore, stateBefore.screenOn == false {
            errors.append("warning: the app was not active in the foreground when the case started")
        }
        if stateBefore?.powerSave == true {
            errors.append("warning: Low Power Mode was on (CPU and GPU clocks are capped)")
        }
        return errors
    }

    static func device(_ probe: DeviceProbe) -> BenchmarkResult.Device {
        .init(manufacturer: "Apple", model: probe.machine(), soc: nil, abi: "arm64", osVersion: probe.osVersion(),
              cores: probe.cores())
    }

    static func stateAfter(_ probe: DeviceProbe) -> BenchmarkResult.State {
        .init(screenOn: nil, keyguardLocked: nil, powerSave: probe.lowPowerMode(), thermalStatus: probe.thermalStatus())
    }

    /// A model case: warm-up, timed iterations, the output check.
    public static func run(_ args: BenchmarkArguments, bundle: URL, probe: DeviceProbe,
                           stateBefore: BenchmarkResult.State?, open: OpenRunner) throws -> BenchmarkResult {
        let started = now()
        let manifest = try Manifest.load(bundle: bundle)
        let artifact = try manifest.artifact(named: args.artifact)
        let sha = try checkedSha256(bundle: bundle, manifest: manifest, artifact: artifact)
        // Every input from the bundle's sample (pictures, token ids, attention masks), each in its dtype; a
        // single float input keeps the runners' float path.
        let inputs = try manifest.readSampleInputs(bundle: bundle)
        let x: [Float]? = inputs.count == 1 ? { if case .float32(let v) = inputs[0].storage { return v }; return nil }() : nil
        let expectedOutput = try manifest.readExpectedOutput(bundle: bundle)
        let thermalBefore = probe.thermalStatus()

        let loadStart = DispatchTime.now().uptimeNanoseconds
        let runner = try open(bundle, manifest, artifact)
        let loadMs = milliseconds(since: loadStart)
        var output: [Float] = []
        for _ in 0..<args.warmup {
            output = try x.map { try runner.run($0) } ?? runner.run(inputs: inputs)
        }
        var latencies: [Double] = []
        latencies.reserveCapacity(args.iterations)
        let timedStart = epochMs()
        for _ in 0..<args.iterations {
            let start = DispatchTime.now().uptimeNanoseconds
            output = try x.map { try runner.run($0) } ?? runner.run(inputs: inputs)
            latencies.append(milliseconds(since: start))
        }
        let timedEnd = epochMs()
        guard let stats = Stats(latencies) else {
            throw RunnerError.output("no iterations were timed")
        }
        let check = BenchmarkResult.Check(manifest: manifest, got: output.isEmpty ? nil : output, expected: expectedOutput)
        var errors = common(args, manifest: manifest, artifact: artifact, stateBefore: stateBefore)
        if let problem = check.problem {
            errors.append(problem)
        }
        return BenchmarkResult(
            runId: args.runId, startedUtc: started, finishedUtc: now(), app: probe.appInfo(), device: device(probe),
            artifact: .init(file: artifact.file, sha256: sha, runtime: artifact.runtime, backend: artifact.backend,
                            precision: artifact.precision),
            config: .init(warmup: args.warmup, iterations: args.iterations, threads: args.threads, energy: args.energy,
                          threadsUsed: nil, kind: "model"),
            loadMs: loadMs, latencyMs: latencies, stats: stats, memory: nil, energy: nil,
            thermal: .init(statusBefore: thermalBefore, statusAfter: probe.thermalStatus()),
            check: check, errors: errors,
            timing: .init(timedStartMs: timedStart, timedEndMs: timedEnd),
            deviceState: .init(before: stateBefore, after: stateAfter(probe)))
    }

    /// An LLM case (docs/llm-contract.md): load once, `warmup` untimed generations of the first prompt, then
    /// `repetitions` timed generations of each prompt (reset between), each checked against the host's greedy
    /// text; `latency_ms` holds each generation's decode ms per token.
    public static func runLLM(_ args: BenchmarkArguments, bundle: URL, probe: DeviceProbe,
                              stateBefore: BenchmarkResult.State?, open: OpenGenerator,
                              clock: @escaping () -> Double = GenerationTimer.monotonic) throws -> BenchmarkResult {
        let started = now()
        let manifest = try Manifest.load(bundle: bundle)
        guard let llm = manifest.llm else { throw LLMError.notAnLLM(manifest.name) }
        let artifact = try manifest.artifact(named: args.artifact)
        let sha = try checkedSha256(bundle: bundle, manifest: manifest, artifact: artifact)
        let promptsName = args.prompts ?? llm.prompts
        try BundlePath.checkText(promptsName, field: "-prompts")
        let promptsFile = try PromptsFile.decode(Data(contentsOf: manifest.file(promptsName, field: "-prompts",
                                                                                 bundle: bundle)))
        let prompts = try promptsFile.select(args.promptIds)
        let maxNewTokens = args.maxNewTokens ?? promptsFile.maxNewTokens
        let timer = GenerationTimer(eosIds: llm.eosIds, specialTokens: try manifest.readSpecialTokens(bundle: bundle),
                                    clock: clock)
        let thermalBefore = probe.thermalStatus()

        let loadStart = DispatchTime.now().uptimeNanoseconds
        let generator = try open(bundle, manifest, artifact)
        try generator.load()
        let loadMs = milliseconds(since: loadStart)
        for _ in 0..<args.warmup {
            _ = try timer.run(generator, prompt: prompts[0].input(format: llm.promptFormat), maxNewTokens: maxNewTokens,
                              maxSeqLen: llm.maxSeqLen)
            generator.reset()
        }
        var generations: [BenchmarkResult.Generation] = []
        var latencies: [Double] = []
        let timedStart = epochMs()
        for prompt in prompts {
            for repetition in 0..<args.repetitions {
                let startMs = epochMs()
                let record = try timer.run(generator, prompt: prompt.input(format: llm.promptFormat),
                                           maxNewTokens: maxNewTokens, maxSeqLen: llm.maxSeqLen)
                let endMs = epochMs()
                generator.reset()
                let check = GreedyCheck.check(record, expected: prompt.expected(for: artifact.file))
                generations.append(.init(promptId: prompt.id, repetition: repetition, promptTokens: prompt.promptTokens,
                                         record: record, startMs: startMs, endMs: endMs, check: check))
                latencies.append(record.decodeMsPerToken ?? record.totalSeconds * 1000)
            }
        }
        let timedEnd = epochMs()
        guard let stats = Stats(latencies) else { throw RunnerError.output("no generations were timed") }
        var errors = common(args, manifest: manifest, artifact: artifact, stateBefore: stateBefore)
        for g in generations where g.check?.ok == false {
            errors.append("greedy text mismatch: prompt \(g.promptId) repetition \(g.repetition) differs from the "
                + "host's output for \(artifact.file)")
        }
        errors.append("note: iOS gives an app no PSS and no battery current: pss_kb_peak and mj_per_token are null")
        return BenchmarkResult(
            runId: args.runId, startedUtc: started, finishedUtc: now(), app: probe.appInfo(), device: device(probe),
            artifact: .init(file: artifact.file, sha256: sha, runtime: artifact.runtime, backend: artifact.backend,
                            precision: artifact.precision),
            config: .init(warmup: args.warmup, iterations: generations.count, threads: args.threads, energy: args.energy,
                          threadsUsed: nil, kind: "llm", maxNewTokens: maxNewTokens, prompts: promptsName,
                          promptIds: prompts.map(\.id), repetitions: args.repetitions),
            loadMs: loadMs, latencyMs: latencies, stats: stats, memory: nil, energy: nil,
            thermal: .init(statusBefore: thermalBefore, statusAfter: probe.thermalStatus()),
            check: nil, errors: errors,
            timing: .init(timedStartMs: timedStart, timedEndMs: timedEnd),
            deviceState: .init(before: stateBefore, after: stateAfter(probe)),
            llm: .init(runtimeApi: generator.runtimeAPI, loadMs: loadMs, generations: generations))
    }
}
