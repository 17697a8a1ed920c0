import Foundation
import XCTest

/// Where the tests find what scripts/swift.sh hands them (MOBILEKIT_SWIFT_DATA: camera frames from real photos with
/// Python's preprocess of each, the MiniLM vocab) and where they leave result.json files for pytest to validate
/// against the JSON Schemas (MOBILEKIT_SWIFT_OUT). A missing data folder fails, never skips.
enum TestData {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func dataDirectory(file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        guard let path = ProcessInfo.processInfo.environment["MOBILEKIT_SWIFT_DATA"] else {
            XCTFail("MOBILEKIT_SWIFT_DATA is not set: run the tests through scripts/swift.sh (it makes the data with "
                    + "tests/apps/ios_swift_data.py), or set it to a folder that script wrote", file: file, line: line)
            throw CocoaError(.fileNoSuchFile)
        }
        return URL(fileURLWithPath: path)
    }

    /// Writes a file for pytest when MOBILEKIT_SWIFT_OUT is set (scripts/swift.sh sets it).
    static func keep(_ data: Data, as name: String) throws {
        guard let out = ProcessInfo.processInfo.environment["MOBILEKIT_SWIFT_OUT"] else { return }
        let dir = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try data.write(to: dir.appendingPathComponent(name))
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A copy of a fixture bundle in a temporary folder (tests may change it).
    static func copyFixture(_ name: String) throws -> URL {
        let dir = try temporaryDirectory().appendingPathComponent(name)
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent(name), to: dir)
        return dir
    }
}
