import MobilekitApp
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
                    // Two buttons in one Form row: borderless, or a tap anywhere in the row fires both.
                    HStack {
                        Button("Classify the drawing") {
                            if let image = DrawingPad.render(strokes: strokes, side: 224) {
                                model.classify(image: image)
                            }
                        }
                        .buttonStyle(.borderless)
                        Spacer()
                        Button("Clear") { strokes = [] }
                            .buttonStyle(.borderless)
                    }
                }
                PhotosPicker("Classify a photo", selection: $photo, matching: .images)
                NavigationLink("Live camera") {
                    CameraView(bundle: model.bundleURL, manifest: model.openManifest, artifact: model.artifactName,
                               computeUnits: model.computeUnits)
                }
                .disabled(model.openManifest?.inputs.first?.preprocess == nil)
                if model.openManifest?.llm != nil {
                    NavigationLink("Chat") {
                        ChatView(bundle: model.bundleURL, manifest: model.openManifest, artifact: model.artifactName,
                                 computeUnits: model.computeUnits)
                    }
                }
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

    private var bundlesDir: URL { AppBenchmark.documents().appendingPathComponent("bundles") }
    private var store: BundleStore { BundleStore(directory: bundlesDir) }
    var bundleURL: URL { bundlesDir.appendingPathComponent(bundleName) }
    var openManifest: Manifest? { manifest }

    /// Installs the app's built-in bundles into Documents/bundles (and replaces one the rebuilt app ships in a new
    /// version: BundleStore compares the manifests), then lists every bundle there.
    func refresh() {
        if let builtIn = Bundle.main.url(forResource: "bundles", withExtension: nil) {
            do {
                try store.install(from: builtIn)
            } catch {
                output = "Cannot install the built-in bundles: \(error)"
            }
        }
        bundles = store.list()
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

    func refilter() {
        artifacts = manifest.map { BundleStore.iosArtifacts($0, runtime: runtimeFilter, precision: precisionFilter) }?
            .map(\.file) ?? []
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
        classify { manifest in try Preprocess.modelInput(image: shared.image, manifest: manifest) }
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

