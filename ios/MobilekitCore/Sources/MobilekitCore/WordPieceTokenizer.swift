import Foundation

/// BERT's tokenizer as the manifest's `tokenizer` (`kind: wordpiece`) describes it, Foundation only: the
/// same ids as Hugging Face `tokenizers` (BertNormalizer + BertPreTokenizer + WordPiece + `[CLS] $A [SEP]`,
/// truncation and fixed-length padding). The Java port (android, WordPieceTokenizer.java) is checked against
/// that library on real sentences; WordPieceTokenizerTests checks this one against the same goldens.
///
/// 1. clean: drop NUL, U+FFFD and Unicode C* (except tab, CR, LF); whitespace becomes a space;
/// 2. spaces around CJK ideographs; 3. strip accents (NFD, drop Mn) and lower-case, as the manifest says;
/// 4. split on whitespace, each punctuation character (ASCII 33-47, 58-64, 91-96, 123-126, Unicode P*) a word;
/// 5. greedy longest-match-first WordPiece with `##`; a word longer than `max_chars_per_word` or unmatchable
///    is `[UNK]`; 6. `[CLS]` tokens `[SEP]`, truncated to `max_length` (`[SEP]` last), padded with `[PAD]`.
public struct WordPieceTokenizer: Sendable {
    /// One sentence encoded to `max_length` positions.
    public struct Encoding: Equatable, Sendable {
        public let inputIds: [Int64]
        /// 1 on real tokens, 0 on padding.
        public let attentionMask: [Int64]
        /// All 0 (one sentence).
        public let tokenTypeIds: [Int64]
        /// The real tokens, [CLS] and [SEP] included.
        public let tokens: [String]
    }

    public enum TokenizerError: Error, CustomStringConvertible, Equatable, Sendable {
        case missingSpecialToken(String, field: String)
        case badMaxLength(Int)

        public var description: String {
            switch self {
            case .missingSpecialToken(let token, let field):
                return "tokenizer.\(field) '\(token)' is not in the vocabulary: the bundle's vocab file does not "
                    + "belong to this tokenizer"
            case .badMaxLength(let n):
                return "tokenizer.max_length must be >= 2 ([CLS] and [SEP]), got \(n)"
            }
        }
    }

    public let spec: Manifest.Tokenizer
    private let vocab: [String: Int]
    private let padId: Int
    private let unkId: Int

    /// Builds a tokenizer from the vocabulary's tokens (id = position).
    public init(vocabulary: [String], spec: Manifest.Tokenizer) throws {
        var map: [String: Int] = [:]
        map.reserveCapacity(vocabulary.count)
        for (i, token) in vocabulary.enumerated() where map[token] == nil {
            map[token] = i
        }
        guard spec.maxLength >= 2 else { throw TokenizerError.badMaxLength(spec.maxLength) }
        for (token, field) in [(spec.cls, "cls_token"), (spec.sep, "sep_token"), (spec.pad, "pad_token"),
                               (spec.unk, "unk_token")] where map[token] == nil {
            throw TokenizerError.missingSpecialToken(token, field: field)
        }
        self.vocab = map
        self.spec = spec
        self.padId = map[spec.pad] ?? 0
        self.unkId = map[spec.unk] ?? 0
    }

    /// Loads the bundle's `tokenizer.vocab` (one token a line).
    public static func load(bundle: URL, spec: Manifest.Tokenizer) throws -> WordPieceTokenizer {
        try WordPieceTokenizer(vocabulary: readVocab(BundlePath.resolve(spec.vocab, field: "tokenizer.vocab", in: bundle)),
                               spec: spec)
    }

    /// A vocab.txt's tokens in id order (a trailing CR is dropped).
    public static func readVocab(_ url: URL) throws -> [String] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" {
            lines.removeLast()
        }
        return lines.map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
    }

    /// [CLS] tokens [SEP], truncated and padded to `max_length`.
    public func encode(_ text: String) -> Encoding {
        let pieces = tokenize(text)
        let tokens = [spec.cls] + pieces.prefix(spec.maxLength - 2) + [spec.sep]
        var ids = [Int64](repeating: Int64(padId), count: spec.maxLength)
        var mask = [Int64](repeating: 0, count: spec.maxLength)
        for (i, token) in tokens.enumerated() {
            ids[i] = Int64(vocab[token] ?? unkId)
            mask[i] = 1
        }
        return Encoding(inputIds: ids, attentionMask: mask,
                        tokenTypeIds: [Int64](repeating: 0, count: spec.maxLength), tokens: tokens)
    }

    /// The WordPiece tokens of a text, without special tokens, truncation or padding.
    public func tokenize(_ text: String) -> [String] {
        var out: [String] = []
        for word in Self.words(normalize(text)) {
            wordPiece(word, into: &out)
        }
        return out
    }

    /// BertNormalizer: clean, space out CJK, strip accents and lower-case.
    public func normalize(_ text: String) -> String {
        var cleaned = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            if s.value == 0 || s.value == 0xFFFD || Self.isControl(s) {
                continue
            }
            if s.properties.isWhitespace {
                cleaned.append(" ")
            } else if Self.isCJK(s.value) {
                cleaned.append(" ")
                cleaned.append(s)
                cleaned.append(" ")
            } else {
                cleaned.append(s)
            }
        }
        var result = String(cleaned)
        if spec.stripsAccents {
            var kept = String.UnicodeScalarView()
            for s in result.decomposedStringWithCanonicalMapping.unicodeScalars
            where s.properties.generalCategory != .nonspacingMark {
                kept.append(s)
            }
            result = String(kept)
        }
        if spec.lowercases {
            // Scalar by scalar, as the Rust library does (no context-dependent final sigma).
            result = result.unicodeScalars.map { String($0).lowercased() }.joined()
        }
        return result
    }

    private static func words(_ text: String) -> [[Unicode.Scalar]] {
        var words: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for s in text.unicodeScalars {
            if s.properties.isWhitespace {
                if !current.isEmpty { words.append(current); current = [] }
            } else if isPunctuation(s) {
                if !current.isEmpty { words.append(current); current = [] }
                words.append([s])
            } else {
                current.append(s)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    private func wordPiece(_ word: [Unicode.Scalar], into out: inout [String]) {
        guard word.count <= spec.maxCharsPerWordOrDefault else {
            out.append(spec.unk)
            return
        }
        var pieces: [String] = []
        var start = 0
        while start < word.count {
            var end = word.count
            var found: String?
            while start < end {
                var view = String.UnicodeScalarView()
                view.append(contentsOf: word[start..<end])
                let sub = (start > 0 ? spec.prefix : "") + String(view)
                if vocab[sub] != nil {
                    found = sub
                    break
                }
                end -= 1
            }
            guard let piece = found else {
                out.append(spec.unk)
                return
            }
            pieces.append(piece)
            start = end
        }
        out.append(contentsOf: pieces)
    }

    static func isControl(_ s: Unicode.Scalar) -> Bool {
        if s == "\t" || s == "\n" || s == "\r" { return false }
        switch s.properties.generalCategory {
        case .control, .format, .unassigned, .privateUse, .surrogate: return true
        default: return false
        }
    }

    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) {
            return true
        }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    static func isCJK(_ v: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0x20000...0x2A6DF).contains(v)
            || (0x2A700...0x2B73F).contains(v) || (0x2B740...0x2B81F).contains(v) || (0x2B820...0x2CEAF).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0x2F800...0x2FA1F).contains(v)
    }
}
