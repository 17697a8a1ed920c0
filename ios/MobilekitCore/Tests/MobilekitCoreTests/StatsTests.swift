import XCTest
@testable import MobilekitCore

final class StatsTests: XCTestCase {
    func testMatchesNumpy() throws {
        let s = try XCTUnwrap(Stats([4, 1, 3, 2]))
        XCTAssertEqual(s.p50, 2.5, accuracy: 1e-12)
        XCTAssertEqual(s.p90, 3.7, accuracy: 1e-12)
        XCTAssertEqual(s.std, 1.25.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(s.min, 1)
        XCTAssertEqual(s.max, 4)
    }

    func testEmptyIsNil() {
        XCTAssertNil(Stats([]))
    }
}
