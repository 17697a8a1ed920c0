import Foundation

/// The benchmark mode's launch arguments, the iOS form of the Android intent extras:
/// `-bundle <dir> -artifact <file> -run_id <id> [-warmup N] [-iterations N] [-threads N] [-energy true|false]
/// [-compute_units all|cpu|cpu_gpu|cpu_ne]` (Core ML compute units; ignored by ExecuTorch).
/// A relative `-bundle` is taken inside the app's Documents folder.
///
/// LLM cases (docs/llm-contract.md), as Android's `--es mode llm`: `-mode llm -prompts prompts.json
/// -prompt_ids a,b -max_new_tokens 128 -warmup 1 -repetitions 3` (prompts: the manifest's `llm.prompts` when
/// absent; all prompts when no ids; max_new_tokens: the prompts file's default).
public struct BenchmarkArguments: Equatable, Sendable {
    public let bundle: String
    public let artifact: String
    public let runId: String
    public var warmup: Int
    public let iterations: Int
    public let threads: Int
    public let energy: Bool
    /// Core ML `MLComputeUnits`: all, cpu (cpuOnly), cpu_gpu (cpuAndGPU), cpu_ne (cpuAndNeuralEngine).
    public let computeUnits: String
    public static let computeUnitNames = ["all", "cpu", "cpu_gpu", "cpu_ne"]
    /// "model" (fixed-shape forward calls) or "llm" (generation from prompts).
    public var mode: String = "model"
    public var prompts: String?
    public var promptIds: [String] = []
    public var maxNewTokens: Int?
    public var repetitions: Int = 1

    public init(bundle: String, artifact: String, runId: String, warmup: Int, iterations: Int, threads: Int,
                energy: Bool, computeUnits: String = "all") {
        self.bundle = bundle
        self.artifact = artifact
        self.runId = runId
        self.warmup = warmup
        self.iterations = iterations
        self.threads = threads
        self.energy = energy
        self.computeUnits = computeUnits
    }

    public enum ArgumentError: Error, CustomStringConvertible, Equatable, Sendable {
        case missing(String)
        case notANumber(String, String)
        case badValue(String)

        public var description: String {
            switch self {
            case .missing(let name): return "missing launch argument -\(name)"
            case .notANumber(let name, let value): return "-\(name) needs a whole number, got '\(value)'"
            case .badValue(let message): return message
            }
        }
    }

    /// nil when the app was not launched in benchmark mode (no `-run_id`); throws on bad values.
    public static func parse(_ arguments: [String]) throws -> BenchmarkArguments? {
        var values: [String: String] = [:]
        var i = 1
        while i < arguments.count {
            let key = arguments[i]
            if key.hasPrefix("-"), i + 1 < arguments.count {
                values[String(key.dropFirst())] = arguments[i + 1]
                i += 2
            } else {
                i += 1
            }
        }
        guard let runId = values["run_id"] else { return nil }
        guard runId.range(of: "^[A-Za-z0-9._-]{1,128}$", options: .regularExpression) != nil,
              runId != ".", runId != ".." else {
            throw ArgumentError.badValue("run_id must be 1-128 of [A-Za-z0-9._-], got '\(runId)'")
        }
        guard let bundle = values["bundle"] else { throw ArgumentError.missing("bundle") }
        guard let artifact = values["artifact"] else { throw ArgumentError.missing("artifact") }
        guard !artifact.contains("/"), artifact != ".", artifact != ".." else {
            throw ArgumentError.badValue("artifact must be a file name in the bundle, got '\(artifact)'")
        }
        func integer(_ name: String, _ fallback: Int) throws -> Int {
            guard let text = values[name] else { return fallback }
            guard let value = Int(text) else { throw ArgumentError.notANumber(name, text) }
            return value
        }
        let warmup = try integer("warmup", 5)
        let iterations = try integer("iterations", 50)
        let threads = try integer("threads", 0)
        guard warmup >= 0, iterations >= 1, threads >= 0 else {
            throw ArgumentError.badValue("bad arguments: warmup=\(warmup) iterations=\(iterations) threads=\(threads)")
        }
        let units = values["compute_units"] ?? "all"
        guard computeUnitNames.contains(units) else {
            throw ArgumentError.badValue("-compute_units must be one of \(computeUnitNames), got '\(units)'")
        }
        var args = BenchmarkArguments(bundle: bundle, artifact: artifact, runId: runId, warmup: warmup,
                                      iterations: iterations, threads: threads,
                                      energy: ["true", "1", "YES", "yes"].contains(values["energy"] ?? "false"),
                                      computeUnits: units)
        let mode = values["mode"] ?? "model"
        guard ["model", "llm"].contains(mode) else {
            throw ArgumentError.badValue("-mode must be model or llm, got '\(mode)'")
        }
        args.mode = mode
        if mode == "llm" {
            args.warmup = try integer("warmup", 1)
            args.repetitions = try integer("repetitions", 1)
            args.maxNewTokens = try values["max_new_tokens"].map { _ in try integer("max_new_tokens", 1) }
            args.prompts = values["prompts"]
            args.promptIds = (values["prompt_ids"] ?? "").split(separator: ",").map(String.init).filter { !$0.isEmpty }
            guard args.warmup >= 0, args.repetitions >= 1, (args.maxNewTokens ?? 1) >= 1 else {
                throw ArgumentError.badValue("bad arguments: warmup=\(args.warmup) repetitions=\(args.repetitions) "
                    + "max_new_tokens=\(args.maxNewTokens ?? 0)")
            }
            if let prompts = args.prompts {
                guard !prompts.contains("/"), prompts != ".", prompts != ".." else {
                    throw ArgumentError.badValue("-prompts must be a file name in the bundle, got '\(prompts)'")
                }
            }
        }
        return args
    }
}
