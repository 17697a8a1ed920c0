import Foundation

/// One camera frame as AVCaptureVideoDataOutput delivers it with `kCVPixelFormatType_32BGRA` (B, G, R, A bytes, rows
/// `bytesPerRow` apart, which may be more than 4 x width), turned upright and into the model input by the
/// manifest's preprocess (Preprocess: the same Pillow arithmetic as the Python reference `ImagePreprocess.apply`).
/// The camera screen's whole frame-to-tensor path; AVFoundation only hands the bytes over.
public struct CameraFrame: Sendable {
    /// Clockwise rotation that makes the sensor's picture upright (the back camera's frames are landscape: a
    /// phone held upright needs `.clockwise90`).
    public enum Rotation: Int, Sendable, CaseIterable {
        case none = 0
        case clockwise90 = 90
        case clockwise180 = 180
        case clockwise270 = 270
    }

    public enum FrameError: Error, CustomStringConvertible, Equatable, Sendable {
        case size(bytes: Int, width: Int, height: Int, bytesPerRow: Int)

        public var description: String {
            switch self {
            case .size(let bytes, let w, let h, let row):
                return "camera frame: \(bytes) bytes cannot hold \(w)x\(h) BGRA with \(row) bytes per row"
            }
        }
    }

    public let bgra: [UInt8]
    public let width: Int
    public let height: Int
    public let bytesPerRow: Int
    public let rotation: Rotation
    /// Mirror left-right after rotating (the front camera's preview is mirrored).
    public let mirrored: Bool

    public init(bgra: [UInt8], width: Int, height: Int, bytesPerRow: Int, rotation: Rotation = .none,
                mirrored: Bool = false) throws {
        guard width > 0, height > 0, bytesPerRow >= 4 * width, bgra.count >= bytesPerRow * (height - 1) + 4 * width else {
            throw FrameError.size(bytes: bgra.count, width: width, height: height, bytesPerRow: bytesPerRow)
        }
        self.bgra = bgra
        self.width = width
        self.height = height
        self.bytesPerRow = bytesPerRow
        self.rotation = rotation
        self.mirrored = mirrored
    }

    /// The upright picture's size.
    public var uprightSize: (width: Int, height: Int) {
        rotation == .clockwise90 || rotation == .clockwise270 ? (height, width) : (width, height)
    }

    /// The upright picture as RGBA bytes (alpha 255), row-major, no padding.
    public func uprightRGBA() -> [UInt8] {
        let (ow, oh) = uprightSize
        var out = [UInt8](repeating: 255, count: ow * oh * 4)
        for y in 0..<oh {
            for x in 0..<ow {
                let ux = mirrored ? ow - 1 - x : x
                // (ux, y) in the upright picture comes from (sx, sy) in the sensor frame.
                let sx: Int, sy: Int
                switch rotation {
                case .none: (sx, sy) = (ux, y)
                case .clockwise90: (sx, sy) = (y, height - 1 - ux)
                case .clockwise180: (sx, sy) = (width - 1 - ux, height - 1 - y)
                case .clockwise270: (sx, sy) = (width - 1 - y, ux)
                }
                let s = sy * bytesPerRow + 4 * sx
                let d = 4 * (y * ow + x)
                out[d] = bgra[s + 2]
                out[d + 1] = bgra[s + 1]
                out[d + 2] = bgra[s]
            }
        }
        return out
    }

    /// The model input (CHW Float) by the manifest's preprocess.
    public func tensor(_ spec: Manifest.ImagePreprocess) throws -> [Float] {
        let (w, h) = uprightSize
        return try Preprocess(spec: spec).apply(rgba: uprightRGBA(), width: w, height: h)
    }
}

/// What the camera screen shows under the preview: frames per second over the last second or so, and the median
/// inference time of the last frames; fed from the inference queue, read on the main actor (a value type: copy it).
public struct LiveStats: Equatable, Sendable {
    public private(set) var frameTimes: [Double] = []
    public private(set) var inferenceMs: [Double] = []
    public let window: Int

    public init(window: Int = 30) {
        self.window = window
    }

    /// One classified frame: when it finished (seconds, monotonic) and how long inference took.
    public mutating func add(at time: Double, inferenceMs ms: Double) {
        frameTimes.append(time)
        inferenceMs.append(ms)
        if frameTimes.count > window { frameTimes.removeFirst(frameTimes.count - window) }
        if inferenceMs.count > window { inferenceMs.removeFirst(inferenceMs.count - window) }
    }

    /// Frames per second over the window (nil until two frames).
    public var fps: Double? {
        guard frameTimes.count >= 2, let first = frameTimes.first, let last = frameTimes.last, last > first else {
            return nil
        }
        return Double(frameTimes.count - 1) / (last - first)
    }

    public var medianInferenceMs: Double? {
        inferenceMs.isEmpty ? nil : Stats.percentile(inferenceMs.sorted(), 50)
    }
}

/// Top-k labels of a classifier's output, as the demo and the camera screen show them.
public enum Classification {
    public struct Label: Equatable, Sendable {
        public let index: Int
        public let name: String
        public let score: Float
    }

    /// The manifest's postprocess (softmax or not) applied, then the k best with their labels ("class i" without).
    public static func top(_ output: [Float], manifest: Manifest, labels: [String], k: Int) -> [Label] {
        let post = manifest.outputs[0].postprocess
        let scores = post?.softmax == true ? Tensors.softmax(output) : output
        return Tensors.topK(scores, k).map { i in
            Label(index: i, name: i < labels.count ? labels[i] : "class \(i)", score: scores[i])
        }
    }
}
