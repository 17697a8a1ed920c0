import Foundation

/// The benchmark result (schemas/result.schema.json, `mobilekit.result/1`) as the iOS app writes it
/// into Documents/mobilekit/<run_id>/result.json. Real hardware only: there is no `simulated` key.
/// Optional values that are nil are left out of the JSON (the schema allows every one to be absent).
// schema: result.schema.json#
public struct BenchmarkResult: Codable, Equatable, Sendable {
    public static let schemaVersion = "mobilekit.result/1"

    public var schema: String = BenchmarkResult.schemaVersion
    public var runId: String
    public var startedUtc: String
    public var finishedUtc: String?
    public var app: AppInfo?
    public var device: Device
    public var artifact: ArtifactInfo
    public var config: Config
    public var loadMs: Double?
    public var latencyMs: [Double]
    public var stats: Stats
    public var memory: Memory?
    public var energy: Energy?
    public var thermal: Thermal?
    public var check: Check?
    /// The timed iterations' window (epoch ms), as Android writes it.
    public var timing: Timing?
    /// iOS gives an app no battery current: always nil (Android records raw readings here).
    public var powerSamples: PowerSamples?
    /// Low Power Mode and thermal state around the run (screen: the app is in the foreground).
    public var deviceState: DeviceState?
    /// LLM cases (`config.kind = "llm"`): one entry per prompt and timed repetition.
    public var llm: LLMSection?
    public var errors: [String]

    enum CodingKeys: String, CodingKey {
        case schema
        case runId = "run_id"
        case startedUtc = "started_utc"
        case finishedUtc = "finished_utc"
        case app
        case device
        case artifact
        case config
        case loadMs = "load_ms"
        case latencyMs = "latency_ms"
        case stats
        case memory
        case energy
        case thermal
        case check
        case timing
        case powerSamples = "power_samples"
        case deviceState = "device_state"
        case llm
        case errors
    }

    public init(runId: String, startedUtc: String, finishedUtc: String?, app: AppInfo?, device: Device,
                artifact: ArtifactInfo, config: Config, loadMs: Double?, latencyMs: [Double], stats: Stats,
                memory: Memory?, energy: Energy?, thermal: Thermal?, check: Check?, errors: [String],
                timing: Timing? = nil, deviceState: DeviceState? = nil, llm: LLMSection? = nil) {
        self.runId = runId
        self.startedUtc = startedUtc
        self.finishedUtc = finishedUtc
        self.app = app
        self.device = device
        self.artifact = artifact
        self.config = config
        self.loadMs = loadMs
        self.latencyMs = latencyMs
        self.stats = stats
        self.memory = memory
        self.energy = energy
        self.thermal = thermal
        self.check = check
        self.errors = errors
        self.timing = timing
        self.powerSamples = nil
        self.deviceState = deviceState
        self.llm = llm
    }

    // schema: result.schema.json#/properties/timing
    public struct Timing: Codable, Equatable, Sendable {
        public var timedStartMs: Int
        public var timedEndMs: Int
        public var clock: String?

        enum CodingKeys: String, CodingKey {
            case timedStartMs = "timed_start_ms"
            case timedEndMs = "timed_end_ms"
            case clock
        }

        public init(timedStartMs: Int, timedEndMs: Int) {
            self.timedStartMs = timedStartMs
            self.timedEndMs = timedEndMs
            self.clock = "epoch_ms"
        }
    }

    // schema: result.schema.json#/properties/power_samples
    public struct PowerSamples: Codable, Equatable, Sendable {
        public var source: String?
        public var idle: [PowerSample]
        public var timed: [PowerSample]
    }

    // schema: result.schema.json#/properties/power_samples/properties/timed/items
    public struct PowerSample: Codable, Equatable, Sendable {
        public var tMs: Int

        enum CodingKeys: String, CodingKey {
            case tMs = "t_ms"
        }
    }

    // schema: result.schema.json#/properties/device_state
    public struct DeviceState: Codable, Equatable, Sendable {
        public var before: State?
        public var after: State?

        public init(before: State?, after: State?) {
            self.before = before
            self.after = after
        }
    }

    // schema: result.schema.json#/properties/device_state/properties/before
    public struct State: Codable, Equatable, Sendable {
        public var screenOn: Bool?
        public var keyguardLocked: Bool?
        public var powerSave: Bool?
        public var thermalStatus: Int?

        enum CodingKeys: String, CodingKey {
            case screenOn = "screen_on"
            case keyguardLocked = "keyguard_locked"
            case powerSave = "power_save"
            case thermalStatus = "thermal_status"
        }

        /// - Parameters: screenOn: the app was active in the foreground; keyguardLocked: protected data was
        ///   unavailable (the device was locked); powerSave: Low Power Mode; thermalStatus: Android's scale.
        public init(screenOn: Bool?, keyguardLocked: Bool?, powerSave: Bool?, thermalStatus: Int?) {
            self.screenOn = screenOn
            self.keyguardLocked = keyguardLocked
            self.powerSave = powerSave
            self.thermalStatus = thermalStatus
        }
    }

    // schema: result.schema.json#/properties/app
    public struct AppInfo: Codable, Equatable, Sendable {
        public var package: String
        public var version: String
        public var platform: String

        public init(package: String, version: String, platform: String = "ios") {
            self.package = package
            self.version = version
            self.platform = platform
        }
    }

    // schema: result.schema.json#/properties/device
    public struct Device: Codable, Equatable, Sendable {
        public var manufacturer: String?
        public var model: String
        public var soc: String?
        public var abi: String?
        public var androidSdk: Int?
        public var osVersion: String?
        public var cores: Int?

        enum CodingKeys: String, CodingKey {
            case manufacturer
            case model
            case soc
            case abi
            case androidSdk = "android_sdk"
            case osVersion = "os_version"
            case cores
        }

        public init(manufacturer: String?, model: String, soc: String?, abi: String?, osVersion: String?, cores: Int?) {
            self.manufacturer = manufacturer
            self.model = model
            self.soc = soc
            self.abi = abi
            self.androidSdk = nil
            self.osVersion = osVersion
            self.cores = cores
        }
    }

    // schema: result.schema.json#/properties/artifact
    public struct ArtifactInfo: Codable, Equatable, Sendable {
        public var file: String
        public var sha256: String?
        public var runtime: String
        public var backend: String?
        public var precision: String?

        public init(file: String, sha256: String?, runtime: String, backend: String?, precision: String?) {
            self.file = file
            self.sha256 = sha256
            self.runtime = runtime
            self.backend = backend
            self.precision = precision
        }
    }

    // schema: result.schema.json#/properties/config
    public struct Config: Codable, Equatable, Sendable {
        public var warmup: Int
        public var iterations: Int
        public var threads: Int
        public var threadsUsed: Int?
        public var energy: Bool?
        /// "model" (fixed-shape forward calls) or "llm" (generation from prompts).
        public var kind: String?
        public var maxNewTokens: Int?
        public var prompts: String?
        public var promptIds: [String]?
        public var repetitions: Int?

        enum CodingKeys: String, CodingKey {
            case warmup
            case iterations
            case threads
            case threadsUsed = "threads_used"
            case energy
            case kind
            case maxNewTokens = "max_new_tokens"
            case prompts
            case promptIds = "prompt_ids"
            case repetitions
        }

        public init(warmup: Int, iterations: Int, threads: Int, energy: Bool?, threadsUsed: Int? = nil,
                    kind: String? = nil, maxNewTokens: Int? = nil, prompts: String? = nil, promptIds: [String]? = nil,
                    repetitions: Int? = nil) {
            self.warmup = warmup
            self.iterations = iterations
            self.threads = threads
            self.threadsUsed = threadsUsed
            self.energy = energy
            self.kind = kind
            self.maxNewTokens = maxNewTokens
            self.prompts = prompts
            self.promptIds = promptIds
            self.repetitions = repetitions
        }
    }

    // schema: result.schema.json#/properties/memory
    public struct Memory: Codable, Equatable, Sendable {
        public var pssKbBefore: Int?
        public var pssKbAfterLoad: Int?
        public var pssKbPeak: Int?

        enum CodingKeys: String, CodingKey {
            case pssKbBefore = "pss_kb_before"
            case pssKbAfterLoad = "pss_kb_after_load"
            case pssKbPeak = "pss_kb_peak"
        }
    }

    // schema: result.schema.json#/properties/energy
    public struct Energy: Codable, Equatable, Sendable {
        public var method: String?
        public var valid: Bool?
        public var invalidReason: String?
        public var avgCurrentMa: Double?
        public var avgVoltageV: Double?
        public var joules: Double?
        public var mjPerInference: Double?
        public var baselineMw: Double?
        public var samples: Int?

        enum CodingKeys: String, CodingKey {
            case method
            case valid
            case invalidReason = "invalid_reason"
            case avgCurrentMa = "avg_current_ma"
            case avgVoltageV = "avg_voltage_v"
            case joules
            case mjPerInference = "mj_per_inference"
            case baselineMw = "baseline_mw"
            case samples
        }
    }

    // schema: result.schema.json#/properties/thermal
    public struct Thermal: Codable, Equatable, Sendable {
        public var statusBefore: Int?
        public var statusAfter: Int?
        public var batteryTempCBefore: Double?
        public var batteryTempCAfter: Double?

        enum CodingKeys: String, CodingKey {
            case statusBefore = "status_before"
            case statusAfter = "status_after"
            case batteryTempCBefore = "battery_temp_c_before"
            case batteryTempCAfter = "battery_temp_c_after"
        }

        public init(statusBefore: Int?, statusAfter: Int?) {
            self.statusBefore = statusBefore
            self.statusAfter = statusAfter
            self.batteryTempCBefore = nil
            self.batteryTempCAfter = nil
        }
    }

    // schema: result.schema.json#/properties/check
    public struct Check: Codable, Equatable, Sendable {
        public var expectedTop1: Int?
        public var gotTop1: Int?
        public var ok: Bool?
        /// Cosine similarity of output 0 with the bundle's expected output.
        public var cosine: Double?
        public var maxAbsErr: Double?
        public var minCosine: Double?
        /// What `ok` judges: "top1" or "output" (cosine).
        public var compared: String?

        enum CodingKeys: String, CodingKey {
            case expectedTop1 = "expected_top1"
            case gotTop1 = "got_top1"
            case ok
            case cosine
            case maxAbsErr = "max_abs_err"
            case minCosine = "min_cosine"
            case compared
        }

        public init(expected: Int?, got: Int?) {
            expectedTop1 = expected
            gotTop1 = got
            if let expected, let got {
                ok = expected == got
                compared = "top1"
            } else {
                ok = nil
            }
        }

        /// The check of the Android app (OutputCheck.java): a classification bundle compares top-1; any other
        /// compares output 0 with the host's eager FP32 output by cosine (ok when >= `sample.min_cosine`,
        /// default 0.98). The cosine and max abs error are reported whenever there is an expected output.
        public init(manifest: Manifest, got: [Float]?, expected: [Float]?) {
            let classification = manifest.outputs.first?.postprocess?.kind == "classification"
            let gotTop1 = got.flatMap { $0.isEmpty ? nil : Tensors.argmax($0) }
            let wantTop1 = manifest.sample?.expectedTop1
            minCosine = manifest.sample?.minCosine ?? Manifest.Sample.defaultMinCosine
            if let got, let expected, got.count == expected.count {
                cosine = Tensors.cosine(got, expected)
                maxAbsErr = Tensors.maxAbsErr(got, expected)
            }
            expectedTop1 = wantTop1
            if (classification || cosine == nil), let wantTop1 {
                compared = "top1"
                self.gotTop1 = gotTop1
                ok = gotTop1.map { $0 == wantTop1 }
            } else if let cosine, let floor = minCosine {
                compared = "output"
                self.gotTop1 = classification ? gotTop1 : nil
                ok = cosine >= floor
            } else {
                self.gotTop1 = classification ? gotTop1 : nil
                ok = nil
            }
        }

        /// What went wrong, for `errors`, or nil when the check passed or compared nothing.
        public var problem: String? {
            guard ok == false else { return nil }
            if compared == "top1" {
                return "top-1 mismatch: the phone computed class \(gotTop1.map(String.init) ?? "none"), the host expected "
                    + "\(expectedTop1.map(String.init) ?? "none")"
            }
            return String(format: "output mismatch: cosine %.6f with the host's eager FP32 output is below min_cosine %.4f",
                          cosine ?? 0, minCosine ?? 0)
        }
    }

    /// Pretty JSON with sorted keys, as written to result.json.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// Maps iOS `ProcessInfo.ThermalState` (nominal, fair, serious, critical) onto Android's
    /// `PowerManager` thermal status scale (none 0, light 1, severe 3, critical 4) so reports merge.
    public static func thermalStatus(iosThermalState raw: Int) -> Int {
        switch raw {
        case 0: return 0
        case 1: return 1
        case 2: return 3
        default: return 4
        }
    }
}

extension BenchmarkResult {
    // schema: result.schema.json#/properties/llm
    public struct LLMSection: Codable, Equatable, Sendable {
        public var runtimeApi: String?
        public var loadMs: Double?
        public var generations: [Generation]
        public var summary: Summary?

        enum CodingKeys: String, CodingKey {
            case runtimeApi = "runtime_api"
            case loadMs = "load_ms"
            case generations
            case summary
        }

        public init(runtimeApi: String?, loadMs: Double?, generations: [Generation]) {
            self.runtimeApi = runtimeApi
            self.loadMs = loadMs
            self.generations = generations
            self.summary = Summary(generations)
        }
    }

    // schema: result.schema.json#/properties/llm/properties/generations/items
    public struct Generation: Codable, Equatable, Sendable {
        public var promptId: String
        public var repetition: Int
        public var promptTokens: Int
        public var generatedTokens: Int
        public var prefillTokS: Double?
        public var decodeTokS: Double?
        public var ttftMs: Double?
        public var prefillMs: Double?
        public var decodeMs: Double?
        public var totalMs: Double?
        public var startMs: Int?
        public var endMs: Int?
        public var stopReason: String?
        public var pssKbPeak: Int?
        public var text: String?
        public var tokenIds: [Int]?
        public var mjPerToken: Double?
        public var check: LLMCheck?

        enum CodingKeys: String, CodingKey {
            case promptId = "prompt_id"
            case repetition
            case promptTokens = "prompt_tokens"
            case generatedTokens = "generated_tokens"
            case prefillTokS = "prefill_tok_s"
            case decodeTokS = "decode_tok_s"
            case ttftMs = "ttft_ms"
            case prefillMs = "prefill_ms"
            case decodeMs = "decode_ms"
            case totalMs = "total_ms"
            case startMs = "start_ms"
            case endMs = "end_ms"
            case stopReason = "stop_reason"
            case pssKbPeak = "pss_kb_peak"
            case text
            case tokenIds = "token_ids"
            case mjPerToken = "mj_per_token"
            case check
        }

        /// prefill_tok_s, decode_tok_s and ttft_ms are required by the schema (null when unknown), so they are
        /// written as null rather than left out; the other nil values are left out.
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(promptId, forKey: .promptId)
            try c.encode(repetition, forKey: .repetition)
            try c.encode(promptTokens, forKey: .promptTokens)
            try c.encode(generatedTokens, forKey: .generatedTokens)
            try c.encode(prefillTokS, forKey: .prefillTokS)
            try c.encode(decodeTokS, forKey: .decodeTokS)
            try c.encode(ttftMs, forKey: .ttftMs)
            try c.encodeIfPresent(prefillMs, forKey: .prefillMs)
            try c.encodeIfPresent(decodeMs, forKey: .decodeMs)
            try c.encodeIfPresent(totalMs, forKey: .totalMs)
            try c.encodeIfPresent(startMs, forKey: .startMs)
            try c.encodeIfPresent(endMs, forKey: .endMs)
            try c.encodeIfPresent(stopReason, forKey: .stopReason)
            try c.encodeIfPresent(pssKbPeak, forKey: .pssKbPeak)
            try c.encodeIfPresent(text, forKey: .text)
            try c.encodeIfPresent(tokenIds, forKey: .tokenIds)
            try c.encodeIfPresent(mjPerToken, forKey: .mjPerToken)
            try c.encodeIfPresent(check, forKey: .check)
        }

        /// One timed generation. iOS has no PSS and no energy reading: pss_kb_peak and mj_per_token stay nil (the
        /// runner computes mJ/token from its own samples where it has them).
        public init(promptId: String, repetition: Int, promptTokens: Int, record: GenerationRecord,
                    startMs: Int?, endMs: Int?, check: LLMCheck?) {
            self.promptId = promptId
            self.repetition = repetition
            self.promptTokens = promptTokens
            generatedTokens = record.generatedTokens
            prefillTokS = record.prefillTokPerS(promptTokens: promptTokens)
            decodeTokS = record.decodeTokPerS
            ttftMs = record.ttftMs
            prefillMs = record.ttftMs
            decodeMs = record.decodeSeconds.map { $0 * 1000 }
            totalMs = record.totalSeconds * 1000
            self.startMs = startMs
            self.endMs = endMs
            stopReason = record.stopReason
            pssKbPeak = nil
            text = record.text
            tokenIds = record.hasIds ? record.tokenIds : nil
            mjPerToken = nil
            self.check = check
        }
    }

    // schema: result.schema.json#/properties/llm/properties/generations/items/properties/check
    public struct LLMCheck: Codable, Equatable, Sendable {
        public var expectedTokens: Int?
        public var matchedTokens: Int?
        public var textEqual: Bool?
        public var ok: Bool?

        enum CodingKeys: String, CodingKey {
            case expectedTokens = "expected_tokens"
            case matchedTokens = "matched_tokens"
            case textEqual = "text_equal"
            case ok
        }

        public init(expectedTokens: Int?, matchedTokens: Int?, textEqual: Bool?, ok: Bool?) {
            self.expectedTokens = expectedTokens
            self.matchedTokens = matchedTokens
            self.textEqual = textEqual
            self.ok = ok
        }
    }

    /// Medians over the timed generations.
    // schema: result.schema.json#/properties/llm/properties/summary
    public struct Summary: Codable, Equatable, Sendable {
        public var prefillTokS: Double?
        public var decodeTokS: Double?
        public var ttftMs: Double?
        public var mjPerToken: Double?
        public var generatedTokens: Int?

        enum CodingKeys: String, CodingKey {
            case prefillTokS = "prefill_tok_s"
            case decodeTokS = "decode_tok_s"
            case ttftMs = "ttft_ms"
            case mjPerToken = "mj_per_token"
            case generatedTokens = "generated_tokens"
        }

        public init(_ generations: [Generation]) {
            func median(_ values: [Double]) -> Double? {
                values.isEmpty ? nil : Stats.percentile(values.sorted(), 50)
            }
            prefillTokS = median(generations.compactMap(\.prefillTokS))
            decodeTokS = median(generations.compactMap(\.decodeTokS))
            ttftMs = median(generations.compactMap(\.ttftMs))
            mjPerToken = nil
            generatedTokens = median(generations.map { Double($0.generatedTokens) }).map { Int($0.rounded()) }
        }
    }
}
