import Foundation

/// Latency statistics with numpy's definitions (linear-interpolation percentiles, population std),
/// as the Android app and the host compute them. Also the result's `stats` object.
// schema: result.schema.json#/properties/stats
public struct Stats: Codable, Equatable, Sendable {
    public let p50: Double
    public let p90: Double
    public let p99: Double
    public let mean: Double
    public let std: Double
    public let min: Double
    public let max: Double

    /// Statistics of a non-empty sample; nil when it is empty.
    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let mean = sorted.reduce(0, +) / Double(sorted.count)
        let variance = sorted.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(sorted.count)
        p50 = Stats.percentile(sorted, 50)
        p90 = Stats.percentile(sorted, 90)
        p99 = Stats.percentile(sorted, 99)
        self.mean = mean
        std = variance.squareRoot()
        min = sorted[0]
        max = sorted[sorted.count - 1]
    }

    /// The q-th percentile of sorted values by linear interpolation between closest ranks.
    public static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q / 100.0 * Double(sorted.count - 1)
        let lo = Int(position.rounded(.down))
        let hi = Swift.min(lo + 1, sorted.count - 1)
        let t = position - Double(lo)
        let a = sorted[lo]
        let b = sorted[hi]
        return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t
    }
}
