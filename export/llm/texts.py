"""Real held-out text for judging an LLM export, in two disjoint sets: tuning (the only text an automatic choice
sees) and evaluation (never used for any choice).

Sources that ship with the pinned environment, never downloaded: the Python language reference's prose
(``pydoc_data.topics``, the text ``help()`` shows), scikit-learn's data-set descriptions (``DESCR`` files) and
chat prompts written for this kit. Each source is split by document, so no paragraph is in both sets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# pydoc topics split by name: tuning and evaluation never share a document.
TUNING_TOPICS = ("assignment", "class", "exceptions", "import", "lambda", "naming", "typesseq", "with")
EVAL_TOPICS = ("if", "for", "while", "try", "function", "comparisons", "booleans", "context-managers",
               "calls", "execmodel", "formatstrings", "dict", "lists", "integers", "floating", "string-methods")
TUNING_DATASETS = ("iris", "wine")
EVAL_DATASETS = ("breast_cancer", "diabetes", "digits", "linnerud")

# Real prompts (chat questions a phone user asks), for greedy continuations and the phone benchmark.
CHAT_PROMPTS = (
    "What is the capital of France?",
    "Write one sentence explaining what a hash table is.",
    "Give me three tips for staying focused while studying.",
    "How do I reverse a list in Python?",
    "What is the difference between weather and climate?",
)
# Raw (non-chat) openings, continued greedily token by token.
CONTINUATION_PROMPTS = (
    "The Python interpreter reads a program as a sequence of",
    "A dictionary maps keys to values; when a key is missing,",
    "Photosynthesis is the process by which plants",
    "To compute the average of a list of numbers, first",
)


@dataclass(frozen=True)
class TextSplit:
    tuning: tuple[str, ...]
    evaluation: tuple[str, ...]
    sources: dict


def _clean(text: str) -> str:
    text = re.sub(r"\n{3,}", "\n\n", text.replace("\r", ""))
    return text.strip()


def _topics(names) -> list[str]:
    from pydoc_data.topics import topics

    return [_clean(topics[n]) for n in names if n in topics]


def _descr(names) -> list[str]:
    import sklearn.datasets as ds

    out = []
    for n in names:
        loader = getattr(ds, f"load_{n}", None)
        if loader is None:
            continue
        out.append(_clean(loader().DESCR))
    return out


def held_out_texts() -> TextSplit:
    """The tuning and evaluation documents (real prose; the two never share a document)."""
    tuning = _topics(TUNING_TOPICS) + _descr(TUNING_DATASETS)
    evaluation = _topics(EVAL_TOPICS) + _descr(EVAL_DATASETS)
    sources = {"tuning": {"pydoc_topics": list(TUNING_TOPICS), "sklearn_descr": list(TUNING_DATASETS)},
               "evaluation": {"pydoc_topics": list(EVAL_TOPICS), "sklearn_descr": list(EVAL_DATASETS),
                              "chat_prompts": len(CHAT_PROMPTS), "continuation_prompts": len(CONTINUATION_PROMPTS)}}
    return TextSplit(tuple(tuning), tuple(evaluation), sources)


def windows(token_lists: list[list[int]], window: int, budget: int) -> list[list[int]]:
    """Consecutive windows of ``window`` tokens from each document, round-robin over documents, up to ``budget``."""
    chunks_per_doc = [[ids[i:i + window] for i in range(0, len(ids) - 1, window) if len(ids[i:i + window]) >= 16]
                      for ids in token_lists]
    out: list[list[int]] = []
    total = 0
    depth = 0
    while total < budget and any(depth < len(c) for c in chunks_per_doc):
        for chunks in chunks_per_doc:
            if depth < len(chunks) and total < budget:
                chunk = chunks[depth][: budget - total]
                if len(chunk) >= 16:
                    out.append(chunk)
                    total += len(chunk)
        depth += 1
    return out


def tokenizer_check_texts() -> list[str]:
    """Texts the shipped tokenizer is compared on (with llama.cpp's ids): prose, numbers, code, whitespace, Unicode."""
    prose = [t[:600] for t in _topics(EVAL_TOPICS[:6])]  # stdlib only: the golden generator runs outside the pinned env
    return prose + [
        "In 2024, 3.14159 × 10^3 = 3141.59; call 555-0123 or +44 20 7946 0958.",
        "def add(a, b):\n    return a + b  # 42\n\n\tindented\twith\ttabs",
        "Ünïcödé: naïve café, Größe,東京, emoji 🙂👍, ½ ¾ ⅞, ①②③",
        "   leading spaces, trailing spaces   \n\n\nthree newlines",
        "<|im_start|>user\nWhat is 12*34?<|im_end|>\n<|im_start|>assistant\n",
        *CHAT_PROMPTS,
    ]
