"""The ``digits_crnn`` built-in: a small CRNN (convolutions, then a bidirectional LSTM reading the rows) trained on
scikit-learn's handwritten digits.

The shape of the text-line and digit-string recognisers that ship on phones: a convolutional feature extractor
whose feature map is read as a sequence by a recurrent layer. Here three Conv-BN-ReLU stages turn the 28x28
digit picture into a 64 x 7 x 7 map; its 7 rows (448 features each) are the time steps of a bidirectional LSTM
(64 hidden units a direction), whose two final states are classified. About 290k parameters, 90% of them in the
LSTM, as in real CRNNs, so INT8 only pays when the recurrent weights are quantized too.

Same pictures, preprocess, calibration (training split) and held-out evaluation (450 digits) as the ``digits``
built-in (:mod:`mobilekit.export.models.digits`). Weights ship in ``digits_crnn.pt`` (loaded with
``weights_only=True``); retrain with ``python -m mobilekit.export.models.train_digits_crnn``.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from torch import nn

from mobilekit import MobilekitError
from mobilekit.export.models import digits
from mobilekit.export.spec import EvalSet, InputSpec, LoadedModel, OutputSpec, Sample

NAME = "digits_crnn"
LABELS = digits.LABELS
PREPROCESS = digits.PREPROCESS
WEIGHTS_PATH = Path(__file__).with_name("digits_crnn.pt")
FACTS_PATH = Path(__file__).with_name("digits_crnn.json")
ROWS, CHANNELS, HIDDEN = 7, 64, 64


class DigitsCRNN(nn.Module):
    """Conv-BN-ReLU x3 (28x28 -> 64 x 7 x 7) -> rows as a sequence -> BiLSTM(448, 64) -> final states -> 10 logits.

    Only ops that ``torch.export``, PT2E and the XNNPACK delegate all take once the LSTM is rewritten
    (:mod:`mobilekit.export.quant.recurrent`): conv2d, batch norm, relu, max_pool2d, permute, reshape, linear.
    """

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1, bias=False),
            nn.BatchNorm2d(16),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 28 -> 14
            nn.Conv2d(16, 32, 3, padding=1, bias=False),
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 14 -> 7
            nn.Conv2d(32, CHANNELS, 3, padding=1, bias=False),
            nn.BatchNorm2d(CHANNELS),
            nn.ReLU(),
        )
        self.rows = nn.LSTM(CHANNELS * ROWS, HIDDEN, batch_first=True, bidirectional=True)
        self.classifier = nn.Linear(2 * HIDDEN, len(LABELS))

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        """``image`` [N, 1, 28, 28] (the output of :data:`PREPROCESS`) -> logits [N, 10]."""
        f = self.features(image)  # [N, C, 7, 7]
        n = f.shape[0]
        seq = f.permute(0, 2, 1, 3).reshape(n, ROWS, CHANNELS * ROWS)  # row r: the C x 7 features of that row
        _, (h, _) = self.rows(seq)  # h [2, N, H]: the forward state after the last row, the reverse after the first
        return self.classifier(h.permute(1, 0, 2).reshape(n, 2 * HIDDEN))


def param_count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def calibration(count: int, seed: int = 0) -> list[Sample]:
    """Training pictures as batch-1 samples (the ``digits`` built-in's calibration; never the held-out split)."""
    return digits.calibration(count, seed)


def eval_set() -> EvalSet:
    """The 450 held-out pictures with labels (the ``digits`` built-in's evaluation set)."""
    return digits.eval_set()


def training_facts() -> dict:
    """What ``train_digits_crnn`` recorded about the shipped weights (``digits_crnn.json``)."""
    return json.loads(FACTS_PATH.read_text(encoding="utf-8"))


def load_module() -> DigitsCRNN:
    """The eval-mode CRNN with the shipped weights."""
    if not WEIGHTS_PATH.exists():
        raise MobilekitError(f"The digits_crnn weights {WEIGHTS_PATH} are missing.",
                             hint="Train them with: python -m mobilekit.export.models.train_digits_crnn")
    net = DigitsCRNN()
    net.load_state_dict(torch.load(WEIGHTS_PATH, map_location="cpu", weights_only=True))
    return net.eval()


def load() -> LoadedModel:
    """The ``digits_crnn`` built-in as a :class:`LoadedModel` (trained weights, the digits data)."""
    net = load_module()
    facts = training_facts()
    ev = eval_set()
    description = (
        f"CRNN ({facts['params']:,} parameters: 3 conv stages, a bidirectional LSTM reading the 7 feature rows) "
        f"trained on scikit-learn's handwritten digits through the manifest preprocess; FP32 accuracy "
        f"{facts['test_accuracy']:.2%} on the {facts['split']['test']} held-out pictures."
    )
    return LoadedModel(
        name=NAME,
        module=net,
        example_inputs=(ev.samples[0][0].clone(),),
        inputs=(InputSpec(name="image", dtype="float32", shape=(1, 1, 28, 28), layout="NCHW", preprocess=PREPROCESS),),
        outputs=(OutputSpec(name="logits", dtype="float32", shape=(1, 10), kind="classification"),),
        source={"model": NAME, "trained": True, "weights": WEIGHTS_PATH.name, "description": description},
        labels=LABELS,
        calibration=calibration,
        eval_set=eval_set,
    )
