import MobilekitCore
import PhotosUI
import SwiftUI
import UIKit

/// The demo screen: choose a bundle from Documents/bundles (copy one in with the Files app or
/// Finder), choose an artifact, pick a picture or use the bundle's sample, and see the top-k labels
/// and the latency. Preprocessing follows the manifest (MobilekitCore.Preprocess); loading and
/// inference run on the model's own queue, never on the main thread.
struct ContentView: View {
    @StateObject private var model = DemoModel()
    @State private var photo: PhotosPickerItem?

    var body: some View {
        NavigationStack {
            Form {
                Picker("Bundle", selection: $model.bundleName) {
                    ForEach(model.bundles, id: \.self) { Text($0) }
                }
                Picker("Artifact", selection: $model.artifactName) {
                    ForEach(model.artifacts, id: \.self) { Text($0) }
                }
                PhotosPicker("Classify a picture", selection: $photo, matching: .images)
                Button("Classify the bundle's sample input") { model.classifySample() }
                Section("Result") {
                    Text(model.output).font(.body.monospaced())
                }
            }
            .navigationTitle("mobilekit")
            .onAppear { model.refresh() }
            .onChange(of: model.bundleName) { model.openBundle() }
            .onChange(of: photo) {
                guard let photo else { return }
                Task {
                    if let data = try? await photo.loadTransferable(type: Data.self),
                       let image = UIImage(data: data)?.cgImage {
                        model.classify(image: image)
                    }
                }
            }
        }
    }
}

/// State of the demo screen; loading and inference happen on the engine's queue.
@MainActor
final class DemoModel: ObservableObject {
    @Published var bundles: [String] = []
    @Published var bundleName = ""
    @Published var artifacts: [String] = []
    @Published var artifactName = ""
    @Published var output = "Copy a bundle into Documents/bundles."

    private let engine = InferenceEngine()
    private var manifest: Manifest?

    private var bundlesDir: URL { BenchmarkMode.documents().appendingPathComponent("bundles") }

    func refresh() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: bundlesDir.path)) ?? []
        bundles = names.filter {
            FileManager.default.fileExists(atPath: bundlesDir.appendingPathComponent($0).appendingPathComponent("manifest.json").path)
        }.sorted()
        if bundleName.isEmpty, let first = bundles.first {
            bundleName = first
            openBundle()
        }
    }

    func openBundle() {
        do {
            let m = try Manifest.load(bundle: bundlesDir.appendingPathComponent(bundleName))
            manifest = m
            artifacts = m.artifacts.filter { $0.platforms.contains("ios") && ["coreml", "executorch"].contains($0.runtime) }
                .map(\.file)
            artifactName = artifacts.first ?? ""
            output = "\(m.name): \(artifacts.count) artifacts for iOS"
        } catch {
            output = "Cannot read \(bundleName): \(error)"
        }
    }

    func classifySample() {
        guard let manifest else { return }
        let bundle = bundlesDir.appendingPathComponent(bundleName)
        classify { _ in try manifest.readSampleInput(bundle: bundle) ?? [] }
    }

    func classify(image: CGImage) {
        classify { manifest in
            guard let spec = manifest.inputs[0].preprocess else {
                throw RunnerError.unsupported("inputs[0] is not an image")
            }
            guard let values = try Preprocess(spec: spec).apply(image: image) else {
                throw RunnerError.unsupported("cannot read that picture's pixels")
            }
            return values
        }
    }

    private func classify(_ makeInput: @escaping (Manifest) throws -> [Float]) {
        guard let manifest, !artifactName.isEmpty else { return }
        output = "Running\u{2026}"
        engine.classify(bundle: bundlesDir.appendingPathComponent(bundleName), manifest: manifest, file: artifactName,
                        makeInput: makeInput) { [weak self] text in
            self?.output = text
        }
    }
}

/// Owns the loaded model; touched only on its serial queue, never on the main thread.
final class InferenceEngine: @unchecked Sendable {
    private let queue = DispatchQueue(label: "org.mobilekit.demo.inference", qos: .userInitiated)
    private var runner: ModelRunner?
    private var runnerKey = ""

    func classify(bundle: URL, manifest: Manifest, file: String, makeInput: @escaping (Manifest) throws -> [Float],
                  done: @escaping @MainActor (String) -> Void) {
        queue.async {
            let text: String
            do {
                let key = bundle.path + "/" + file
                if self.runner == nil || self.runnerKey != key {
                    self.runner = nil
                    self.runner = try Runners.open(bundle: bundle, manifest: manifest,
                                                   artifact: try manifest.artifact(named: file))
                    self.runnerKey = key
                }
                guard let runner = self.runner else { throw RunnerError.output("no model") }
                let x = try makeInput(manifest)
                let start = DispatchTime.now().uptimeNanoseconds
                let y = try runner.run(x)
                let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
                let post = manifest.outputs[0].postprocess
                let scores = post?.softmax == true ? Tensors.softmax(y) : y
                let labels = (try? manifest.readLabels(bundle: bundle)) ?? []
                let lines = Tensors.topK(scores, post?.topK ?? 5).map { i in
                    "\(i < labels.count ? labels[i] : "class \(i)")  " + String(format: "%.3f", scores[i])
                }
                text = (lines + [String(format: "%.2f ms, ", ms) + runner.summary]).joined(separator: "\n")
            } catch {
                text = "Failed: \(error)"
            }
            Task { @MainActor in done(text) }
        }
    }
}
