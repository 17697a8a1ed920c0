import Foundation
@testable import MobilekitCore
import XCTest

/// The camera screen's frame -> tensor path against Python: BGRA frames with padded rows, in the sensor's
/// orientation, made from real photographs by tests/apps/ios_swift_data.py, and the tensor `ImagePreprocess.apply`
/// makes of the upright photo. Every value must be within 1/255 of a pixel step (in practice they are equal).
final class CameraFrameTests: XCTestCase {
    struct Case: Decodable {
        let name: String
        let width: Int
        let height: Int
        let bytes_per_row: Int
        let rotation: Int
        let spec: Manifest.ImagePreprocess
        let shape: [Int]
    }

    func testFramesMatchPythonsImagePreprocessApply() throws {
        let dir = try TestData.dataDirectory().appendingPathComponent("camera")
        struct Index: Decodable { let cases: [Case] }
        let cases = try JSONDecoder().decode(Index.self, from: Data(contentsOf: dir.appendingPathComponent("index.json"))).cases
        XCTAssertGreaterThanOrEqual(cases.count, 16)
        XCTAssertEqual(Set(cases.map(\.rotation)), [0, 90, 180, 270])
        var worst = 0.0
        for c in cases {
            let bgra = [UInt8](try Data(contentsOf: dir.appendingPathComponent(c.name + ".bgra")))
            let want = Tensors.floatsLE(try Data(contentsOf: dir.appendingPathComponent(c.name + ".f32")))
            let frame = try CameraFrame(bgra: bgra, width: c.width, height: c.height, bytesPerRow: c.bytes_per_row,
                                        rotation: try XCTUnwrap(CameraFrame.Rotation(rawValue: c.rotation)))
            let got = try frame.tensor(c.spec)
            XCTAssertEqual(got.count, want.count, c.name)
            XCTAssertEqual(got.count, c.shape.reduce(1, *), c.name)
            // One pixel step in tensor units is scale / std (the smallest std is the strictest).
            let step = c.spec.scale / (c.spec.std.min() ?? 1)
            for (a, b) in zip(got, want) {
                let err = abs(Double(a) - Double(b)) / step
                worst = max(worst, err)
                if err > 1.0 / 255.0 + 1e-4 {
                    XCTFail("\(c.name): |swift - python| = \(err) pixel steps")
                    break
                }
            }
        }
        print("camera frames: \(cases.count) cases, worst difference \(worst) pixel steps")
    }

    func testRotationsAndMirrorOnATinyFrame() throws {
        // 3 x 2 sensor frame, pixel value = 10 * row + column in every channel, rows padded to 16 bytes.
        var bgra = [UInt8](repeating: 0, count: 16 * 2)
        for y in 0..<2 { for x in 0..<3 { for c in 0..<3 { bgra[y * 16 + 4 * x + c] = UInt8(10 * y + x) } } }
        func red(_ r: CameraFrame.Rotation, mirrored: Bool = false) throws -> [UInt8] {
            let f = try CameraFrame(bgra: bgra, width: 3, height: 2, bytesPerRow: 16, rotation: r, mirrored: mirrored)
            return stride(from: 0, to: f.uprightRGBA().count, by: 4).map { f.uprightRGBA()[$0] }
        }
        XCTAssertEqual(try red(.none), [0, 1, 2, 10, 11, 12])
        XCTAssertEqual(try red(.clockwise90), [10, 0, 11, 1, 12, 2])
        XCTAssertEqual(try red(.clockwise180), [12, 11, 10, 2, 1, 0])
        XCTAssertEqual(try red(.clockwise270), [2, 12, 1, 11, 0, 10])
        XCTAssertEqual(try red(.none, mirrored: true), [2, 1, 0, 12, 11, 10])
        XCTAssertThrowsError(try CameraFrame(bgra: bgra, width: 5, height: 2, bytesPerRow: 16))
    }

    func testLiveStats() {
        var s = LiveStats(window: 4)
        XCTAssertNil(s.fps)
        for (i, ms) in [5.0, 7.0, 6.0, 100.0, 6.5].enumerated() {
            s.add(at: Double(i) * 0.1, inferenceMs: ms)
        }
        XCTAssertEqual(s.fps ?? 0, 10, accuracy: 1e-9)  // 4 frames kept, 0.1 s apart
        XCTAssertEqual(s.medianInferenceMs ?? 0, 6.75, accuracy: 1e-9)  // of 7, 6, 100, 6.5
    }
}
