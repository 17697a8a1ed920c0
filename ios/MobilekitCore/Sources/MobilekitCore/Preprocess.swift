import Foundation
#if canImport(CoreGraphics)
import CoreGraphics
#endif

/// The manifest's image preprocessing, giving what the Python reference `ImagePreprocess.apply`
/// (export/spec.py, Pillow) gives; the same algorithm as the Android app's `Preprocess.java`.
///
/// Order: convert to the spec's color (Pillow's integer luma for L) -> invert (255 - v) -> resize
/// with Pillow's resampling (separable bilinear/bicubic in 8-bit fixed point, antialiased when
/// shrinking; nearest by affine sampling; keep_aspect: cover the target, centre-crop to it) -> centre crop -> `x * scale` -> `(x - mean[c]) / std[c]`
/// in Float. Alpha is ignored, as Pillow's RGBA -> RGB drops it. The result is CHW.
public struct Preprocess: Sendable {
    public let spec: Manifest.ImagePreprocess
    private static let precisionBits: Int32 = 32 - 8 - 2

    public init(spec: Manifest.ImagePreprocess) {
        self.spec = spec
    }

    public enum PreprocessError: Error, CustomStringConvertible {
        case pixelCount(Int, width: Int, height: Int)
        case cropTooLarge([Int], resize: [Int])
        case interpolation(String)

        public var description: String {
            switch self {
            case .pixelCount(let n, let w, let h): return "pixels: \(n) bytes for \(w)x\(h) RGBA"
            case .cropTooLarge(let crop, let resize): return "preprocess.crop \(crop) is larger than the resize \(resize)"
            case .interpolation(let name): return "preprocess.interpolation must be bilinear, bicubic or nearest, not \(name)"
            }
        }
    }

    /// The 8-bit planes after color conversion, optional inversion, resize and crop.
    ///
    /// - Parameters:
    ///   - rgba: 4 bytes a pixel (R, G, B, A), row-major; alpha is ignored
    ///   - invert: whether to apply the spec's inversion (Core ML ImageType inputs fold it into the model)
    /// - Returns: one plane per channel of the spec's color (RGB order for RGB and BGR), each h*w values
    public func planes(rgba: [UInt8], width: Int, height: Int, invert: Bool) throws -> [[Int32]] {
        guard rgba.count == width * height * 4 else {
            throw PreprocessError.pixelCount(rgba.count, width: width, height: height)
        }
        let channels = spec.channels
        var planes = [[Int32]](repeating: [Int32](repeating: 0, count: width * height), count: channels)
        for i in 0..<(width * height) {
            let r = Int32(rgba[4 * i])
            let g = Int32(rgba[4 * i + 1])
            let b = Int32(rgba[4 * i + 2])
            if channels == 1 {
                // Pillow's ITU-R 601-2 luma in 16-bit fixed point (Convert.c, L24).
                planes[0][i] = (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16
            } else {
                planes[0][i] = r
                planes[1][i] = g
                planes[2][i] = b
            }
        }
        if invert {
            for c in 0..<channels {
                planes[c] = planes[c].map { 255 - $0 }
            }
        }
        let outH = spec.resize[0]
        let outW = spec.resize[1]
        let interpolation = spec.interpolation ?? "bilinear"
        // keep_aspect: cover [outH, outW] keeping the aspect ratio, then centre-crop to it (as Preprocess.java).
        let covered = spec.keepAspect == true ? Preprocess.coverSize(width: width, height: height, outW: outW, outH: outH)
            : (width: outW, height: outH)
        let rw = covered.width
        let rh = covered.height
        for c in 0..<channels {
            planes[c] = try Preprocess.resize(planes[c], inW: width, inH: height, outW: rw, outH: rh,
                                              interpolation: interpolation)
        }
        var top = (rh - outH) / 2
        var left = (rw - outW) / 2
        var h = outH
        var w = outW
        if let crop = spec.crop {
            guard crop[0] <= outH, crop[1] <= outW else {
                throw PreprocessError.cropTooLarge(crop, resize: spec.resize)
            }
            top += (outH - crop[0]) / 2
            left += (outW - crop[1]) / 2
            h = crop[0]
            w = crop[1]
        }
        if top == 0 && left == 0 && h == rh && w == rw {
            return planes
        }
        return planes.map { plane in
            var out = [Int32](repeating: 0, count: h * w)
            for y in 0..<h {
                for x in 0..<w {
                    out[y * w + x] = plane[(y + top) * rw + x + left]
                }
            }
            return out
        }
    }

    /// The size a keep_aspect resize produces: the picture scaled by `max(outH/H, outW/W)`, each side
    /// rounded to the nearest, halves to even (Python's `round`, as export/spec.py) and at least the target
    /// (the same rule as Preprocess.java).
    public static func coverSize(width: Int, height: Int, outW: Int, outH: Int) -> (width: Int, height: Int) {
        let s = max(Double(outH) / Double(height), Double(outW) / Double(width))
        return (max(outW, Int((Double(width) * s).rounded(.toNearestOrEven))),
                max(outH, Int((Double(height) * s).rounded(.toNearestOrEven))))
    }

    /// A picture to the model input: Float values in CHW order.
    public func apply(rgba: [UInt8], width: Int, height: Int) throws -> [Float] {
        let planes = try self.planes(rgba: rgba, width: width, height: height, invert: spec.invert ?? false)
        let hw = spec.outputHW[0] * spec.outputHW[1]
        let scale = Float(spec.scale)
        var out = [Float](repeating: 0, count: spec.channels * hw)
        for c in 0..<spec.channels {
            let source = spec.color == "BGR" ? spec.channels - 1 - c : c
            let mean = Float(spec.mean.count == 1 ? spec.mean[0] : spec.mean[c])
            let std = Float(spec.std.count == 1 ? spec.std[0] : spec.std[c])
            for i in 0..<hw {
                let v = Float(planes[source][i]) * scale
                out[c * hw + i] = (v - mean) / std
            }
        }
        return out
    }

    /// Resizes one 8-bit plane as Pillow's `Image.resize` does for an L image.
    public static func resize(_ input: [Int32], inW: Int, inH: Int, outW: Int, outH: Int,
                              interpolation: String) throws -> [Int32] {
        if inW == outW && inH == outH {
            return input
        }
        if interpolation == "nearest" {
            return nearest(input, inW: inW, inH: inH, outW: outW, outH: outH)
        }
        let bicubic: Bool
        switch interpolation {
        case "bilinear": bicubic = false
        case "bicubic": bicubic = true
        default: throw PreprocessError.interpolation(interpolation)
        }
        let support = bicubic ? 2.0 : 1.0
        var plane = input
        var w = inW
        if outW != inW {  // horizontal pass first, as Pillow does
            let k = coefficients(inSize: inW, outSize: outW, support: support, bicubic: bicubic)
            var tmp = [Int32](repeating: 0, count: outW * inH)
            for y in 0..<inH {
                for x in 0..<outW {
                    var ss: Int32 = 1 << (precisionBits - 1)
                    let start = k.bounds[2 * x]
                    for i in 0..<k.bounds[2 * x + 1] {
                        ss = ss &+ plane[y * w + start + i] &* k.weights[x * k.size + i]
                    }
                    tmp[y * outW + x] = clip8(ss)
                }
            }
            plane = tmp
            w = outW
        }
        if outH != inH {
            let k = coefficients(inSize: inH, outSize: outH, support: support, bicubic: bicubic)
            var tmp = [Int32](repeating: 0, count: w * outH)
            for y in 0..<outH {
                let start = k.bounds[2 * y]
                for x in 0..<w {
                    var ss: Int32 = 1 << (precisionBits - 1)
                    for i in 0..<k.bounds[2 * y + 1] {
                        ss = ss &+ plane[(start + i) * w + x] &* k.weights[y * k.size + i]
                    }
                    tmp[y * w + x] = clip8(ss)
                }
            }
            plane = tmp
        }
        return plane
    }

    private static func clip8(_ v: Int32) -> Int32 {
        min(max(v >> precisionBits, 0), 255)
    }

    private static func filter(_ value: Double, bicubic: Bool) -> Double {
        let x = abs(value)
        if !bicubic {
            return x < 1.0 ? 1.0 - x : 0.0
        }
        let a = -0.5
        if x < 1.0 {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1
        }
        if x < 2.0 {
            return (((x - 5) * x + 8) * x - 4) * a
        }
        return 0.0
    }

    /// Pillow's precompute_coeffs + normalize_coeffs_8bpc.
    private static func coefficients(inSize: Int, outSize: Int, support filterSupport: Double,
                                     bicubic: Bool) -> (size: Int, bounds: [Int], weights: [Int32]) {
        let scale = Double(inSize) / Double(outSize)
        let filterscale = max(scale, 1.0)
        let support = filterSupport * filterscale
        let ksize = Int(support.rounded(.up)) * 2 + 1
        var bounds = [Int](repeating: 0, count: outSize * 2)
        var weights = [Int32](repeating: 0, count: outSize * ksize)
        var w = [Double](repeating: 0, count: ksize)
        let one = Double(Int32(1) << precisionBits)
        for xx in 0..<outSize {
            let center = (Double(xx) + 0.5) * scale
            let ss = 1.0 / filterscale
            let xmin = max(Int(center - support + 0.5), 0)
            let xmax = min(Int(center + support + 0.5), inSize) - xmin
            var ww = 0.0
            for x in 0..<max(xmax, 0) {
                w[x] = filter((Double(x + xmin) - center + 0.5) * ss, bicubic: bicubic)
                ww += w[x]
            }
            for x in 0..<max(xmax, 0) {
                let v = ww != 0.0 ? w[x] / ww : w[x]
                weights[xx * ksize + x] = v < 0 ? Int32(-0.5 + v * one) : Int32(0.5 + v * one)
            }
            bounds[2 * xx] = xmin
            bounds[2 * xx + 1] = xmax
        }
        return (ksize, bounds, weights)
    }

    /// Pillow's NEAREST resize: affine sampling at pixel centres, accumulated as Pillow does.
    private static func nearest(_ input: [Int32], inW: Int, inH: Int, outW: Int, outH: Int) -> [Int32] {
        let ax = Double(inW) / Double(outW)
        let ay = Double(inH) / Double(outH)
        var xs = [Int](repeating: 0, count: outW)
        var xo = ax * 0.5
        for x in 0..<outW {
            xs[x] = xo < 0 ? -1 : Int(xo)
            xo += ax
        }
        var out = [Int32](repeating: 0, count: outW * outH)
        var yo = ay * 0.5
        for y in 0..<outH {
            let yi = yo < 0 ? -1 : Int(yo)
            yo += ay
            for x in 0..<outW {
                let xi = xs[x]
                out[y * outW + x] = (yi >= 0 && yi < inH && xi >= 0 && xi < inW) ? input[yi * inW + xi] : 0
            }
        }
        return out
    }
}

/// How mobilekit's Core ML export folds the preprocessing into an ImageType (scale, bias per channel),
/// so a benchmark can turn the bundle's float sample back into the 8-bit picture the model takes.
public struct ImageTypeFold {
    public let scale: Float
    public let bias: [Float]

    public init(spec: Manifest.ImagePreprocess) {
        let std = spec.std[0]
        let means = spec.mean.count == 1 ? [Double](repeating: spec.mean[0], count: spec.channels) : spec.mean
        if spec.invert ?? false {  // (scale*(255 - x) - mean)/std = (-scale/std)*x + (255*scale - mean)/std
            scale = Float(-spec.scale / std)
            bias = means.map { Float((255.0 * spec.scale - $0) / std) }
        } else {
            scale = Float(spec.scale / std)
            bias = means.map { Float(-$0 / std) }
        }
    }

    /// CHW float values -> 8-bit CHW pixels: round((v - bias[c]) / scale), clipped to 0...255.
    public func pixels(fromTensor values: [Float], channels: Int) -> [UInt8] {
        let hw = values.count / channels
        return values.indices.map { i in
            let v = ((values[i] - bias[i / hw]) / scale).rounded()
            return UInt8(min(max(v, 0), 255))
        }
    }
}

#if canImport(CoreGraphics)
extension Preprocess {
    /// RGBA bytes of a picture, drawn into a device-RGB context (no alpha premultiplication is undone:
    /// pictures with transparency differ from Pillow there; opaque pictures are exact).
    public static func rgba(of image: CGImage) -> (bytes: [UInt8], width: Int, height: Int)? {
        let width = image.width
        let height = image.height
        var bytes = [UInt8](repeating: 0, count: width * height * 4)
        let drawn: Bool = bytes.withUnsafeMutableBytes { buffer in
            guard let context = CGContext(data: buffer.baseAddress, width: width, height: height,
                                          bitsPerComponent: 8, bytesPerRow: width * 4,
                                          space: CGColorSpaceCreateDeviceRGB(),
                                          bitmapInfo: CGImageAlphaInfo.noneSkipLast.rawValue) else {
                return false
            }
            context.draw(image, in: CGRect(x: 0, y: 0, width: width, height: height))
            return true
        }
        return drawn ? (bytes, width, height) : nil
    }

    /// A picture to the model input (CHW Float).
    public func apply(image: CGImage) throws -> [Float]? {
        guard let (bytes, width, height) = Preprocess.rgba(of: image) else { return nil }
        return try apply(rgba: bytes, width: width, height: height)
    }

    /// A picture to a bundle's inputs[0] (the demo's drawing pad and photo picker), with what to say when the
    /// bundle's input is not an image or the picture has no readable pixels.
    public static func modelInput(image: CGImage, manifest: Manifest) throws -> [Float] {
        guard let spec = manifest.inputs[0].preprocess else {
            throw RunnerError.unsupported("inputs[0] is not an image")
        }
        guard let values = try Preprocess(spec: spec).apply(image: image) else {
            throw RunnerError.unsupported("cannot read that picture's pixels")
        }
        return values
    }
}
#endif
