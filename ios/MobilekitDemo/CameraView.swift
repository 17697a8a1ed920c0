import AVFoundation
import MobilekitApp
import MobilekitCore
import SwiftUI
import UIKit

/// Live classification: the camera preview, the top-3 labels updating as frames are classified, FPS and the
/// median inference time, and a runtime switch over the bundle's iOS artifacts. Thin: capture is MobilekitApp's
/// CameraCapture, frame -> tensor is MobilekitCore's CameraFrame (tested against Python's ImagePreprocess.apply),
/// inference is the InferenceEngine's queue (a frame that arrives while one is running is dropped).
struct CameraView: View {
    let bundle: URL
    let manifest: Manifest?
    @State var artifact: String
    let computeUnits: String
    @StateObject private var camera = CameraModel()

    var body: some View {
        VStack(spacing: 8) {
            CameraPreview(session: camera.capture.session)
                .aspectRatio(3.0 / 4.0, contentMode: .fit)
            if let manifest {
                Picker("Runtime", selection: $artifact) {
                    ForEach(BundleStore.iosArtifacts(manifest).map(\.file), id: \.self) { Text($0) }
                }
                .pickerStyle(.menu)
            }
            ForEach(camera.labels, id: \.index) { label in
                HStack {
                    Text(label.name)
                    Spacer()
                    Text(String(format: "%.3f", label.score)).monospacedDigit()
                }
            }
            Text(camera.status).font(.footnote.monospaced())
        }
        .padding()
        .navigationTitle("Live camera")
        .onAppear {
            guard let manifest else { return }
            camera.start(bundle: bundle, manifest: manifest, artifact: { artifact }, computeUnits: computeUnits)
        }
        .onDisappear {
            camera.capture.setFrameHandler(nil)
            camera.capture.stop()
        }
    }
}

@MainActor
final class CameraModel: ObservableObject {
    @Published var labels: [Classification.Label] = []
    @Published var status = "Starting the camera\u{2026}"
    private var stats = LiveStats()
    private let engine = InferenceEngine()
    let capture = CameraCapture()

    func start(bundle: URL, manifest: Manifest, artifact: @escaping @MainActor () -> String, computeUnits: String) {
        let engine = self.engine
        capture.setFrameHandler { [weak self] frame in
            Task { @MainActor in
                guard let self else { return }
                engine.classify(frame: frame, bundle: bundle, manifest: manifest, file: artifact(),
                                computeUnits: computeUnits) { [weak self] outcome in
                    self?.show(outcome)
                }
            }
        }
        CameraCapture.requestAccess { [capture] granted in
            guard granted else {
                Task { @MainActor in self.status = CameraCapture.CameraError.denied.description }
                return
            }
            capture.start { error in
                if let error { Task { @MainActor in self.status = "\(error)" } }
            }
        }
    }

    private func show(_ outcome: Result<(labels: [Classification.Label], ms: Double), Error>) {
        switch outcome {
        case .success(let (labels, ms)):
            self.labels = labels
            stats.add(at: Double(DispatchTime.now().uptimeNanoseconds) / 1e9, inferenceMs: ms)
            status = String(format: "%.1f FPS, inference %.1f ms (median)", stats.fps ?? 0, stats.medianInferenceMs ?? ms)
        case .failure(let error):
            status = "Failed: \(error)"
        }
    }
}

/// AVCaptureVideoPreviewLayer in SwiftUI.
struct CameraPreview: UIViewRepresentable {
    let session: AVCaptureSession

    final class PreviewView: UIView {
        override class var layerClass: AnyClass { AVCaptureVideoPreviewLayer.self }
        var previewLayer: AVCaptureVideoPreviewLayer { layer as! AVCaptureVideoPreviewLayer }
    }

    func makeUIView(context: Context) -> PreviewView {
        let view = PreviewView()
        view.previewLayer.session = session
        view.previewLayer.videoGravity = .resizeAspectFill
        return view
    }

    func updateUIView(_ view: PreviewView, context: Context) {}
}
