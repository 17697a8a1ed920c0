"""Train the ``digits_crnn`` built-in (convolutions + a bidirectional LSTM over the rows) and write its weights and facts.

    python -m mobilekit.export.models.train_digits_crnn            # writes digits_crnn.pt and digits_crnn.json
    python -m mobilekit.export.models.train_digits_crnn --out-dir /tmp/crnn

CPU only, fixed seeds and deterministic algorithms (two runs give the same weights, byte for byte): about 4 CPU
minutes, most of it in oneDNN's LSTM (11 minutes wall on a busy shared 2-core host). Same pictures, split and
augmentation (a random shift of up to 2 px, padded with blank paper) as ``train_digits``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path

import torch
from torch import nn

from mobilekit.export.models import digits
from mobilekit.export.models import digits_crnn as crnn

SEED = 0
EPOCHS = 12
BATCH = 32
LR = 3e-3
WEIGHT_DECAY = 1e-4
MAX_SHIFT = 2


def _shift(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Shift each picture by up to MAX_SHIFT pixels; the uncovered border is blank paper."""
    paper = (0.0 - digits.PREPROCESS.mean[0]) / digits.PREPROCESS.std[0]
    padded = nn.functional.pad(x, (MAX_SHIFT,) * 4, value=paper)
    offsets = torch.randint(0, 2 * MAX_SHIFT + 1, (len(x), 2), generator=gen)
    h, w = x.shape[-2:]
    return torch.stack([padded[i, :, dy: dy + h, dx: dx + w] for i, (dy, dx) in enumerate(offsets.tolist())])


@torch.no_grad()
def accuracy(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    net.eval()
    return float((net(x).argmax(1) == y).float().mean())


def train(epochs: int = EPOCHS, seed: int = SEED) -> tuple[crnn.DigitsCRNN, dict]:
    """A fresh :class:`DigitsCRNN` trained on the digits training split (eval mode) and its facts."""
    x_train, y_train = digits.split_tensors("train")
    x_test, y_test = digits.split_tensors("test")
    was = torch.are_deterministic_algorithms_enabled()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        torch.use_deterministic_algorithms(True)
        try:
            net = crnn.DigitsCRNN()
            gen = torch.Generator().manual_seed(seed)
            opt = torch.optim.AdamW(net.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)
            steps = -(-len(x_train) // BATCH)
            sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=LR, total_steps=epochs * steps)
            loss_fn = nn.CrossEntropyLoss()
            for epoch in range(epochs):
                net.train()
                order = torch.randperm(len(x_train), generator=gen)
                total = 0.0
                for start in range(0, len(order), BATCH):
                    idx = order[start: start + BATCH]
                    loss = loss_fn(net(_shift(x_train[idx], gen)), y_train[idx])
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
                    sched.step()
                    total += loss.item() * len(idx)
                print(f"epoch {epoch + 1:2d}/{epochs}  loss {total / len(x_train):.4f}", flush=True)
        finally:
            torch.use_deterministic_algorithms(was)
    net.eval()
    facts = {
        "model": crnn.NAME,
        "architecture": f"3 x Conv-BN-ReLU (16, 32, {crnn.CHANNELS} channels, 2 max-pools) -> {crnn.ROWS} rows of "
                        f"{crnn.CHANNELS * crnn.ROWS} features -> bidirectional LSTM({crnn.HIDDEN}) -> final states -> Linear(10)",
        "dataset": "sklearn.datasets.load_digits as pictures (the digits built-in's preprocess and split)",
        "seed": seed,
        "epochs": epochs,
        "batch": BATCH,
        "optimizer": f"AdamW lr {LR} (one-cycle), weight decay {WEIGHT_DECAY}",
        "augmentation": f"random shift of the 28x28 input by up to {MAX_SHIFT} px",
        "split": {"train": len(x_train), "test": len(x_test), "test_fraction": digits.TEST_FRACTION,
                  "seed": digits.SPLIT_SEED},
        "params": crnn.param_count(net),
        "lstm_params": sum(p.numel() for p in net.rows.parameters()),
        "train_accuracy": round(accuracy(net, x_train, y_train), 6),
        "test_accuracy": round(accuracy(net, x_test, y_test), 6),
    }
    return net, facts


def main(argv: list[str] | None = None) -> int:
    """Train, then write ``digits_crnn.pt`` (state_dict) and ``digits_crnn.json`` (facts) to ``--out-dir``."""
    import sklearn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out-dir", type=Path, default=crnn.WEIGHTS_PATH.parent)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    net, facts = train(args.epochs, args.seed)
    seconds = time.perf_counter() - t0
    args.out_dir.mkdir(parents=True, exist_ok=True)
    weights = args.out_dir / crnn.WEIGHTS_PATH.name
    torch.save(net.state_dict(), weights)
    facts.update({
        "weights": weights.name,
        "weights_bytes": weights.stat().st_size,
        "weights_sha256": hashlib.sha256(weights.read_bytes()).hexdigest(),
        "sklearn": sklearn.__version__,
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "train_seconds": round(seconds, 1),
    })
    (args.out_dir / crnn.FACTS_PATH.name).write_text(json.dumps(facts, indent=2) + "\n", encoding="utf-8")
    print(f"params {facts['params']:,} (LSTM {facts['lstm_params']:,})  train accuracy {facts['train_accuracy']:.4f}  "
          f"test accuracy {facts['test_accuracy']:.4f} ({facts['split']['test']} pictures)  weights {weights} "
          f"{facts['weights_bytes']:,} bytes  ({seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
