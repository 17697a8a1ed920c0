import AVFoundation
import CoreMedia
import CoreVideo
import Foundation
import MobilekitCore

/// The camera screen's capture side: an AVCaptureSession with the back wide-angle camera at 640x480, BGRA frames
/// (`kCVPixelFormatType_32BGRA`) on a private queue, late frames discarded. Each frame's bytes are copied out of the
/// pixel buffer into a CameraFrame (the package's frame -> tensor code) and handed to `onFrame`; the frames arrive in
/// the sensor's landscape orientation and are turned upright by CameraFrame (`.clockwise90` for a phone held
/// upright). The preview layer is the view's business (SwiftUI/UIKit).
public final class CameraCapture: NSObject, AVCaptureVideoDataOutputSampleBufferDelegate, @unchecked Sendable {
    public let session = AVCaptureSession()
    private let output = AVCaptureVideoDataOutput()
    private let queue = DispatchQueue(label: "org.mobilekit.demo.camera", qos: .userInitiated)
    private let lock = NSLock()
    private var onFrame: (@Sendable (CameraFrame) -> Void)?
    private let rotation: CameraFrame.Rotation

    public enum CameraError: Error, CustomStringConvertible {
        case denied
        case noCamera
        case cannotAdd(String)

        public var description: String {
            switch self {
            case .denied: return "camera access is off for this app: Settings > Privacy > Camera"
            case .noCamera: return "this device has no back camera"
            case .cannotAdd(let what): return "the capture session refused the \(what)"
            }
        }
    }

    /// The session exists from the start (a preview layer can show it); frames go to `setFrameHandler`'s closure.
    public init(rotation: CameraFrame.Rotation = .clockwise90) {
        self.rotation = rotation
        super.init()
    }

    /// Where each frame goes (called on the capture queue); nil drops frames.
    public func setFrameHandler(_ handler: (@Sendable (CameraFrame) -> Void)?) {
        lock.lock()
        onFrame = handler
        lock.unlock()
    }

    /// Asks for camera access if needed; `done` gets whether it was granted (any thread).
    public static func requestAccess(_ done: @escaping @Sendable (Bool) -> Void) {
        switch AVCaptureDevice.authorizationStatus(for: .video) {
        case .authorized: done(true)
        case .notDetermined: AVCaptureDevice.requestAccess(for: .video, completionHandler: done)
        default: done(false)
        }
    }

    /// Configures the session (once) and starts it, off the main thread.
    public func start(completion: @escaping @Sendable (Error?) -> Void) {
        queue.async {
            do {
                try self.configure()
                if !self.session.isRunning { self.session.startRunning() }
                completion(nil)
            } catch {
                completion(error)
            }
        }
    }

    public func stop() {
        queue.async {
            if self.session.isRunning { self.session.stopRunning() }
        }
    }

    private var configured = false

    private func configure() throws {
        guard !configured else { return }
        guard AVCaptureDevice.authorizationStatus(for: .video) == .authorized else { throw CameraError.denied }
        guard let device = AVCaptureDevice.default(.builtInWideAngleCamera, for: .video, position: .back) else {
            throw CameraError.noCamera
        }
        let input = try AVCaptureDeviceInput(device: device)
        session.beginConfiguration()
        defer { session.commitConfiguration() }
        session.sessionPreset = .vga640x480
        guard session.canAddInput(input) else { throw CameraError.cannotAdd("camera input") }
        session.addInput(input)
        output.videoSettings = [kCVPixelBufferPixelFormatTypeKey as String: kCVPixelFormatType_32BGRA]
        output.alwaysDiscardsLateVideoFrames = true
        output.setSampleBufferDelegate(self, queue: queue)
        guard session.canAddOutput(output) else { throw CameraError.cannotAdd("video data output") }
        session.addOutput(output)
        configured = true
    }

    public func captureOutput(_ output: AVCaptureOutput, didOutput sampleBuffer: CMSampleBuffer,
                              from connection: AVCaptureConnection) {
        lock.lock()
        let handler = onFrame
        lock.unlock()
        guard let handler, let frame = CameraCapture.frame(sampleBuffer, rotation: rotation) else { return }
        handler(frame)
    }

    /// The BGRA bytes of a sample buffer (copied while the buffer is locked), or nil for another pixel format.
    static func frame(_ sampleBuffer: CMSampleBuffer, rotation: CameraFrame.Rotation) -> CameraFrame? {
        guard let pixels = CMSampleBufferGetImageBuffer(sampleBuffer),
              CVPixelBufferGetPixelFormatType(pixels) == kCVPixelFormatType_32BGRA else { return nil }
        CVPixelBufferLockBaseAddress(pixels, .readOnly)
        defer { CVPixelBufferUnlockBaseAddress(pixels, .readOnly) }
        guard let base = CVPixelBufferGetBaseAddress(pixels) else { return nil }
        let width = CVPixelBufferGetWidth(pixels)
        let height = CVPixelBufferGetHeight(pixels)
        let rowBytes = CVPixelBufferGetBytesPerRow(pixels)
        let bytes = [UInt8](UnsafeRawBufferPointer(start: base, count: rowBytes * height))
        return try? CameraFrame(bgra: bytes, width: width, height: height, bytesPerRow: rowBytes, rotation: rotation)
    }
}
