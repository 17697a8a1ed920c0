import Foundation
import MobilekitCore

/// The benchmark mode's runtime side: BenchmarkCase (MobilekitCore) with the real runners and generators.
public enum AppBenchmark {
    public static let queue = DispatchQueue(label: "org.mobilekit.demo.benchmark", qos: .userInitiated)

    public static func documents() -> URL {
        FileManager.default.urls(for: .documentDirectory, in: .userDomainMask)[0]
    }

    /// Runs the case on the calling (background) thread; returns "done" or "error: ...".
    public static func execute(_ args: BenchmarkArguments, probe: DeviceProbe,
                               stateBefore: BenchmarkResult.State?) -> String {
        BenchmarkCase.execute(
            args, documents: documents(), probe: probe, stateBefore: stateBefore,
            openRunner: { bundle, manifest, artifact in
                try Runners.open(bundle: bundle, manifest: manifest, artifact: artifact, computeUnits: args.computeUnits)
            },
            openGenerator: { bundle, manifest, artifact in
                try Runners.openGenerator(bundle: bundle, manifest: manifest, artifact: artifact,
                                          computeUnits: args.computeUnits)
            })
    }
}
