"""The ``lstm_tagger`` built-in: a character-level LSTM truecaser trained here on real English text.

Given lower-cased text (character ids, int64 ``[1, 64]``), it tags every character with the log-odds that
it was upper-case in the original (``[1, 64, 2]``): the sequence-labelling shape of taggers, keyword
spotters and punctuation restorers that ship on phones. One ``nn.Embedding`` (98 x 32), one LSTM layer
(64 hidden units), one linear head: about 27k parameters. Trained by
:mod:`mobilekit.export.models.train_lstm_tagger` on the prose of the Python language reference (it ships
with CPython); calibrated and evaluated on scikit-learn's documentation (:mod:`sentences`), disjoint documents. Weights ship in ``lstm_tagger.pt`` (loaded with ``weights_only=True``).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import torch
from torch import nn

from mobilekit.export.models import sentences
from mobilekit.export.spec import EvalSet, InputSpec, LoadedModel, OutputSpec, Sample

NAME = "lstm_tagger"
SEQ_LEN = 64
PAD, UNK = 0, 1
FIRST_CHAR, LAST_CHAR = 32, 126  # printable ASCII; ids 2.. (upper-case letters are never inputs)
VOCAB = 2 + LAST_CHAR - FIRST_CHAR + 1
WEIGHTS = Path(__file__).with_name("lstm_tagger.pt")
FACTS = Path(__file__).with_name("lstm_tagger.json")


class Truecaser(nn.Module):
    """Embedding -> LSTM -> per-character logits (lower, upper)."""

    def __init__(self, vocab: int = VOCAB, dim: int = 32, hidden: int = 64):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.lstm = nn.LSTM(dim, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 2)

    def forward(self, chars: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm(self.embed(chars))
        return self.head(out)


def encode(text: str) -> tuple[list[int], list[int]]:
    """Character ids of the lower-cased text, and 1 where the original character was upper-case."""
    ids, tags = [], []
    for ch in text:
        low = ch.lower()
        code = ord(low)
        ids.append(code - FIRST_CHAR + 2 if FIRST_CHAR <= code <= LAST_CHAR else UNK)
        tags.append(int(ch.isupper()))
    return ids, tags


def windows(split: str) -> tuple[torch.Tensor, torch.Tensor, list[str]]:
    """Non-overlapping 64-character windows (padded) with their tags: ``train`` is the Python language
    reference's prose, ``calibration`` and ``eval`` the sentences of :mod:`sentences` (disjoint documents)."""
    text = sentences.python_docs_prose() if split == "train" else " ".join(sentences.sentences(split))
    ids, tags = encode(text)
    xs, ys, raw = [], [], []
    for start in range(0, len(ids), SEQ_LEN):
        chunk, tchunk = ids[start:start + SEQ_LEN], tags[start:start + SEQ_LEN]
        raw.append(text[start:start + SEQ_LEN])
        pad = SEQ_LEN - len(chunk)
        xs.append(chunk + [PAD] * pad)
        ys.append(tchunk + [0] * pad)
    return torch.tensor(xs, dtype=torch.int64), torch.tensor(ys, dtype=torch.int64), raw


def load_module() -> nn.Module:
    net = Truecaser()
    net.load_state_dict(torch.load(WEIGHTS, map_location="cpu", weights_only=True))
    return net.eval()


@functools.lru_cache(maxsize=None)
def _split(split: str):
    return windows(split)


def calibration(count: int, seed: int = 0) -> list[Sample]:
    import random

    x, _, _ = _split("calibration")
    order = list(range(len(x)))
    random.Random(seed).shuffle(order)
    return [(x[i:i + 1].clone(),) for i in order[:count]]


def eval_set() -> EvalSet:
    x, _, raw = _split("eval")
    return EvalSet(samples=[(x[i:i + 1].clone(),) for i in range(len(x))], texts=raw,
                   description=f"{len(x)} held-out 64-character windows of real sentences from documents the tagger "
                               "was neither trained nor calibrated on")


def load() -> LoadedModel:
    facts = json.loads(FACTS.read_text(encoding="utf-8")) if FACTS.exists() else {}
    ev = eval_set()
    return LoadedModel(
        name=NAME,
        module=load_module(),
        example_inputs=(ev.samples[0][0].clone(),),
        inputs=(InputSpec(name="chars", dtype="int64", shape=(1, SEQ_LEN), layout="NC", role="tokens"),),
        outputs=(OutputSpec(name="case_logits", dtype="float32", shape=(1, SEQ_LEN, 2), kind="none"),),
        source={"model": NAME, "trained": True, "weights": WEIGHTS.name,
                "description": ("Character LSTM truecaser (embedding 98x32, LSTM 64, linear 2) trained here on real "
                                f"English sentences; held-out character accuracy {facts.get('eval_char_accuracy', '?')}, "
                                f"upper-case F1 {facts.get('eval_upper_f1', '?')}.")},
        calibration=calibration,
        eval_set=eval_set,
    )
