import MobilekitCore
import SwiftUI

/// The app: the demo screen, or the headless benchmark mode when launched with `-run_id ...`.
@main
struct MobilekitDemoApp: App {
    private let launch: Result<BenchmarkArguments?, Error> = Result {
        try BenchmarkArguments.parse(ProcessInfo.processInfo.arguments)
    }

    var body: some Scene {
        WindowGroup {
            switch launch {
            case .success(let args?):
                BenchmarkView(args: args)
            case .success(nil):
                ContentView()
            case .failure(let error):
                Text("Bad benchmark arguments: \(String(describing: error))").padding()
            }
        }
    }
}

/// What the benchmark mode shows while it runs (the work happens on BenchmarkMode's queue).
struct BenchmarkView: View {
    let args: BenchmarkArguments
    @State private var status = "running"

    var body: some View {
        VStack(alignment: .leading, spacing: 8) {
            Text("mobilekit benchmark \(args.runId)").font(.headline)
            Text("\(args.artifact): \(args.warmup) warm-up + \(args.iterations) timed runs")
            Text(status).font(.body.monospaced())
        }
        .padding()
        .task {
            // .task runs once per appearance and BenchmarkMode.start ignores a second call, so a view
            // that appears twice (scene reconnect, rotation) never starts a second case.
            BenchmarkMode.start(args) { outcome in
                status = outcome
            }
        }
    }
}
