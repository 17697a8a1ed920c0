import XCTest
@testable import MobilekitCore

final class BenchmarkResultTests: XCTestCase {
    func testEncodesSnakeCaseWithoutSimulated() throws {
        let result = BenchmarkResult(
            runId: "ios-001", startedUtc: "2026-11-22T05:00:00.000Z", finishedUtc: nil,
            app: .init(package: "org.mobilekit.demo", version: "0.1.0"),
            device: .init(manufacturer: "Apple", model: "iPhone16,1", soc: nil, abi: "arm64", osVersion: "18.1", cores: 6),
            artifact: .init(file: "m.pte", sha256: nil, runtime: "executorch", backend: "xnnpack", precision: "int8"),
            config: .init(warmup: 1, iterations: 2, threads: 0, energy: false),
            loadMs: 3.5, latencyMs: [1, 2], stats: try XCTUnwrap(Stats([1, 2])),
            memory: nil, energy: nil, thermal: .init(statusBefore: 0, statusAfter: 1),
            check: .init(expected: 2, got: 2), errors: [])
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: result.encoded()) as? [String: Any])
        XCTAssertEqual(json["schema"] as? String, "mobilekit.result/1")
        XCTAssertEqual(json["run_id"] as? String, "ios-001")
        XCTAssertNotNil(json["latency_ms"])
        XCTAssertNil(json["simulated"])
        XCTAssertNil(json["memory"])
        XCTAssertEqual((json["check"] as? [String: Any])?["ok"] as? Bool, true)
        XCTAssertEqual(try JSONDecoder().decode(BenchmarkResult.self, from: result.encoded()), result)
    }

    func testArguments() throws {
        let args = try XCTUnwrap(BenchmarkArguments.parse(
            ["MobilekitDemo", "-bundle", "bundles/digits_cnn", "-artifact", "m.pte", "-run_id", "r1", "-iterations", "7"]))
        XCTAssertEqual(args.iterations, 7)
        XCTAssertEqual(args.warmup, 5)
        XCTAssertNil(try BenchmarkArguments.parse(["MobilekitDemo"]))
        XCTAssertThrowsError(try BenchmarkArguments.parse(["x", "-run_id", "../evil", "-bundle", "b", "-artifact", "a"]))
        XCTAssertThrowsError(try BenchmarkArguments.parse(["x", "-run_id", "r", "-bundle", "b", "-artifact", "../a"]))
    }
}
