import Foundation

/// A byte-level BPE tokenizer read from a Hugging Face `tokenizer.json` (the LLM bundle's `llm.tokenizer.file`),
/// Foundation only: what the stateful Core ML generator needs, since Core ML runs token ids only (ExecuTorch's
/// TextRunner tokenizes in C++ itself). Supported: `model.type` BPE with `merges` (strings "a b" or pairs),
/// `added_tokens` (matched whole, before anything else), pre-tokenizers ByteLevel (GPT-2's split unless
/// `use_regex` is false), Split with a Regex pattern (Isolated), Digits, Sequence of those; the ByteLevel decoder.
/// Unknown pieces are an error, never silently dropped.
public struct BPETokenizer: Sendable {
    public let vocab: [String: Int]
    public let idToToken: [Int: String]
    public let ranks: [String: Int]
    public let special: [(text: String, id: Int)]
    private let splitPatterns: [String]
    private let individualDigits: Bool

    static let gpt2Pattern =
        #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#

    /// GPT-2's reversible byte -> printable character map.
    static let byteToUnicode: [UInt8: Character] = {
        var bs: [Int] = Array(33...126) + Array(161...172) + Array(174...255)
        var cs = bs
        var n = 0
        for b in 0..<256 where !bs.contains(b) {
            bs.append(b)
            cs.append(256 + n)
            n += 1
        }
        var map: [UInt8: Character] = [:]
        for (b, c) in zip(bs, cs) {
            map[UInt8(b)] = Character(Unicode.Scalar(UInt32(c))!)
        }
        return map
    }()

    static let unicodeToByte: [Character: UInt8] = {
        Dictionary(uniqueKeysWithValues: byteToUnicode.map { ($1, $0) })
    }()

    public init(tokenizerJSON data: Data) throws {
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let model = root["model"] as? [String: Any] else {
            throw LLMError.tokenizer("tokenizer.json has no model")
        }
        guard (model["type"] as? String) == "BPE", let vocab = model["vocab"] as? [String: Int] else {
            throw LLMError.tokenizer("tokenizer.json model is \(model["type"] ?? "?"), this app reads byte-level BPE")
        }
        var ranks: [String: Int] = [:]
        for (i, merge) in (model["merges"] as? [Any] ?? []).enumerated() {
            if let text = merge as? String {
                ranks[text] = i
            } else if let pair = merge as? [String], pair.count == 2 {
                ranks[pair[0] + " " + pair[1]] = i
            }
        }
        var special: [(String, Int)] = []
        for entry in root["added_tokens"] as? [[String: Any]] ?? [] {
            if let id = (entry["id"] as? NSNumber)?.intValue, let content = entry["content"] as? String {
                special.append((content, id))
            }
        }
        var patterns: [String] = []
        var digits = false
        func visit(_ pre: [String: Any]?) throws {
            guard let pre else { return }
            switch pre["type"] as? String {
            case "Sequence":
                for p in pre["pretokenizers"] as? [[String: Any]] ?? [] { try visit(p) }
            case "ByteLevel":
                if (pre["use_regex"] as? Bool) ?? true { patterns.append(BPETokenizer.gpt2Pattern) }
            case "Split":
                guard let pattern = (pre["pattern"] as? [String: Any])?["Regex"] as? String else {
                    throw LLMError.tokenizer("tokenizer.json Split pre-tokenizer without a Regex pattern")
                }
                patterns.append(pattern)
            case "Digits":
                digits = (pre["individual_digits"] as? Bool) ?? false
            case let other:
                throw LLMError.tokenizer("tokenizer.json pre-tokenizer \(other ?? "?") is not supported by this app")
            }
        }
        try visit(root["pre_tokenizer"] as? [String: Any])
        self.vocab = vocab
        self.idToToken = Dictionary(vocab.map { ($1, $0) } + special.map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        self.ranks = ranks
        // Longest first, so "<|im_start|>" wins over a shorter special token it contains.
        self.special = special.sorted { $0.0.count > $1.0.count }
        self.splitPatterns = patterns
        self.individualDigits = digits
    }

    /// Token ids of a text (special tokens in it are matched whole).
    public func encode(_ text: String) throws -> [Int] {
        var ids: [Int] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            var nearest: (range: Range<Substring.Index>, id: Int)?
            for (content, id) in special where !content.isEmpty {
                if let r = rest.range(of: content), nearest == nil || r.lowerBound < nearest!.range.lowerBound {
                    nearest = (r, id)
                }
            }
            let chunk = nearest.map { rest[rest.startIndex..<$0.range.lowerBound] } ?? rest
            ids += try encodeOrdinary(String(chunk))
            guard let found = nearest else { break }
            ids.append(found.id)
            rest = rest[found.range.upperBound...]
        }
        return ids
    }

    func pieces(_ text: String) throws -> [String] {
        var pieces = [text]
        if individualDigits {
            pieces = pieces.flatMap { piece -> [String] in
                var out: [String] = []
                var current = ""
                for ch in piece {
                    if ch.isNumber && ch.isASCII {
                        if !current.isEmpty { out.append(current); current = "" }
                        out.append(String(ch))
                    } else {
                        current.append(ch)
                    }
                }
                if !current.isEmpty { out.append(current) }
                return out
            }
        }
        for pattern in splitPatterns {
            let regex = try NSRegularExpression(pattern: pattern)
            pieces = pieces.flatMap { piece -> [String] in
                let ns = piece as NSString
                var out: [String] = []
                var last = 0
                for m in regex.matches(in: piece, range: NSRange(location: 0, length: ns.length)) where m.range.length > 0 {
                    if m.range.location > last {
                        out.append(ns.substring(with: NSRange(location: last, length: m.range.location - last)))
                    }
                    out.append(ns.substring(with: m.range))
                    last = m.range.location + m.range.length
                }
                if last < ns.length { out.append(ns.substring(from: last)) }
                return out
            }
        }
        return pieces
    }

    func encodeOrdinary(_ text: String) throws -> [Int] {
        guard !text.isEmpty else { return [] }
        var ids: [Int] = []
        for piece in try pieces(text) {
            var symbols = Array(piece.utf8).map { String(BPETokenizer.byteToUnicode[$0]!) }
            while symbols.count > 1 {
                var best: (rank: Int, index: Int)?
                for i in 0..<(symbols.count - 1) {
                    if let r = ranks[symbols[i] + " " + symbols[i + 1]], best == nil || r < best!.rank {
                        best = (r, i)
                    }
                }
                guard let (_, i) = best else { break }
                symbols[i] += symbols[i + 1]
                symbols.remove(at: i + 1)
            }
            for s in symbols {
                guard let id = vocab[s] else {
                    throw LLMError.tokenizer("tokenizer.json has no token for '\(s)' (from '\(piece)')")
                }
                ids.append(id)
            }
        }
        return ids
    }

    /// The text of token ids (ByteLevel decoding; special tokens as they are written). Incomplete UTF-8 at the end
    /// decodes to U+FFFD, which a streaming caller holds back until the next token completes it.
    public func decode(_ ids: [Int]) -> String {
        var bytes: [UInt8] = []
        for id in ids {
            guard let token = idToToken[id] else { continue }
            if special.contains(where: { $0.id == id }) {
                bytes += Array(token.utf8)
                continue
            }
            for ch in token {
                if let b = BPETokenizer.unicodeToByte[ch] { bytes.append(b) } else { bytes += Array(String(ch).utf8) }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Turns a stream of token ids into text pieces as they complete (a multi-byte character split over two tokens
/// is given out once both have arrived).
public struct StreamingDecoder {
    public let tokenizer: BPETokenizer
    private var ids: [Int] = []
    private var emitted = ""

    public init(tokenizer: BPETokenizer) {
        self.tokenizer = tokenizer
    }

    /// The new visible text after `id` ("" while a character is incomplete).
    public mutating func add(_ id: Int) -> String {
        ids.append(id)
        let text = tokenizer.decode(ids)
        if text.unicodeScalars.last == "\u{FFFD}" { return "" }
        // By scalars, not Characters: a skin-tone modifier joins the previous emoji into one Character, so the
        // text so far is not a Character prefix of the new text, though it is a scalar prefix.
        let old = emitted.unicodeScalars
        guard text.unicodeScalars.starts(with: old) else {
            emitted = text
            return ""
        }
        var piece = String.UnicodeScalarView()
        piece.append(contentsOf: text.unicodeScalars.dropFirst(old.count))
        emitted = text
        return String(piece)
    }
}
