import Foundation

/// The benchmark result (schemas/result.schema.json, `mobilekit.result/1`) as the iOS app writes it
/// into Documents/mobilekit/<run_id>/result.json. Real hardware only: there is no `simulated` key.
/// Optional values that are nil are left out of the JSON (the schema allows every one to be absent).
// schema: result.schema.json#
public struct BenchmarkResult: Codable, Equatable {
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
        case errors
    }

    public init(runId: String, startedUtc: String, finishedUtc: String?, app: AppInfo?, device: Device,
                artifact: ArtifactInfo, config: Config, loadMs: Double?, latencyMs: [Double], stats: Stats,
                memory: Memory?, energy: Energy?, thermal: Thermal?, check: Check?, errors: [String]) {
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
    }

    // schema: result.schema.json#/properties/app
    public struct AppInfo: Codable, Equatable {
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
    public struct Device: Codable, Equatable {
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
    public struct ArtifactInfo: Codable, Equatable {
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
    public struct Config: Codable, Equatable {
        public var warmup: Int
        public var iterations: Int
        public var threads: Int
        public var energy: Bool?

        public init(warmup: Int, iterations: Int, threads: Int, energy: Bool?) {
            self.warmup = warmup
            self.iterations = iterations
            self.threads = threads
            self.energy = energy
        }
    }

    // schema: result.schema.json#/properties/memory
    public struct Memory: Codable, Equatable {
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
    public struct Energy: Codable, Equatable {
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
    public struct Thermal: Codable, Equatable {
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
    public struct Check: Codable, Equatable {
        public var expectedTop1: Int?
        public var gotTop1: Int?
        public var ok: Bool?

        enum CodingKeys: String, CodingKey {
            case expectedTop1 = "expected_top1"
            case gotTop1 = "got_top1"
            case ok
        }

        public init(expected: Int?, got: Int?) {
            expectedTop1 = expected
            gotTop1 = got
            if let expected, let got {
                ok = expected == got
            } else {
                ok = nil
            }
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
