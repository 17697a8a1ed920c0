"""Train the ``lstm_tagger`` built-in (a character LSTM truecaser) and write its weights and facts.

    python -m mobilekit.export.models.train_lstm_tagger        # writes lstm_tagger.pt and lstm_tagger.json

CPU only, fixed seed: about a minute on two cores. Trains on the prose of the Python language
reference (``pydoc_data``, part of CPython) and reports accuracy on scikit-learn's documentation.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch
from torch import nn

from mobilekit.export.models import lstm_tagger as lt

SEED, EPOCHS, BATCH, LR = 0, 6, 32, 5e-3


@torch.no_grad()
def evaluate(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> dict:
    net.eval()
    pred = net(x).argmax(-1)
    real = x != lt.PAD
    acc = float((pred == y)[real].float().mean())
    tp = int(((pred == 1) & (y == 1) & real).sum())
    fp = int(((pred == 1) & (y == 0) & real).sum())
    fn = int(((pred == 0) & (y == 1) & real).sum())
    f1 = 2 * tp / max(1, 2 * tp + fp + fn)
    return {"char_accuracy": round(acc, 4), "upper_f1": round(f1, 4)}


def train(out_dir: Path) -> dict:
    torch.manual_seed(SEED)
    x, y, _ = lt.windows("train")
    ex, ey, _ = lt.windows("eval")
    net = lt.Truecaser()
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    weight = torch.tensor([1.0, 4.0])  # upper-case characters are rare
    gen = torch.Generator().manual_seed(SEED)
    start = time.time()
    for _ in range(EPOCHS):
        net.train()
        for idx in torch.randperm(len(x), generator=gen).split(BATCH):
            logits = net(x[idx])
            mask = x[idx] != lt.PAD
            loss = nn.functional.cross_entropy(logits[mask], y[idx][mask], weight=weight)
            opt.zero_grad()
            loss.backward()
            opt.step()
    train_m, eval_m = evaluate(net, x, y), evaluate(net, ex, ey)
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.save(net.state_dict(), out_dir / lt.WEIGHTS.name)
    facts = {"seed": SEED, "epochs": EPOCHS, "train_windows": len(x), "eval_windows": len(ex),
             "train_char_accuracy": train_m["char_accuracy"], "eval_char_accuracy": eval_m["char_accuracy"],
             "train_upper_f1": train_m["upper_f1"], "eval_upper_f1": eval_m["upper_f1"],
             "seconds": round(time.time() - start, 1)}
    (out_dir / lt.FACTS.name).write_text(json.dumps(facts, indent=2) + "\n", encoding="utf-8")
    return facts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out-dir", type=Path, default=lt.WEIGHTS.parent)
    print(json.dumps(train(ap.parse_args().out_dir), indent=2))


if __name__ == "__main__":
    main()
