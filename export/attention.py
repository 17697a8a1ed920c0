"""Graph hygiene for attention: rewrites that keep a transformer encoder on the delegate.

Hugging Face encoders build their attention mask inside ``forward`` from a ``[B, L]`` 0/1 mask: with
the ``sdpa`` implementation that is boolean plumbing (``eq``, ``any``, ``logical_not``, ``where``,
``full_like``) repeated in every layer, none of which XNNPACK takes, so it runs on ExecuTorch's portable
kernels between delegate calls. The standard rewrite: compute an additive float mask once
(``(1 - mask) * finfo.min``, shape ``[B, 1, 1, L]``), hand it to the encoder as a ready 4-D mask, and use
the ``eager`` attention implementation, which adds it to the scores (matmul, add, softmax: all
delegated). Outputs are unchanged (cosine 1.0 against the stock module).
"""

from __future__ import annotations

import torch


def additive_mask(attention_mask: torch.Tensor, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """``[B, L]`` 0/1 mask -> ``[B, 1, 1, L]`` additive mask: 0 where attended, the dtype's minimum elsewhere."""
    m = attention_mask.to(dtype)
    return (1.0 - m[:, None, None, :]) * torch.finfo(dtype).min


def use_eager_attention(module: torch.nn.Module) -> bool:
    """Switch a Hugging Face model (and its sub-models) to the ``eager`` attention implementation.

    Returns True when something changed. Modules that are not Hugging Face models are left alone.
    """
    changed = False
    for sub in module.modules():
        setter = getattr(sub, "set_attn_implementation", None)
        config = getattr(sub, "config", None)
        if setter is None or config is None or getattr(config, "_attn_implementation", None) == "eager":
            continue
        try:
            setter("eager")
            changed = True
        except (ValueError, TypeError, AttributeError):
            continue
    return changed


class MeanPooledEncoder(torch.nn.Module):
    """A Hugging Face encoder as a sentence embedder: ``(input_ids, attention_mask) -> [B, D]``.

    Mean pooling over the real tokens, then L2 normalisation (the sentence-transformers recipe). The
    mask reaches the encoder as one additive float mask (see the module docstring); token type ids are
    zeros, made from ``input_ids`` so the graph holds no ``new_ones``/``new_zeros`` constants.
    """

    def __init__(self, encoder: torch.nn.Module, normalize: bool = True):
        super().__init__()
        self.encoder = encoder
        self.normalize = normalize

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=additive_mask(attention_mask),
                              token_type_ids=torch.zeros_like(input_ids)).last_hidden_state
        weights = attention_mask.to(hidden.dtype).unsqueeze(-1)
        pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=-1) if self.normalize else pooled
