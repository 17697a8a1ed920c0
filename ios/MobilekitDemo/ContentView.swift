import MobilekitCore
import PhotosUI
import SwiftUI
import UIKit

/// The demo screen. Works with no copying: the bundles built into the app (`bundles/` in the app's
/// resources, made from exported bundles by ios/scripts/copy-demo-bundles.sh before the build) are
/// installed into Documents/bundles on first start; bundles copied there with Finder or the Files app
/// appear too.
///
/// Pick a bundle, filter by runtime and precision, choose the artifact, the Core ML compute units and
/// the number of runs; then draw a digit on the pad, pick a photo (turned upright from its EXIF
/// orientation), or use the bundle's sample, and see the top-k labels with the median and p90 latency.
/// "Compare all" runs every iOS artifact side by side. A low-fidelity artifact asks before it loads.
/// Text bundles (a `tokenizer` in the manifest) get a text field: each sentence is tokenized on the phone
/// (WordPieceTokenizer), run, and shown as the embedding's norm and first values with its cosine to the
/// previous sentence; integer inputs without a tokenizer are explained (export with --tokenizer).
/// Loading and inference run on the engine's queue, never on the main thread.
struct ContentView: View {
    @StateObject private var model = DemoModel()
    @State private var photo: PhotosPickerItem?
    @State private var strokes: [[CGPoint]] = []

    var body: some View {
        NavigationStack {
            Form {
                Picker("Bundle", selection: $model.bundleName) {
                    ForEach(model.bundles, id: \.self) { Text($0) }
                }
                Picker("Runtime", selection: $model.runtimeFilter) {
                    ForEach(DemoModel.runtimes, id: \.self) { Text($0) }
                }
                Picker("Precision", selection: $model.precisionFilter) {
                    ForEach(DemoModel.precisions, id: \.self) { Text($0) }
                }
                Picker("Artifact", selection: $model.artifactName) {
                    ForEach(model.artifacts, id: \.self) { Text($0) }
                }
                Picker("Core ML compute units", selection: $model.computeUnits) {
                    ForEach(BenchmarkArguments.computeUnitNames, id: \.self) { Text(ComputeUnits.labels[$0] ?? $0) }
                }
                Stepper("Runs: \(model.runs)", value: $model.runs, in: 1...200, step: 5)
                if model.isText {
                    Section("Type a sentence") {
                        TextField("A sentence", text: $model.sentence)
                            .onSubmit { model.embed() }
                        Button("Embed") { model.embed() }
                    }
                }
                Section("Draw a digit") {
                    DrawingPad(strokes: $strokes)
                        .frame(width: 224, height: 224)
                    HStack {
                        Button("Classify the drawing") {
                            if let image = DrawingPad.render(strokes: strokes, side: 224) {
                                model.classify(image: image)
                            }
                        }
                        Spacer()
                        Button("Clear") { strokes = [] }
                    }
                }
                PhotosPicker("Classify a photo", selection: $photo, matching: .images)
                Button("Classify the bundle's sample input") { model.classifySample() }
                Button("Compare every artifact") { model.compareAll() }
                Section("Result") {
                    Text(model.output).font(.body.monospaced())
                }
                Section {
                    Text("Threads: ExecuTorch's iOS Module has no thread setting (shared threadpool); Core ML "
                         + "chooses its own. Compute units apply to Core ML artifacts.").font(.footnote)
                }
            }
            .navigationTitle("mobilekit")
            .onAppear { model.refresh() }
            .onChange(of: model.bundleName) { model.openBundle() }
            .onChange(of: model.runtimeFilter) { model.refilter() }
            .onChange(of: model.precisionFilter) { model.refilter() }
            .onChange(of: photo) {
                guard let photo else { return }
                Task {
                    if let data = try? await photo.loadTransferable(type: Data.self),
                       let image = UIImage(data: data).flatMap(DemoModel.upright) {
                        model.classify(image: image)
                    }
                }
            }
            .alert("Low-fidelity artifact", isPresented: $model.askLowFidelity) {
                Button("Load anyway") { model.confirmLowFidelity() }
                Button("Cancel", role: .cancel) { model.pending = nil }
            } message: {
                Text(model.lowFidelityMessage)
            }
        }
    }
}

/// A finger drawing pad: white paper, black strokes, rendered to a CGImage for the model.
struct DrawingPad: View {
    @Binding var strokes: [[CGPoint]]

    var body: some View {
        Canvas { context, _ in
            DrawingPad.draw(strokes, in: &context)
        }
        .background(Color.white)
        .border(Color.gray)
        .gesture(DragGesture(minimumDistance: 0)
            .onChanged { value in
                if value.translation == .zero || strokes.isEmpty {
                    strokes.append([value.location])
                } else {
                    strokes[strokes.count - 1].append(value.location)
                }
            })
    }

    static func draw(_ strokes: [[CGPoint]], in context: inout GraphicsContext) {
        for stroke in strokes where !stroke.isEmpty {
            var path = Path()
            path.addLines(stroke)
            context.stroke(path, with: .color(.black), style: StrokeStyle(lineWidth: 18, lineCap: .round, lineJoin: .round))
        }
    }

    /// The drawing as an opaque picture (ImageRenderer, main actor).
    @MainActor
    static func render(strokes: [[CGPoint]], side: CGFloat) -> CGImage? {
        let content = Canvas { context, _ in draw(strokes, in: &context) }
            .frame(width: side, height: side)
            .background(Color.white)
        let renderer = ImageRenderer(content: content)
        renderer.scale = 1
        return renderer.cgImage
    }
}

/// A CGImage handed to the engine's queue: CGImage is immutable, so sharing it across threads is safe.
struct SharedImage: @unchecked Sendable {
    let image: CGImage
}

/// State of the demo screen; loading and inference happen on the engine's queue.
@MainActor
final class DemoModel: ObservableObject {
    static let runtimes = ["all", "coreml", "executorch"]
    static let precisions = ["all", "fp32", "fp16", "int8", "w8a8"]

    @Published var bundles: [String] = []
    @Published var bundleName = ""
    @Published var runtimeFilter = "all"
    @Published var precisionFilter = "all"
    @Published var artifacts: [String] = []
    @Published var artifactName = ""
    @Published var computeUnits = "all"
    @Published var runs = 20
    @Published var output = "Loading the demo bundles\u{2026}"
    @Published var askLowFidelity = false
    /// The open bundle ships a tokenizer: show the text field.
    @Published var isText = false
    @Published var sentence = ""
    var lowFidelityMessage = ""
    var pending: (() -> Void)?

    private let engine = InferenceEngine()
    private var manifest: Manifest?

    private var bundlesDir: URL { BenchmarkWork.documents().appendingPathComponent("bundles") }

    /// Copies the app's built-in bundles into Documents/bundles (once), then lists every bundle there.
    func refresh() {
        let fm = FileManager.default
        try? fm.createDirectory(at: bundlesDir, withIntermediateDirectories: true)
        if let builtIn = Bundle.main.url(forResource: "bundles", withExtension: nil),
           let names = try? fm.contentsOfDirectory(atPath: builtIn.path) {
            for name in names where !fm.fileExists(atPath: bundlesDir.appendingPathComponent(name).path) {
                try? fm.copyItem(at: builtIn.appendingPathComponent(name), to: bundlesDir.appendingPathComponent(name))
            }
        }
        let names = (try? fm.contentsOfDirectory(atPath: bundlesDir.path)) ?? []
        bundles = names.filter {
            fm.fileExists(atPath: bundlesDir.appendingPathComponent($0).appendingPathComponent("manifest.json").path)
        }.sorted()
        if bundles.isEmpty {
            output = "No bundle: export one (mobilekit export digits --targets coreml,xnnpack) and rebuild, or copy "
                + "one into Documents/bundles."
        } else if bundleName.isEmpty, let first = bundles.first {
            bundleName = first
            openBundle()
        }
    }

    func openBundle() {
        do {
            let m = try Manifest.load(bundle: bundlesDir.appendingPathComponent(bundleName))
            manifest = m
            refilter()
            isText = m.tokenizer != nil
            sentence = m.sample?.text ?? ""
            output = "\(m.name): \(artifacts.count) artifacts for iOS"
                + (isText ? ". Type a sentence and tap Embed." : m.missingTokenizerMessage.map { ". " + $0 } ?? "")
        } catch {
            output = "Cannot read \(bundleName): \(error)"
        }
    }

    private var iosArtifacts: [Manifest.Artifact] {
        (manifest?.artifacts ?? []).filter { $0.platforms.contains("ios") && ["coreml", "executorch"].contains($0.runtime) }
    }

    func refilter() {
        artifacts = iosArtifacts.filter {
            (runtimeFilter == "all" || $0.runtime == runtimeFilter) && (precisionFilter == "all" || $0.precision == precisionFilter)
        }.map(\.file)
        if !artifacts.contains(artifactName) {
            artifactName = artifacts.first ?? ""
        }
    }

    /// A photo turned upright: UIImage carries the EXIF orientation, CGImage does not.
    nonisolated static func upright(_ image: UIImage) -> CGImage? {
        guard image.imageOrientation != .up else { return image.cgImage }
        let format = UIGraphicsImageRendererFormat()
        format.scale = 1
        let drawn = UIGraphicsImageRenderer(size: image.size, format: format).image { _ in
            image.draw(in: CGRect(origin: .zero, size: image.size))
        }
        return drawn.cgImage
    }

    func classifySample() {
        guard let manifest else { return }
        let bundle = bundlesDir.appendingPathComponent(bundleName)
        if manifest.inputs.count > 1 || manifest.hasIntegerInputs {
            runText(nil)
            return
        }
        classify { _ in try manifest.readSampleInput(bundle: bundle) ?? [] }
    }

    /// The typed sentence through the bundle's tokenizer and the selected artifact.
    func embed() {
        let text = sentence.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else {
            output = "Type a sentence first."
            return
        }
        runText(text)
    }

    /// A sentence (or, with nil, the bundle's multi-input sample) on the selected artifact.
    private func runText(_ text: String?) {
        guard let manifest, let artifact = manifest.artifacts.first(where: { $0.file == artifactName }) else { return }
        let bundle = bundlesDir.appendingPathComponent(bundleName)
        let units = computeUnits
        let runs = runs
        let go = { [weak self] in
            self?.output = "Running \(artifact.file) (\(runs) runs)\u{2026}"
            self?.engine.embed(bundle: bundle, manifest: manifest, file: artifact.file, computeUnits: units, runs: runs,
                               text: text) { [weak self] result in
                self?.output = result
            }
        }
        if let warning = artifact.fidelityWarning {
            lowFidelityMessage = warning + "\n\nLoad it anyway?"
            pending = go
            askLowFidelity = true
        } else {
            go()
        }
    }

    func classify(image: CGImage) {
        let shared = SharedImage(image: image)
        classify { manifest in
            guard let spec = manifest.inputs[0].preprocess else {
                throw RunnerError.unsupported("inputs[0] is not an image")
            }
            guard let values = try Preprocess(spec: spec).apply(image: shared.image) else {
                throw RunnerError.unsupported("cannot read that picture's pixels")
            }
            return values
        }
    }

    func confirmLowFidelity() {
        let action = pending
        pending = nil
        action?()
    }

    private func classify(_ makeInput: @escaping @Sendable (Manifest) throws -> [Float]) {
        guard let manifest, !artifactName.isEmpty,
              let artifact = manifest.artifacts.first(where: { $0.file == artifactName }) else { return }
        let bundle = bundlesDir.appendingPathComponent(bundleName)
        let units = computeUnits
        let runs = runs
        let go = { [weak self] in
            self?.output = "Running \(artifact.file) (\(runs) runs)\u{2026}"
            self?.engine.classify(bundle: bundle, manifest: manifest, file: artifact.file, computeUnits: units, runs: runs,
                                  makeInput: makeInput) { [weak self] text in
                self?.output = text
            }
        }
        if let warning = artifact.fidelityWarning {
            lowFidelityMessage = warning + "\n\nLoad it anyway?"
            pending = go
            askLowFidelity = true
        } else {
            go()
        }
    }

    func compareAll() {
        guard let manifest else { return }
        let bundle = bundlesDir.appendingPathComponent(bundleName)
        output = "Comparing every artifact on the bundle's sample (\(runs) runs each)\u{2026}"
        engine.compareAll(bundle: bundle, manifest: manifest, computeUnits: computeUnits, runs: runs) { [weak self] text in
            self?.output = text
        }
    }
}

/// Owns the loaded model; touched only on its serial queue, never on the main thread.
final class InferenceEngine: @unchecked Sendable {
    private let queue = DispatchQueue(label: "org.mobilekit.demo.inference", qos: .userInitiated)
    private var runner: ModelRunner?
    private var runnerKey = ""
    private var tokenizer: WordPieceTokenizer?
    private var tokenizerBundle = ""
    private var previous: (text: String, embedding: [Float])?

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
    func embed(bundle: URL, manifest: Manifest, file: String, computeUnits: String, runs: Int, text: String?,
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
    func classify(bundle: URL, manifest: Manifest, file: String, computeUnits: String, runs: Int,
                  makeInput: @escaping @Sendable (Manifest) throws -> [Float],
                  done: @escaping @MainActor @Sendable (String) -> Void) {
        queue.async {
            let text: String
            do {
                let key = bundle.path + "/" + file + "/" + computeUnits
                if self.runner == nil || self.runnerKey != key {
                    self.runner = nil
                    self.runner = try Runners.open(bundle: bundle, manifest: manifest,
                                                   artifact: try manifest.artifact(named: file), computeUnits: computeUnits)
                    self.runnerKey = key
                }
                guard let runner = self.runner else { throw RunnerError.output("no model") }
                let x = try makeInput(manifest)
                let (y, stats) = try InferenceEngine.timed(runner, x, runs: runs)
                let post = manifest.outputs[0].postprocess
                let scores = post?.softmax == true ? Tensors.softmax(y) : y
                let labels = (try? manifest.readLabels(bundle: bundle)) ?? []
                let lines = Tensors.topK(scores, post?.topK ?? 5).map { i in
                    "\(i < labels.count ? labels[i] : "class \(i)")  " + String(format: "%.3f", scores[i])
                }
                text = (lines + [String(format: "median %.2f ms, p90 %.2f ms over %d runs, ", stats.p50, stats.p90, runs)
                                 + runner.summary]).joined(separator: "\n")
            } catch {
                text = "Failed: \(error)"
            }
            Task { @MainActor in done(text) }
        }
    }

    /// Every iOS artifact on the bundle's sample input, side by side.
    func compareAll(bundle: URL, manifest: Manifest, computeUnits: String, runs: Int,
                    done: @escaping @MainActor @Sendable (String) -> Void) {
        queue.async {
            self.runner = nil
            self.runnerKey = ""
            var rows = ["artifact                          KiB   p50 ms   p90 ms  top-1  =fp32  host  SQNR"]
            let x = (try? manifest.readSampleInput(bundle: bundle)) ?? nil
            var reference: Int?
            var outcomes: [(Manifest.Artifact, Result<(Int, Stats), Error>)] = []
            for artifact in manifest.artifacts where artifact.platforms.contains("ios")
                && ["coreml", "executorch"].contains(artifact.runtime) {
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
