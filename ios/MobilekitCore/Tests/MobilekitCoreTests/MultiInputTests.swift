import Foundation
import MobilekitCore
import XCTest

/// Mirrors android's MultiInputTest: a text manifest's fields, every sample input read in the model's dtype,
/// and the output check (top-1 for classifiers, cosine otherwise).
final class MultiInputTests: XCTestCase {
    static let text = """
    {"schema": "mobilekit.manifest/1", "name": "minilm", "created_utc": "x", "source": {"model": "m", "torch": "2"},
     "inputs": [{"name": "input_ids", "dtype": "int64", "shape": [1, 8], "role": "input_ids"},
                {"name": "attention_mask", "dtype": "int32", "shape": [1, 8], "role": "attention_mask"}],
     "outputs": [{"name": "embedding", "dtype": "float32", "shape": [1, 4], "postprocess": {"kind": "embedding", "normalize": true}}],
     "artifacts": [],
     "sample": {"input": "ids.bin", "expected_output": null,
                "inputs": [{"name": "input_ids", "file": "ids.bin", "dtype": "int64", "shape": [1, 8]},
                           {"name": "attention_mask", "file": "mask.bin", "dtype": "int64", "shape": [1, 8]}],
                "outputs": [{"name": "embedding", "file": "out.bin", "shape": [1, 4]}],
                "text": "hello world", "min_cosine": 0.99},
     "tokenizer": {"kind": "wordpiece", "vocab": "vocab.txt", "file": null, "lowercase": true, "strip_accents": null,
                   "max_length": 8, "inputs": {"input_ids": "input_ids", "attention_mask": "attention_mask", "token_type_ids": null}}}
    """

    private func le<T: FixedWidthInteger>(_ values: [T]) -> Data {
        values.reduce(into: Data()) { data, v in withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
    }

    func testReadsEveryInputInTheModelsDtypeAndChecksByCosine() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data(Self.text.utf8).write(to: dir.appendingPathComponent("manifest.json"))
        try le([Int64(101), 7592, 2088, 102, 0, 0, 0, 0]).write(to: dir.appendingPathComponent("ids.bin"))
        try le([Int64(1), 1, 1, 1, 0, 0, 0, 0]).write(to: dir.appendingPathComponent("mask.bin"))
        try le([Float(0.5), 0.5, -0.5, 0.5].map(\.bitPattern)).write(to: dir.appendingPathComponent("out.bin"))
        let m = try Manifest.load(bundle: dir)
        XCTAssertEqual(m.inputs[0].role, "input_ids")
        XCTAssertEqual(m.tokenizer?.stripsAccents, true)
        XCTAssertEqual(m.sample?.text, "hello world")
        let inputs = try m.readSampleInputs(bundle: dir)
        XCTAssertEqual(inputs.map(\.dtype), ["int64", "int32"])
        XCTAssertEqual(inputs[1].storage, .int32([1, 1, 1, 1, 0, 0, 0, 0]))
        let expected = try XCTUnwrap(m.readExpectedOutput(bundle: dir))
        let same = BenchmarkResult.Check(manifest: m, got: [1, 1, -1, 1], expected: expected)
        XCTAssertEqual(same.compared, "output")
        XCTAssertEqual(same.ok, true)
        XCTAssertEqual(same.cosine ?? 0, 1, accuracy: 1e-9)
        let off = BenchmarkResult.Check(manifest: m, got: [0.5, 0.5, 0.5, 0.5], expected: expected)
        XCTAssertEqual(off.ok, false)
        XCTAssertEqual(off.cosine ?? 0, 0.5, accuracy: 1e-9)
        XCTAssertTrue(off.problem?.hasPrefix("output mismatch: cosine 0.500000") == true)
    }

    func testIntegerInputsWithoutSampleDataFailNamingTheInput() throws {
        let withoutMask = Self.text.replacingOccurrences(
            of: #",\s*\{"name": "attention_mask", "file": "mask.bin"[^}]*\}"#, with: "", options: .regularExpression)
        let m = try Manifest.decode(Data(withoutMask.utf8))
        XCTAssertThrowsError(try m.readSampleInputs(bundle: URL(fileURLWithPath: "/nonexistent"))) { error in
            XCTAssertTrue(String(describing: error).contains("'input_ids'") || String(describing: error).contains("attention_mask"))
        }
    }
}
