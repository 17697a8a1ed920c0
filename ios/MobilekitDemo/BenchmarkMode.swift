import CryptoKit
import Foundation
import MobilekitCore

/// The iOS benchmark mode, the counterpart of Android's BenchmarkActivity: launched with
/// `-bundle <dir> -artifact <file> -run_id <id> [-warmup N] [-iterations N] [-threads N]`, it runs the
/// case on a background queue and writes `Documents/mobilekit/<run_id>/result.json` and an empty
/// `done`, or `error` with the message.
///
/// iOS has no public battery current or PSS reading: `energy` and `memory` are left out rather than
/// filled with numbers that were never measured; thermal status maps ProcessInfo.thermalState onto
/// Android's scale (BenchmarkResult.thermalStatus).
enum BenchmarkMode {
    private static let queue = DispatchQueue(label: "org.mobilekit.demo.benchmark", qos: .userInitiated)

    /// Starts the case off the main thread; `completion` gets "done" or "error: ..." on the main thread.
    static func start(_ args: BenchmarkArguments, completion: @escaping @MainActor (String) -> Void) {
        queue.async {
            let outcome = execute(args)
            Task { @MainActor in completion(outcome) }
        }
    }

    static func documents() -> URL {
        FileManager.default.urls(for: .documentDirectory, in: .userDomainMask)[0]
    }

    /// The whole case: returns "done" or "error: message" after writing the files.
    static func execute(_ args: BenchmarkArguments) -> String {
        let dir = documents().appendingPathComponent("mobilekit").appendingPathComponent(args.runId)
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
            for name in ["result.json", "done", "error"] {
                try? fm.removeItem(at: dir.appendingPathComponent(name))
            }
            let result = try run(args)
            try result.encoded().write(to: dir.appendingPathComponent("result.json"), options: .atomic)
            try Data().write(to: dir.appendingPathComponent("done"), options: .atomic)
            return "done"
        } catch {
            let message = String(describing: error)
            try? Data(message.utf8).write(to: dir.appendingPathComponent("error"), options: .atomic)
            return "error: " + message
        }
    }

    private static func bundleURL(_ path: String) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : documents().appendingPathComponent(path)
    }

    private static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }

    private static func milliseconds(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }

    static func run(_ args: BenchmarkArguments) throws -> BenchmarkResult {
        let started = now()
        let bundle = bundleURL(args.bundle)
        let manifest = try Manifest.load(bundle: bundle)
        let artifact = try manifest.artifact(named: args.artifact)
        let input = manifest.inputs[0]
        let x = try manifest.readSampleInput(bundle: bundle) ?? [Float](repeating: 0, count: input.count)
        let thermalBefore = BenchmarkResult.thermalStatus(iosThermalState: ProcessInfo.processInfo.thermalState.rawValue)

        let loadStart = DispatchTime.now().uptimeNanoseconds
        let runner = try Runners.open(bundle: bundle, manifest: manifest, artifact: artifact)
        let loadMs = milliseconds(since: loadStart)
        var output: [Float] = []
        for _ in 0..<args.warmup {
            output = try runner.run(x)
        }
        var latencies: [Double] = []
        latencies.reserveCapacity(args.iterations)
        for _ in 0..<args.iterations {
            let start = DispatchTime.now().uptimeNanoseconds
            output = try runner.run(x)
            latencies.append(milliseconds(since: start))
        }
        guard let stats = Stats(latencies) else {
            throw RunnerError.output("no iterations were timed")
        }
        let got = output.isEmpty ? nil : Tensors.argmax(output)
        let expected = manifest.sample?.expectedTop1
        var errors: [String] = []
        if let got, let expected, got != expected {
            errors.append("top-1 mismatch: the phone computed class \(got), the host expected \(expected)")
        }
        let fileURL = bundle.appendingPathComponent(artifact.file)
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: fileURL.path, isDirectory: &isDirectory)
        let sha = try isDirectory.boolValue ? artifact.sha256 : sha256(fileURL)
        return BenchmarkResult(
            runId: args.runId, startedUtc: started, finishedUtc: now(),
            app: .init(package: Bundle.main.bundleIdentifier ?? "org.mobilekit.demo",
                       version: Bundle.main.object(forInfoDictionaryKey: "CFBundleShortVersionString") as? String ?? "0"),
            device: .init(manufacturer: "Apple", model: machine(), soc: nil, abi: "arm64",
                          osVersion: osVersion(),
                          cores: ProcessInfo.processInfo.activeProcessorCount),
            artifact: .init(file: artifact.file, sha256: sha, runtime: artifact.runtime, backend: artifact.backend,
                            precision: artifact.precision),
            config: .init(warmup: args.warmup, iterations: args.iterations, threads: args.threads, energy: args.energy),
            loadMs: loadMs, latencyMs: latencies, stats: stats, memory: nil, energy: nil,
            thermal: .init(statusBefore: thermalBefore,
                           statusAfter: BenchmarkResult.thermalStatus(iosThermalState: ProcessInfo.processInfo.thermalState.rawValue)),
            check: .init(expected: expected, got: got), errors: errors)
    }

    /// e.g. "iOS 18.1.0" (ProcessInfo: callable off the main thread, unlike UIDevice).
    static func osVersion() -> String {
        let v = ProcessInfo.processInfo.operatingSystemVersion
        return "iOS \(v.majorVersion).\(v.minorVersion).\(v.patchVersion)"
    }

    /// The hardware model identifier, e.g. "iPhone16,1".
    static func machine() -> String {
        var info = utsname()
        uname(&info)
        return withUnsafeBytes(of: &info.machine) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }

    private static func sha256(_ url: URL) throws -> String {
        let digest = SHA256.hash(data: try Data(contentsOf: url, options: .mappedIfSafe))
        return digest.map { String(format: "%02x", $0) }.joined()
    }
}
