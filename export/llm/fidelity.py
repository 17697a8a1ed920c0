"""Fidelity of a generated-text artifact against eager FP32, token by token, on held-out text, and the gate.

- **teacher-forced next-token agreement**: every window of held-out text is fed once (one prefill call from
  position 0); at every position the artifact's top-1 next token is compared with FP32's. Reported with a
  95% Wilson interval and the token count;
- **perplexity ratio**: the artifact's perplexity on the same tokens over FP32's (1.0 = no loss);
- **greedy continuations**: for held-out prompts, the fraction of the artifact's greedy tokens equal to
  FP32's up to the first difference (averaged), and the texts;
- **the chat smoke answer**: the artifact's greedy answer to the bundle's smoke prompt must contain a word
  (SmolLM2: "Paris" for the capital of France).

FP32's logits are computed once per bundle (:class:`Reference`) and reused for every artifact.
Below a floor the status is ``low_fidelity`` with a reason in words; every reader takes the status as is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from mobilekit.export.llm.config import LlmFloors


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion."""
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def _log_softmax(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.float64)
    m = x.max(-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(-1, keepdims=True))


@dataclass
class Reference:
    """Eager FP32 on the held-out evaluation text: per-window top-1 tokens and the log-likelihood of the text."""

    windows: list[list[int]]
    top1: list[np.ndarray]  # per window: argmax at each position
    nll_sum: float  # FP32 negative log-likelihood of each window's next tokens, summed
    predicted: int  # next-token predictions judged (sum of len(window) - 1)
    greedy: list[dict] = field(default_factory=list)  # [{"prompt_ids", "tokens", "text"}]
    chat: dict | None = None  # {"prompt", "rendered", "ids", "tokens", "answer"}

    @property
    def perplexity(self) -> float:
        return math.exp(self.nll_sum / max(self.predicted, 1))


def window_stats(logits: np.ndarray, window: list[int]) -> tuple[np.ndarray, float]:
    """(argmax per position, NLL of the window's own next tokens summed over positions 0..n-2)."""
    logp = _log_softmax(logits[:-1])
    targets = np.asarray(window[1:])
    nll = float(-logp[np.arange(len(targets)), targets].sum())
    return logits.argmax(-1), nll


def reference_from_model(model, windows: list[list[int]]) -> Reference:
    """Eager FP32 logits for each window (one forward per window, no cache)."""
    import torch

    top1, nll = [], 0.0
    with torch.no_grad():
        for w in windows:
            logits = model(torch.tensor([w])).logits[0].float().numpy()
            t, n = window_stats(logits, w)
            top1.append(t)
            nll += n
    return Reference(windows=windows, top1=top1, nll_sum=nll, predicted=sum(len(w) - 1 for w in windows))


def greedy_eager(model, prompt_ids: list[int], max_new_tokens: int, eos_ids) -> list[int]:
    """Eager FP32 greedy continuation (transformers' own cache)."""
    import torch

    with torch.no_grad():
        out = model.generate(torch.tensor([prompt_ids]), max_new_tokens=max_new_tokens, do_sample=False,
                             eos_token_id=list(eos_ids), pad_token_id=list(eos_ids)[0], attention_mask=torch.ones(1, len(prompt_ids), dtype=torch.long))
    return out[0, len(prompt_ids):].tolist()


def prefix_match(a: list[int], b: list[int]) -> float:
    """Fraction of ``b`` (the reference) reproduced by ``a`` up to the first difference."""
    if not b:
        return 1.0
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n / len(b)


@dataclass
class Fidelity:
    token_agreement: float
    ci95: tuple[float, float]
    tokens: int
    perplexity: float
    perplexity_fp32: float
    greedy_match: float | None
    greedy: list[dict]
    chat_answer: str | None
    chat_ok: bool | None

    @property
    def ppl_ratio(self) -> float:
        return self.perplexity / self.perplexity_fp32

    def to_validation(self) -> dict:
        return {"output_kind": "llm", "samples": self.tokens, "tokens": self.tokens,
                "token_agreement": round(self.token_agreement, 4),
                "token_agreement_ci95": [round(self.ci95[0], 4), round(self.ci95[1], 4)],
                "perplexity": round(self.perplexity, 4), "perplexity_fp32": round(self.perplexity_fp32, 4),
                "ppl_ratio": round(self.ppl_ratio, 4),
                "greedy_match": None if self.greedy_match is None else round(self.greedy_match, 4),
                "chat_answer": self.chat_answer, "chat_ok": self.chat_ok}


def teacher_forced(logits_fn, ref: Reference) -> tuple[int, float]:
    """(agreeing positions, NLL sum) of an artifact whose ``logits_fn(window) -> [n, vocab]`` is judged on ``ref``."""
    agree, nll = 0, 0.0
    for w, want in zip(ref.windows, ref.top1):
        logits = np.asarray(logits_fn(w), dtype=np.float32)
        top, n = window_stats(logits, w)
        agree += int((top[:-1] == want[:-1]).sum())
        nll += n
    return agree, nll


def judge(logits_fn, greedy_fn, ref: Reference, chat_fn=None, smoke_expect: str | None = None) -> Fidelity:
    """Every figure for one artifact. ``greedy_fn(prompt_ids, n) -> tokens``; ``chat_fn() -> answer text``."""
    agree, nll = teacher_forced(logits_fn, ref)
    n = ref.predicted
    greedy, matches = [], []
    for g in ref.greedy:
        got = greedy_fn(g["prompt_ids"], len(g["tokens"]) or 1)
        m = prefix_match(got, g["tokens"])
        matches.append(m)
        greedy.append({"prompt": g["text"], "fp32_tokens": g["tokens"], "tokens": got, "match": round(m, 4)})
    answer = chat_fn() if chat_fn is not None else None
    ok = None if answer is None or smoke_expect is None else smoke_expect.lower() in answer.lower()
    return Fidelity(token_agreement=agree / max(n, 1), ci95=wilson(agree, n), tokens=n,
                    perplexity=math.exp(nll / max(n, 1)), perplexity_fp32=ref.perplexity,
                    greedy_match=float(np.mean(matches)) if matches else None, greedy=greedy,
                    chat_answer=answer, chat_ok=ok)


def gate(f: Fidelity, floors: LlmFloors, smoke: dict | None) -> tuple[str, str | None]:
    """``ok`` or ``low_fidelity`` with the reason in words."""
    problems = []
    if f.token_agreement < floors.min_token_agreement:
        problems.append(f"its next-token choice agrees with FP32 on {f.token_agreement:.1%} of {f.tokens} held-out tokens "
                        f"(95% CI {f.ci95[0]:.1%}-{f.ci95[1]:.1%}), below the floor of {floors.min_token_agreement:.0%}")
    if f.ppl_ratio > floors.max_ppl_ratio:
        problems.append(f"its perplexity is {f.ppl_ratio:.3f}x FP32's ({f.perplexity:.2f} vs {f.perplexity_fp32:.2f}), "
                        f"above the ceiling of {floors.max_ppl_ratio:.2f}x")
    if f.chat_ok is False and smoke:
        problems.append(f"asked {smoke['prompt']!r} it answered {f.chat_answer!r}, which does not contain {smoke['expect']!r}")
    if not problems:
        return "ok", None
    return "low_fidelity", ("This artifact drifts from the FP32 model: " + "; ".join(problems) +
                            ". Try int8dyn, keep more layers at 8 bits (int8_layers), or a higher --max-ppl-ratio if that is acceptable.")
