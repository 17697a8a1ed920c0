import Foundation
@testable import MobilekitCore
import XCTest

final class SHA256Tests: XCTestCase {
    func testKnownVectors() throws {
        XCTAssertEqual(SHA256.hex(of: Data()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(of: Data("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(of: Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        let dir = try TestData.temporaryDirectory()
        let file = dir.appendingPathComponent("big.bin")
        try Data(repeating: 0x61, count: 3 * (1 << 20) + 17).write(to: file)  // chunked: 3 MiB + 17 bytes
        XCTAssertEqual(try SHA256.hex(of: file), SHA256.hex(of: try Data(contentsOf: file)))
    }

    /// The .mlpackage digest equals export/manifest.py's sha256_path (tests/apps/test_swift.py computes the value
    /// below with it from the same folder).
    func testFolderDigestIsTheExportersOne() throws {
        let folder = TestData.fixtures.appendingPathComponent("m.coreml.fp16.mlpackage")
        XCTAssertEqual(try SHA256.hex(ofFolder: folder), Self.exportersFolderDigest)
    }

    static let exportersFolderDigest = "682ec79dd8fd6644bb1d1ebf030656cec3d2476c6206777f156bb7e937125abb"
}

/// Defect 4: built-in bundles were copied into Documents only when missing, so a rebuilt app kept the old bundle.
final class BundleStoreTests: XCTestCase {
    private func write(_ dir: URL, manifest: String, extra: String) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data(manifest.utf8).write(to: dir.appendingPathComponent("manifest.json"))
        try Data(extra.utf8).write(to: dir.appendingPathComponent("model.pte"))
    }

    func testInstallsUpdatesAndLeavesUserBundlesAlone() throws {
        let root = try TestData.temporaryDirectory()
        let builtIn = root.appendingPathComponent("app-resources")
        let store = BundleStore(directory: root.appendingPathComponent("Documents/bundles"))
        try write(builtIn.appendingPathComponent("digits_cnn"), manifest: "{\"v\": 1}", extra: "old")
        XCTAssertEqual(try store.install(from: builtIn), [.installed("digits_cnn")])
        XCTAssertEqual(try store.install(from: builtIn), [.unchanged("digits_cnn")])
        try write(store.directory.appendingPathComponent("mine"), manifest: "{}", extra: "user's")
        // The rebuilt app ships a re-exported bundle.
        try write(builtIn.appendingPathComponent("digits_cnn"), manifest: "{\"v\": 2}", extra: "new")
        XCTAssertEqual(try store.install(from: builtIn), [.updated("digits_cnn")])
        let installed = store.directory.appendingPathComponent("digits_cnn")
        XCTAssertEqual(try String(contentsOf: installed.appendingPathComponent("model.pte"), encoding: .utf8), "new")
        XCTAssertEqual(try String(contentsOf: store.directory.appendingPathComponent("mine/model.pte"), encoding: .utf8),
                       "user's")
        XCTAssertEqual(store.list(), ["digits_cnn", "mine"])
    }

    func testIOSArtifactFilter() throws {
        let m = try Manifest.decode(Data(ManifestTests.digits.utf8))
        XCTAssertEqual(BundleStore.iosArtifacts(m).map(\.file), ["digits_cnn.xnnpack.int8.pte"])
        XCTAssertEqual(BundleStore.iosArtifacts(m, runtime: "coreml").count, 0)
        XCTAssertEqual(BundleStore.iosArtifacts(m, precision: "int8").count, 1)
    }
}
