import Foundation
@testable import MobilekitCore
import XCTest

/// The Swift BPE tokenizer (the stateful Core ML LLM path tokenizes on the phone) against the Hugging Face
/// `tokenizers` library on SmolLM2-135M-Instruct's real tokenizer: real sentences (digits, accents, CJK, emoji,
/// tabs and new lines, code, contractions) and the chat prompt with its special tokens; goldens made by
/// tests/apps/ios_swift_data.py.
final class BPETokenizerGoldenTests: XCTestCase {
    struct Golden: Decodable {
        struct Case: Decodable { let text: String; let ids: [Int] }
        let cases: [Case]
    }

    func testMatchesTheTokenizersLibraryOnSmolLM2() throws {
        let dir = try TestData.dataDirectory().appendingPathComponent("smollm2")
        let tokenizer = try BPETokenizer(tokenizerJSON: Data(contentsOf: dir.appendingPathComponent("tokenizer.json")))
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: dir.appendingPathComponent("golden.json")))
        XCTAssertGreaterThanOrEqual(golden.cases.count, 9)
        for c in golden.cases {
            XCTAssertEqual(try tokenizer.encode(c.text), c.ids, c.text)
            XCTAssertEqual(tokenizer.decode(c.ids), c.text, c.text)
            var stream = StreamingDecoder(tokenizer: tokenizer)
            XCTAssertEqual(c.ids.map { stream.add($0) }.joined(), c.text, c.text)
        }
        XCTAssertEqual(tokenizer.special.first(where: { $0.text == "<|im_end|>" })?.id, 2)
    }
}
