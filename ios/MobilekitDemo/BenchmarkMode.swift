import CryptoKit
import Foundation
import MobilekitCore
import UIKit

/// The iOS benchmark mode, the counterpart of Android's BenchmarkActivity: launched with
/// `-bundle <dir> -artifact <file> -run_id <id> [-warmup N] [-iterations N] [-threads N]
/// [-compute_units all|cpu|cpu_gpu|cpu_ne]`, it runs the case once (a second `start` is ignored) on a
/// background queue with the idle timer off (the screen stays on and the app in the foreground), and
/// writes `Documents/mobilekit/<run_id>/result.json` and an empty `done`, or `error` with the message.
///
/// Isolation (Swift 6 language mode): `BenchmarkMode` is main-actor code (UIApplication, the "started"
/// flag); the case itself is `BenchmarkWork`, nonisolated, on its own queue, and hands only Sendable
/// values back and forth.
///
/// iOS has no public battery current or PSS reading: `energy`, `power_samples` and `memory` are left out
/// rather than filled with numbers that were never measured; thermal status maps
/// ProcessInfo.thermalState onto Android's scale (BenchmarkResult.thermalStatus).
@MainActor
enum BenchmarkMode {
    private static var started = false

    /// Starts the case once, off the main thread; `completion` gets "done" or "error: ..." on the main actor.
    static func start(_ args: BenchmarkArguments, completion: @escaping @MainActor @Sendable (String) -> Void) {
        guard !started else { return }
        started = true
        UIApplication.shared.isIdleTimerDisabled = true
        let before = currentState()
        BenchmarkWork.queue.async {
            let outcome = BenchmarkWork.execute(args, stateBefore: before)
            Task { @MainActor in
                UIApplication.shared.isIdleTimerDisabled = false
                completion(outcome)
            }
        }
    }

    /// Screen (the app is active in the foreground), lock (protected data unavailable), Low Power Mode, thermal.
    static func currentState() -> BenchmarkResult.State {
        BenchmarkResult.State(
            screenOn: UIApplication.shared.applicationState == .active,
            keyguardLocked: !UIApplication.shared.isProtectedDataAvailable,
            powerSave: ProcessInfo.processInfo.isLowPowerModeEnabled,
            thermalStatus: BenchmarkResult.thermalStatus(iosThermalState: ProcessInfo.processInfo.thermalState.rawValue))
    }
}

/// The case itself: nonisolated, runs on `queue`.
enum BenchmarkWork {
    static let queue = DispatchQueue(label: "org.mobilekit.demo.benchmark", qos: .userInitiated)

    static func documents() -> URL {
        FileManager.default.urls(for: .documentDirectory, in: .userDomainMask)[0]
    }

    /// The whole case: returns "done" or "error: message" after writing the files.
    static func execute(_ args: BenchmarkArguments, stateBefore: BenchmarkResult.State? = nil) -> String {
        let dir = documents().appendingPathComponent("mobilekit").appendingPathComponent(args.runId)
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
            for name in ["result.json", "done", "error"] {
                try? fm.removeItem(at: dir.appendingPathComponent(name))
            }
            let result = try run(args, stateBefore: stateBefore)
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

    static func run(_ args: BenchmarkArguments, stateBefore: BenchmarkResult.State?) throws -> BenchmarkResult {
        let started = now()
        let bundle = bundleURL(args.bundle)
        let manifest = try Manifest.load(bundle: bundle)
        let artifact = try manifest.artifact(named: args.artifact)
        // Every input from the bundle's sample (pictures, token ids, attention masks), each in its dtype; a
        // single float input keeps the runners' float path.
        let inputs = try manifest.readSampleInputs(bundle: bundle)
        let x: [Float]? = inputs.count == 1 ? { if case .float32(let v) = inputs[0].storage { return v }; return nil }() : nil
        let expectedOutput = try manifest.readExpectedOutput(bundle: bundle)
        let thermalBefore = BenchmarkResult.thermalStatus(iosThermalState: ProcessInfo.processInfo.thermalState.rawValue)

        let loadStart = DispatchTime.now().uptimeNanoseconds
        let runner = try Runners.open(bundle: bundle, manifest: manifest, artifact: artifact,
                                      computeUnits: args.computeUnits)
        let loadMs = milliseconds(since: loadStart)
        var output: [Float] = []
        for _ in 0..<args.warmup {
            output = try x.map { try runner.run($0) } ?? runner.run(inputs: inputs)
        }
        var latencies: [Double] = []
        latencies.reserveCapacity(args.iterations)
        let timedStart = Int(Date().timeIntervalSince1970 * 1000)
        for _ in 0..<args.iterations {
            let start = DispatchTime.now().uptimeNanoseconds
            output = try x.map { try runner.run($0) } ?? runner.run(inputs: inputs)
            latencies.append(milliseconds(since: start))
        }
        let timedEnd = Int(Date().timeIntervalSince1970 * 1000)
        guard let stats = Stats(latencies) else {
            throw RunnerError.output("no iterations were timed")
        }
        let check = BenchmarkResult.Check(manifest: manifest, got: output.isEmpty ? nil : output, expected: expectedOutput)
        var errors: [String] = []
        if let warning = artifact.fidelityWarning {
            errors.append("warning: " + warning)
        }
        if artifact.runtime == "executorch" {
            errors.append("note: threads \(args.threads) recorded, not applied: ExecuTorch's iOS Module has no thread "
                + "count; XNNPACK runs on the shared threadpool (performance cores)")
        }
        if let stateBefore, stateBefore.screenOn == false {
            errors.append("warning: the app was not active in the foreground when the case started")
        }
        if stateBefore?.powerSave == true {
            errors.append("warning: Low Power Mode was on (CPU and GPU clocks are capped)")
        }
        if let problem = check.problem {
            errors.append(problem)
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
            config: .init(warmup: args.warmup, iterations: args.iterations, threads: args.threads, energy: args.energy,
                          threadsUsed: nil),
            loadMs: loadMs, latencyMs: latencies, stats: stats, memory: nil, energy: nil,
            thermal: .init(statusBefore: thermalBefore,
                           statusAfter: BenchmarkResult.thermalStatus(iosThermalState: ProcessInfo.processInfo.thermalState.rawValue)),
            check: check, errors: errors,
            timing: .init(timedStartMs: timedStart, timedEndMs: timedEnd),
            deviceState: .init(before: stateBefore, after: BenchmarkResult.State(
                screenOn: nil, keyguardLocked: nil, powerSave: ProcessInfo.processInfo.isLowPowerModeEnabled,
                thermalStatus: BenchmarkResult.thermalStatus(iosThermalState: ProcessInfo.processInfo.thermalState.rawValue))))
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
