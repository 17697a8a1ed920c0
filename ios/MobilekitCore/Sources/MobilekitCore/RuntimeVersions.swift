import Foundation

/// The runtime releases the iOS app links, recorded once (tests/apps/test_android_build.py fails when
/// this, ios/project.yml's ExecuTorch `swiftpm-X.Y.Z` branch, android/app/build.gradle and
/// requirements.txt disagree), and the check of a bundle's `runtime_version` against them.
///
/// ExecuTorch promises no forward compatibility: a `.pte` from a newer exporter is refused with a
/// message that says what to do. Core ML packages carry their own deployment target instead.
public enum RuntimeVersions {
    /// The ExecuTorch Swift package branch `swiftpm-1.5.1` (= the exporter's executorch==1.5.1).
    public static let executorch = "1.5.1"

    /// Compares dotted versions numerically ("1.10.0" > "1.9.2"); suffixes on a part are ignored.
    public static func compare(_ a: String, _ b: String) -> Int {
        let pa = a.split(separator: ".").map(leadingInt)
        let pb = b.split(separator: ".").map(leadingInt)
        for i in 0..<max(pa.count, pb.count) {
            let x = i < pa.count ? pa[i] : 0
            let y = i < pb.count ? pb[i] : 0
            if x != y { return x < y ? -1 : 1 }
        }
        return 0
    }

    private static func leadingInt(_ part: Substring) -> Int {
        Int(part.prefix(while: { $0.isNumber })) ?? 0
    }

    /// nil when the app can load the artifact, else the message to show (and write to `error`).
    public static func refusal(runtime: String, runtimeVersion: String?, file: String) -> String? {
        guard runtime == "executorch", let needed = runtimeVersion, compare(needed, executorch) > 0 else {
            return nil
        }
        return "bundle needs ExecuTorch \(needed), this app links \(executorch): update the app (swiftpm-\(needed)) "
            + "or re-export with executorch==\(executorch) (\(file); ExecuTorch programs are not forward compatible)"
    }
}
