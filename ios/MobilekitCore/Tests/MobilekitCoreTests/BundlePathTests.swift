import Foundation
@testable import MobilekitCore
import XCTest

/// Issue 17's one path check, in the Swift manifest reader: every manifest path is relative, inside the bundle,
/// without `..`, not absolute, and no symbolic link leads out.
final class BundlePathTests: XCTestCase {
    private func manifestText(labels: String) -> String {
        ManifestTests.digits.replacingOccurrences(of: #""labels": "labels.txt""#, with: #""labels": "\#(labels)""#)
    }

    private func bundle(_ text: String) throws -> URL {
        let dir = try TestData.temporaryDirectory().appendingPathComponent("b")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: dir.appendingPathComponent("manifest.json"))
        return dir
    }

    func testLexicalRules() throws {
        // The schema's bundle_path pattern: the same cases tests/apps/test_swift.py checks against it.
        for bad in ["", "/etc/passwd", "../secret", "a/../../b", "a\\b", "~/x", ".", "./", "a\u{0}b", "./labels.txt",
                    "sub//x", "sub/", "C:x", String(repeating: "a", count: 1025)] {
            XCTAssertThrowsError(try BundlePath.checkText(bad, field: "labels"), bad)
        }
        for good in ["labels.txt", "sub/vocab.txt", "m.coreml.fp16.mlpackage", ".hidden", "..dots", "a b.txt"] {
            XCTAssertNoThrow(try BundlePath.checkText(good, field: "labels"), good)
        }
        XCTAssertThrowsError(try BundlePath.checkText("sub/m.pte", field: "artifacts[0].file", kind: .file))
        XCTAssertNoThrow(try BundlePath.checkText("m.pte", field: "artifacts[0].file", kind: .file))
        XCTAssertThrowsError(try BundlePath.checkText("../x", field: "sample.input")) { error in
            XCTAssertEqual(String(describing: error), "manifest sample.input '../x' is refused: it contains '..'; a bundle "
                           + "names its files relative to its folder")
        }
    }

    func testLoadRefusesAbsoluteAndParentPathsNamingTheField() throws {
        for bad in ["/etc/passwd", "../SECRET"] {
            let dir = try bundle(manifestText(labels: bad))
            XCTAssertThrowsError(try Manifest.load(bundle: dir)) { error in
                XCTAssertTrue(String(describing: error).hasPrefix("manifest labels '\(bad)' is refused"), "\(error)")
            }
        }
        XCTAssertNoThrow(try Manifest.load(bundle: try bundle(ManifestTests.digits)))
    }

    func testASymlinkOutOfTheBundleIsRefused() throws {
        let dir = try bundle(manifestText(labels: "labels.txt"))
        let outside = dir.deletingLastPathComponent().appendingPathComponent("SECRET")
        try Data("secret".utf8).write(to: outside)
        try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent("labels.txt"), withDestinationURL: outside)
        XCTAssertThrowsError(try Manifest.load(bundle: dir)) { error in
            XCTAssertTrue(String(describing: error).contains("leads outside the bundle"), "\(error)")
        }
        // A link that stays inside is fine.
        try FileManager.default.removeItem(at: dir.appendingPathComponent("labels.txt"))
        try Data("0\n1\n".utf8).write(to: dir.appendingPathComponent("real.txt"))
        try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent("labels.txt"),
                                                   withDestinationURL: dir.appendingPathComponent("real.txt"))
        XCTAssertEqual(try Manifest.load(bundle: dir).readLabels(bundle: dir), ["0", "1"])
    }

    func testASymlinkInsideAnArtifactFolderIsRefused() throws {
        let dir = try bundle(ManifestTests.digits.replacingOccurrences(of: "digits_cnn.xnnpack.int8.pte",
                                                                       with: "m.coreml.fp16.mlpackage"))
        let package = dir.appendingPathComponent("m.coreml.fp16.mlpackage/Data")
        try FileManager.default.createDirectory(at: package, withIntermediateDirectories: true)
        XCTAssertNoThrow(try Manifest.load(bundle: dir))
        try FileManager.default.createSymbolicLink(at: package.appendingPathComponent("weights.bin"),
                                                   withDestinationURL: URL(fileURLWithPath: "/etc/hostname"))
        XCTAssertThrowsError(try Manifest.load(bundle: dir)) { error in
            XCTAssertTrue(String(describing: error).contains("artifacts[0].file"), "\(error)")
        }
    }

    func testEveryManifestPathIsChecked() throws {
        let m = try Manifest.decode(Data(try String(contentsOf: TestData.fixtures.appendingPathComponent("llm/manifest.json"),
                                                    encoding: .utf8).utf8))
        XCTAssertEqual(Set(m.namedPaths.map(\.field)), ["artifacts[0].file", "llm.tokenizer.file", "llm.prompts"])
        let digits = try Manifest.decode(Data(ManifestTests.digits.utf8))
        XCTAssertEqual(Set(digits.namedPaths.map(\.field)),
                       ["labels", "artifacts[0].file", "sample.input", "sample.expected_output"])
    }
}
