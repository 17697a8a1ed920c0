import Foundation
import MobilekitCore

/// Owns the loaded model; touched only on its serial queue, never on the main thread.
public final class InferenceEngine: @unchecked Sendable {
    public init() {}

    private let queue = DispatchQueue(label: "org.mobilekit.demo.inference", qos: .userInitiated)
    private var runner: ModelRunner?
    private var runnerKey = ""
    private var tokenizer: WordPieceTokenizer?
    private var tokenizerBundle = ""
    private var previous: (text: String, embedding: [Float])?
    private var labels: [String] = []
    private var labelsBundle = ""
    private let lock = NSLock()
    private var busy = false

    /// The runner for an artifact, reused while the artifact and compute units stay the same. Queue only.
    private func runner(bundle: URL, manifest: Manifest, file: String, computeUnits: String) throws -> ModelRunner {
        let key = bundle.path + "/" + file + "/" + computeUnits
        if let runner, runnerKey == key {
            return runner
        }
        runner = nil
        let opened = try Runners.open(bundle: bundle, manifest: manifest, artifact: try manifest.artifact(named: file),
                                      computeUnits: computeUnits)
        runner = opened
        runnerKey = key
        return opened
    }

    /// A sentence through the bundle's tokenizer (or, with nil, the bundle's sample inputs), run `runs` times:
    /// the embedding's size, norm and first values, with its cosine to the previous sentence (or, for the
    /// sample, to the host's FP32 output).
    public func embed(bundle: URL, manifest: Manifest, file: String, computeUnits: String, runs: Int, text: String?,
               done: @escaping @MainActor @Sendable (String) -> Void) {
        queue.async {
            var lines: [String] = []
            do {
                let runner = try self.runner(bundle: bundle, manifest: manifest, file: file, computeUnits: computeUnits)
                let inputs: [InputTensor]
                if let text {
                    guard let spec = manifest.tokenizer else {
                        throw RunnerError.unsupported(manifest.missingTokenizerMessage ?? "the bundle has no tokenizer")
                    }
                    if self.tokenizer == nil || self.tokenizerBundle != bundle.path {
                        self.tokenizer = try WordPieceTokenizer.load(bundle: bundle, spec: spec)
                        self.tokenizerBundle = bundle.path
                        self.previous = nil
                    }
                    guard let tokenizer = self.tokenizer else { throw RunnerError.output("no tokenizer") }
                    inputs = try manifest.textInputs(tokenizer.encode(text))
                } else {
                    inputs = try manifest.readSampleInputs(bundle: bundle)
                }
                var y = try runner.run(inputs: inputs)
                var latencies: [Double] = []
                for _ in 0..<max(runs, 1) {
                    let start = DispatchTime.now().uptimeNanoseconds
                    y = try runner.run(inputs: inputs)
                    latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                }
                lines.append(String(format: "embedding: %d values, norm %.4f", y.count, Tensors.norm(y)))
                lines.append("first: " + y.prefix(5).map { String(format: "%.4f", $0) }.joined(separator: ", "))
                if let text {
                    if let previous = self.previous, previous.embedding.count == y.count {
                        lines.append(String(format: "cosine with \"%@\": %.4f", previous.text,
                                            Tensors.cosine(y, previous.embedding)))
                    } else {
                        lines.append("type another sentence to see their cosine similarity")
                    }
                    self.previous = (text, y)
                } else {
                    let check = BenchmarkResult.Check(manifest: manifest, got: y,
                                                      expected: try manifest.readExpectedOutput(bundle: bundle))
                    if let cosine = check.cosine {
                        lines.append(String(format: "cosine with the host's FP32 output: %.6f (%@)", cosine,
                                            check.ok == true ? "ok" : "below the floor"))
                    }
                }
                if let stats = Stats(latencies) {
                    lines.append(String(format: "median %.2f ms, p90 %.2f ms over %d runs, ", stats.p50, stats.p90, runs)
                                 + runner.summary)
                }
            } catch {
                lines = ["Failed: \(error)"]
            }
            let result = lines.joined(separator: "\n")
            Task { @MainActor in done(result) }
        }
    }

    /// Runs one artifact `runs` times (after one warm-up run) and reports top-k with median and p90.
    public func classify(bundle: URL, manifest: Manifest, file: String, computeUnits: String, runs: Int,
                  makeInput: @escaping @Sendable (Manifest) throws -> [Float],
                  done: @escaping @MainActor @Sendable (String) -> Void) {
        queue.async {
            let text: String
            do {
                let runner = try self.runner(bundle: bundle, manifest: manifest, file: file, computeUnits: computeUnits)
                let x = try makeInput(manifest)
                let (y, stats) = try InferenceEngine.timed(runner, x, runs: runs)
                let labels = (try? manifest.readLabels(bundle: bundle)) ?? []
                let lines = Classification.top(y, manifest: manifest, labels: labels,
                                               k: manifest.outputs[0].postprocess?.topK ?? 5).map { label in
                    "\(label.name)  " + String(format: "%.3f", label.score)
                }
                text = (lines + [String(format: "median %.2f ms, p90 %.2f ms over %d runs, ", stats.p50, stats.p90, runs)
                                 + runner.summary]).joined(separator: "\n")
            } catch {
                text = "Failed: \(error)"
            }
            Task { @MainActor in done(text) }
        }
    }

    /// One camera frame through the selected artifact (the camera screen): the frame is turned upright and
    /// preprocessed by the manifest (CameraFrame), run, and the top-3 labels come back with the inference time. A
    /// frame that arrives while the previous one is still running is dropped (`busy`), so the queue never backs up.
    public func classify(frame: CameraFrame, bundle: URL, manifest: Manifest, file: String, computeUnits: String,
                         done: @escaping @MainActor @Sendable (Result<(labels: [Classification.Label], ms: Double), Error>) -> Void) {
        lock.lock()
        if busy {
            lock.unlock()
            return
        }
        busy = true
        lock.unlock()
        queue.async {
            let outcome = Result { () throws -> (labels: [Classification.Label], ms: Double) in
                guard let spec = manifest.inputs[0].preprocess else {
                    throw RunnerError.unsupported("\(manifest.name): inputs[0] is not an image, the camera cannot feed it")
                }
                let runner = try self.runner(bundle: bundle, manifest: manifest, file: file, computeUnits: computeUnits)
                let x = try frame.tensor(spec)
                let start = DispatchTime.now().uptimeNanoseconds
                let y = try runner.run(x)
                let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
                if self.labelsBundle != bundle.path {
                    self.labels = (try? manifest.readLabels(bundle: bundle)) ?? []
                    self.labelsBundle = bundle.path
                }
                return (Classification.top(y, manifest: manifest, labels: self.labels, k: 3), ms)
            }
            self.lock.lock()
            self.busy = false
            self.lock.unlock()
            Task { @MainActor in done(outcome) }
        }
    }

    /// Every iOS artifact on the bundle's sample input, side by side.
    public func compareAll(bundle: URL, manifest: Manifest, computeUnits: String, runs: Int,
                    done: @escaping @MainActor @Sendable (String) -> Void) {
        queue.async {
            self.runner = nil
            self.runnerKey = ""
            var rows = ["artifact                          KiB   p50 ms   p90 ms  top-1  =fp32  host  SQNR"]
            let x = (try? manifest.readSampleInput(bundle: bundle)) ?? nil
            var reference: Int?
            var outcomes: [(Manifest.Artifact, Result<(Int, Stats), Error>)] = []
            for artifact in BundleStore.iosArtifacts(manifest) {
                let outcome = Result { () throws -> (Int, Stats) in
                    guard let x else { throw RunnerError.unsupported("the bundle has no sample input") }
                    let runner = try Runners.open(bundle: bundle, manifest: manifest, artifact: artifact,
                                                  computeUnits: computeUnits)
                    let (y, stats) = try InferenceEngine.timed(runner, x, runs: runs)
                    return (Tensors.argmax(y), stats)
                }
                if reference == nil, artifact.precision == "fp32", case .success(let (top1, _)) = outcome {
                    reference = top1
                }
                outcomes.append((artifact, outcome))
            }
            for (artifact, outcome) in outcomes {
                let host = artifact.validation?.top1Agreement.map { String(format: "%.3f", $0) } ?? "-"
                let sqnr = artifact.validation?.sqnrDb.map { String(format: "%.1f", $0) } ?? "-"
                switch outcome {
                case .success(let (top1, stats)):
                    let same = reference.map { $0 == top1 ? "yes" : "NO" } ?? "-"
                    let name = artifact.file.padding(toLength: 32, withPad: " ", startingAt: 0)
                    let figures = String(format: " %6d %8.2f %8.2f  %5d  ", artifact.bytes / 1024, stats.p50, stats.p90, top1)
                    rows.append(name + figures + same.padding(toLength: 5, withPad: " ", startingAt: 0) + "  " + host
                                + "  " + sqnr + (artifact.fidelityWarning == nil ? "" : "  (low fidelity)"))
                case .failure(let error):
                    rows.append("\(artifact.file)  failed: \(error)")
                }
            }
            let text = rows.joined(separator: "\n")
            Task { @MainActor in done(text) }
        }
    }

    private static func timed(_ runner: ModelRunner, _ x: [Float], runs: Int) throws -> ([Float], Stats) {
        var y = try runner.run(x)
        var latencies: [Double] = []
        for _ in 0..<max(runs, 1) {
            let start = DispatchTime.now().uptimeNanoseconds
            y = try runner.run(x)
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        guard let stats = Stats(latencies) else { throw RunnerError.output("no runs were timed") }
        return (y, stats)
    }
}
