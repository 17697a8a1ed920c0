import XCTest
@testable import MobilekitCore

final class ManifestTests: XCTestCase {
    static let digits = """
    {"schema": "mobilekit.manifest/1", "name": "digits_cnn", "created_utc": "2026-11-22T04:40:12Z",
     "source": {"model": "digits", "torch": "2.13.0", "trained": true},
     "inputs": [{"name": "image", "dtype": "float32", "shape": [1, 1, 28, 28], "layout": "NCHW",
                 "preprocess": {"kind": "image", "color": "L", "resize": [28, 28], "crop": null,
                                "interpolation": "bilinear", "scale": 0.00392156862745098,
                                "mean": [0.5], "std": [0.5], "invert": true}}],
     "outputs": [{"name": "logits", "dtype": "float32", "shape": [1, 10],
                  "postprocess": {"kind": "classification", "softmax": true, "top_k": 5}}],
     "labels": "labels.txt",
     "artifacts": [{"file": "digits_cnn.xnnpack.int8.pte", "runtime": "executorch", "backend": "xnnpack",
                    "precision": "int8", "platforms": ["android", "ios"], "bytes": 200616,
                    "sha256": "3911c6cd58e703b7e45f3504a571688183ba63e084f280d53a4e4591aa5e5132",
                    "quantization": {"mode": "static"}, "validation": {"status": "ok"}}],
     "failures": [],
     "sample": {"input": "sample_input.bin", "expected_top1": 2, "expected_output": "sample_output.bin"}}
    """

    func testDecodesTheDigitsManifest() throws {
        let m = try Manifest.decode(Data(Self.digits.utf8))
        XCTAssertEqual(m.name, "digits_cnn")
        XCTAssertEqual(m.inputs[0].shape, [1, 1, 28, 28])
        XCTAssertEqual(m.inputs[0].count, 784)
        XCTAssertEqual(m.inputs[0].preprocess?.invert, true)
        XCTAssertNil(m.inputs[0].preprocess?.crop)
        XCTAssertEqual(m.outputs[0].postprocess?.topK, 5)
        XCTAssertEqual(m.sample?.expectedTop1, 2)
        XCTAssertEqual(try m.artifact(named: "digits_cnn.xnnpack.int8.pte").runtime, "executorch")
    }

    func testRejectsAnotherVersion() {
        let text = Self.digits.replacingOccurrences(of: "mobilekit.manifest/1", with: "mobilekit.manifest/2")
        XCTAssertThrowsError(try Manifest.decode(Data(text.utf8))) { error in
            XCTAssertEqual(error as? Manifest.ManifestError, .unsupportedSchema("mobilekit.manifest/2"))
        }
    }

    func testUnknownArtifactListsTheKnownOnes() throws {
        let m = try Manifest.decode(Data(Self.digits.utf8))
        XCTAssertThrowsError(try m.artifact(named: "nope.onnx")) { error in
            XCTAssertTrue(String(describing: error).contains("digits_cnn.xnnpack.int8.pte"))
        }
    }

    func testFloatsAreLittleEndian() {
        let data = Data([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0])
        XCTAssertEqual(Tensors.floatsLE(data), [1.0, -2.0])
        XCTAssertEqual(Tensors.argmax([0, 3, 3, -1]), 1)
        XCTAssertEqual(Tensors.topK([0.5, 0.1, 0.9], 2), [2, 0])
    }
}
