import MobilekitApp
import MobilekitCore
import SwiftUI

/// Chat with an LLM bundle: ExecuTorch's TextRunner (`.pte`) or the stateful Core ML package (`.mlpackage`, iOS 18).
/// The prompt format, EOS handling and token timing are MobilekitCore's ChatSession (tested on Linux); tokens stream
/// in as they come, a Stop button, and TTFT and decode tok/s under each answer. Generation runs on its own queue.
struct ChatView: View {
    let bundle: URL
    let manifest: Manifest?
    let artifact: String
    let computeUnits: String
    @StateObject private var chat = ChatModel()
    @State private var text = ""

    var body: some View {
        VStack {
            List {
                ForEach(Array(chat.turns.enumerated()), id: \.offset) { _, turn in
                    VStack(alignment: .leading, spacing: 4) {
                        Text(turn.user).bold()
                        Text(turn.answer)
                        Text(turn.figures).font(.caption.monospaced()).foregroundStyle(.secondary)
                    }
                }
                if !chat.streaming.isEmpty {
                    Text(chat.streaming)
                }
            }
            HStack {
                TextField("Message", text: $text).onSubmit(send)
                if chat.busy {
                    Button("Stop") { chat.stop() }
                } else {
                    Button("Send", action: send).disabled(text.isEmpty)
                }
            }
            .padding()
            Text(chat.status).font(.footnote)
        }
        .navigationTitle("Chat")
        .onAppear {
            if let manifest { chat.open(bundle: bundle, manifest: manifest, artifact: artifact, computeUnits: computeUnits) }
        }
    }

    private func send() {
        let message = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !message.isEmpty else { return }
        text = ""
        chat.send(message)
    }
}

struct ChatTurn {
    let user: String
    let answer: String
    let figures: String
}

@MainActor
final class ChatModel: ObservableObject {
    @Published var turns: [ChatTurn] = []
    @Published var streaming = ""
    @Published var busy = false
    @Published var status = ""
    private var session: ChatSession?
    private let queue = DispatchQueue(label: "org.mobilekit.demo.chat", qos: .userInitiated)

    func open(bundle: URL, manifest: Manifest, artifact: String, computeUnits: String) {
        status = "Loading \(artifact)\u{2026}"
        busy = true
        queue.async {
            let opened = Result { () throws -> ChatSession in
                guard let llm = manifest.llm else { throw LLMError.notAnLLM(manifest.name) }
                let generator = try Runners.openGenerator(bundle: bundle, manifest: manifest,
                                                          artifact: try manifest.artifact(named: artifact),
                                                          computeUnits: computeUnits)
                try generator.load()
                return ChatSession(llm: llm, generator: generator, specialTokens: try manifest.readSpecialTokens(bundle: bundle))
            }
            let box = UncheckedBox(opened)
            Task { @MainActor in
                self.busy = false
                switch box.value {
                case .success(let session):
                    self.session = session
                    self.status = "\(artifact) loaded"
                case .failure(let error):
                    self.status = "Cannot load \(artifact): \(error)"
                }
            }
        }
    }

    func send(_ message: String) {
        guard let session, !busy else { return }
        busy = true
        streaming = ""
        queue.async {
            let outcome = Result {
                try session.send(message) { piece in
                    Task { @MainActor in self.streaming += piece }
                }
            }
            let box = UncheckedBox(outcome)
            Task { @MainActor in
                self.busy = false
                self.streaming = ""
                switch box.value {
                case .success(let turn):
                    let figures = [turn.ttftMs.map { String(format: "TTFT %.0f ms", $0) },
                                   turn.decodeTokPerS.map { String(format: "%.1f tok/s", $0) },
                                   "\(turn.generatedTokens) tokens", turn.stopReason].compactMap { $0 }
                    self.turns.append(ChatTurn(user: turn.user, answer: turn.answer,
                                               figures: figures.joined(separator: ", ")))
                case .failure(let error):
                    self.status = "Failed: \(error)"
                }
            }
        }
    }

    func stop() {
        session?.stop()
    }
}

/// Hands a value the compiler cannot prove Sendable to the main actor once (it is not touched afterwards).
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
