import XCTest
@testable import MobilekitCore

final class PreprocessTests: XCTestCase {
    private func gray(_ values: [UInt8]) -> [UInt8] {
        values.flatMap { [$0, $0, $0, 255] }
    }

    func testBilinearUpscaleMatchesPillow() throws {
        // Pillow: Image.fromarray([[0, 255, 40]], "L").resize((7, 1), BILINEAR)
        let out = try Preprocess.resize([0, 255, 40], inW: 3, inH: 1, outW: 7, outH: 1, interpolation: "bilinear")
        XCTAssertEqual(out, [0, 36, 146, 255, 163, 71, 40])
    }

    func testBilinearDownscaleIsAntialiasedLikePillow() throws {
        let out = try Preprocess.resize([0, 255, 40], inW: 3, inH: 1, outW: 2, outH: 1, interpolation: "bilinear")
        XCTAssertEqual(out, [96, 121])
    }

    func testDigitsSpecMatchesImagePreprocessApply() throws {
        // ImagePreprocess(color="L", resize=(1, 7), scale=1/255, mean=(0.5,), std=(0.5,), invert=True)
        let spec = Manifest.ImagePreprocess(color: "L", resize: [1, 7], scale: 1.0 / 255.0, mean: [0.5], std: [0.5],
                                            invert: true)
        let out = try Preprocess(spec: spec).apply(rgba: gray([0, 255, 40]), width: 3, height: 1)
        let want: [Float] = [1.0, 0.7176471948623657, -0.14509797096252441, -1.0, -0.27843135595321655,
                             0.4431372880935669, 0.6862746477127075]
        for (a, b) in zip(out, want) {
            XCTAssertEqual(a, b, accuracy: 1e-6)
        }
    }

    func testImageTypeFoldInvertsTheNormalisation() throws {
        let spec = Manifest.ImagePreprocess(color: "L", resize: [1, 3], scale: 1.0 / 255.0, mean: [0.5], std: [0.5],
                                            invert: true)
        let tensor = try Preprocess(spec: spec).apply(rgba: gray([0, 128, 255]), width: 3, height: 1)
        // Core ML ImageType inputs take the picture before inversion.
        XCTAssertEqual(ImageTypeFold(spec: spec).pixels(fromTensor: tensor, channels: 1), [0, 128, 255])
    }

    func testBGRReversesChannels() throws {
        let spec = Manifest.ImagePreprocess(color: "BGR", resize: [1, 1], scale: 1, mean: [0], std: [1])
        let out = try Preprocess(spec: spec).apply(rgba: [1, 2, 3, 255], width: 1, height: 1)
        XCTAssertEqual(out, [3, 2, 1])
    }
}
