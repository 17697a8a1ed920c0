import Foundation
import MobilekitApp
import MobilekitCore
import UIKit

/// The iOS benchmark mode, the counterpart of Android's BenchmarkActivity: launched with
/// `-bundle <dir> -artifact <file> -run_id <id> [-warmup N] [-iterations N] [-threads N]
/// [-compute_units all|cpu|cpu_gpu|cpu_ne]` (or an LLM case: `-mode llm -prompts prompts.json -prompt_ids a,b
/// -max_new_tokens N -repetitions N`), it runs the case once (a second `start` is ignored) on a background queue
/// with the idle timer off, and writes `Documents/mobilekit/<run_id>/result.json` and an empty `done`, or `error`.
/// The case itself is MobilekitCore's BenchmarkCase (compiled and tested on Linux too); this file is only the
/// UIKit side: the idle timer and the device state.
@MainActor
enum BenchmarkMode {
    private static var started = false

    /// Starts the case once, off the main thread; `completion` gets "done" or "error: ..." on the main actor.
    static func start(_ args: BenchmarkArguments, completion: @escaping @MainActor @Sendable (String) -> Void) {
        guard !started else { return }
        started = true
        UIApplication.shared.isIdleTimerDisabled = true
        let before = BenchmarkResult.State(
            screenOn: UIApplication.shared.applicationState == .active,
            keyguardLocked: !UIApplication.shared.isProtectedDataAvailable,
            powerSave: ProcessInfo.processInfo.isLowPowerModeEnabled,
            thermalStatus: BenchmarkResult.thermalStatus(iosThermalState: ProcessInfo.processInfo.thermalState.rawValue))
        AppBenchmark.queue.async {
            let outcome = AppBenchmark.execute(args, probe: IOSDeviceProbe(), stateBefore: before)
            Task { @MainActor in
                UIApplication.shared.isIdleTimerDisabled = false
                completion(outcome)
            }
        }
    }
}

/// ProcessInfo and uname: callable off the main thread, unlike UIDevice.
struct IOSDeviceProbe: DeviceProbe {
    func machine() -> String {
        var info = utsname()
        uname(&info)
        return withUnsafeBytes(of: &info.machine) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }

    func osVersion() -> String {
        let v = ProcessInfo.processInfo.operatingSystemVersion
        return "iOS \(v.majorVersion).\(v.minorVersion).\(v.patchVersion)"
    }

    func cores() -> Int { ProcessInfo.processInfo.activeProcessorCount }

    func thermalStatus() -> Int {
        BenchmarkResult.thermalStatus(iosThermalState: ProcessInfo.processInfo.thermalState.rawValue)
    }

    func lowPowerMode() -> Bool { ProcessInfo.processInfo.isLowPowerModeEnabled }

    func appInfo() -> BenchmarkResult.AppInfo {
        .init(package: Bundle.main.bundleIdentifier ?? "org.mobilekit.demo",
              version: Bundle.main.object(forInfoDictionaryKey: "CFBundleShortVersionString") as? String ?? "0")
    }
}
