"""What an LLM export is asked to do: one frozen, validated config (strings normalised at the edge).

The recipes are the shared registry's classes (:mod:`mobilekit.export.quant.recipes`): ``8da4w`` is
:class:`W4A8Dynamic` (4-bit group-wise linear weights, dynamic 8-bit activations; ``int8_layers="auto"``
keeps the linear layers 4 bits hurt most at 8 bits), ``int8dyn`` is :class:`DynamicInt8`, ``fp32`` is
:class:`Fp32`. The ExecuTorch target builds every recipe asked for; ONNX Runtime GenAI and Core ML each
build the recipe's nearest equivalent they can express (:func:`target_precision`) and say why not the
others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from mobilekit.export.quant.recipes import Recipe, RecipeKnobs, make_recipe

MAX_SEQ_LEN = 512  # prompt + generated tokens: the static KV cache holds this many


class LlmTarget(str, Enum):
    XNNPACK = "xnnpack"  # ExecuTorch .pte, XNNPACK delegate, static KV cache (Android and iOS)
    ORT_GENAI = "ort_genai"  # ONNX Runtime GenAI model folder (onnxruntime-genai's model builder)
    COREML = "coreml"  # Core ML stateful .mlpackage, KV cache as state (iOS 18)


DEFAULT_TARGETS = (LlmTarget.XNNPACK, LlmTarget.ORT_GENAI, LlmTarget.COREML)


class KvCacheKind(str, Enum):
    """How the .pte writes new keys/values into its static cache."""

    UPDATE_CACHE = "update_cache"  # ExecuTorch's llama::update_cache op on a [B, S, H, D] cache (no copy of the cache)
    INDEX_COPY = "index_copy"  # transformers' StaticLayer (index_copy_ on [B, H, S, D]; custom_sdpa reads a transpose)


def as_enum(enum_cls, value, what: str):
    if isinstance(value, enum_cls):
        return value
    try:
        return enum_cls(str(value).lower().replace("-", "_"))
    except ValueError:
        raise ValueError(f"unknown {what} {value!r}; choose one of: {', '.join(e.value for e in enum_cls)}") from None


@dataclass(frozen=True)
class LlmFloors:
    """The LLM fidelity gate, judged on held-out text against eager FP32 (below either: ``low_fidelity``)."""

    min_token_agreement: float = 0.90  # teacher-forced next-token top-1 agreement
    max_ppl_ratio: float = 1.10  # perplexity of the artifact / perplexity of FP32

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_token_agreement <= 1.0:
            raise ValueError("min_token_agreement is a fraction between 0 and 1 (e.g. 0.90)")
        if not self.max_ppl_ratio >= 1.0:
            raise ValueError("max_ppl_ratio is a ratio of at least 1.0 (e.g. 1.10: at most 10% worse than FP32)")

    def to_json(self) -> dict:
        return {"min_token_agreement": self.min_token_agreement, "max_ppl_ratio": self.max_ppl_ratio}


@dataclass(frozen=True)
class EvalBudget:
    """How much held-out text the fidelity figures and the 8-bit layer search use (the export's time budget).

    ``eval_tokens`` teacher-forced tokens judge every artifact (their FP32 logits are computed once);
    ``tuning_tokens`` are other texts, the only ones the automatic choices see; ``search_seconds`` caps
    the 8da4w search for layers kept at 8 bits (candidates are tried most-damaged first until the tuning
    target is met, the size cap or this budget is reached)."""

    eval_tokens: int = 1536
    tuning_tokens: int = 768
    chunk_tokens: int = 256  # teacher-forced windows (each one prefill call from position 0)
    greedy_prompts: int = 3
    greedy_tokens: int = 24
    search_seconds: float = 45.0
    search_target_agreement: float = 0.95  # stop adding 8-bit layers once the tuning text agrees this well

    def __post_init__(self) -> None:
        for name in ("eval_tokens", "tuning_tokens", "chunk_tokens", "greedy_prompts", "greedy_tokens"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ValueError(f"{name} must be a whole number of at least 1")
        if self.search_seconds < 0:
            raise ValueError("search_seconds must be >= 0 (0: no search, only the layers a rule keeps at 8 bits)")
        if not 0.0 < self.search_target_agreement <= 1.0:
            raise ValueError("search_target_agreement is a fraction between 0 and 1")

    def to_json(self) -> dict:
        return {k: getattr(self, k) for k in ("eval_tokens", "tuning_tokens", "chunk_tokens", "greedy_prompts",
                                             "greedy_tokens", "search_seconds", "search_target_agreement")}


# LLM defaults for the shared recipes: INT8 embedding tables (the table is also the tied output head's source,
# and a GGUF's Q8_0 table is stored exactly at 8 bits); everything else is the registry's default.
LLM_KNOBS = RecipeKnobs(embedding_bits=8)


def llm_recipe(name: str) -> Recipe:
    """The registry's recipe ``name`` with the LLM defaults (:data:`LLM_KNOBS`)."""
    return make_recipe(name, LLM_KNOBS)


def _default_recipes() -> tuple[Recipe, ...]:
    return (llm_recipe("8da4w"),)


@dataclass(frozen=True)
class LlmExportConfig:
    """One LLM export.

    ``model``: a built-in name (``smollm2``), a Hugging Face model folder (``config.json`` + weights), a
    ``.gguf`` file, or ``module:factory`` returning a causal LM (a transformers ``PreTrainedModel`` with a
    ``generation``-style forward; ``tokenizer`` then names a folder or ``tokenizer.json`` for it).
    ``recipes`` are the ExecuTorch artifacts (``8da4w`` first = the bundle's default); ``targets`` the
    formats. ``max_seq_len`` is prompt + generated tokens (the static KV cache size).
    """

    model: str
    name: str | None = None  # bundle/artifact base name (default: the built-in's name or the file/folder stem)
    tokenizer: str | None = None  # for module:factory models: a tokenizer.json or a folder holding one
    targets: tuple[LlmTarget, ...] = DEFAULT_TARGETS
    recipes: tuple[Recipe, ...] = field(default_factory=_default_recipes)
    max_seq_len: int = MAX_SEQ_LEN
    floors: LlmFloors = field(default_factory=LlmFloors)
    budget: EvalBudget = field(default_factory=EvalBudget)
    kv_cache: KvCacheKind = KvCacheKind.UPDATE_CACHE
    threads: int = 2  # host threads for validation and the host speed figures (ExecuTorch, ORT GenAI)
    max_new_tokens: int = 128  # prompts.json default for the phone benchmark
    validate: bool = True  # run every artifact on the host (False: structural checks only, status skipped)
    llama_cpp_check: bool = True  # compare the shipped tokenizer with llama.cpp's (golden ids for built-ins)

    def __post_init__(self) -> None:
        if not isinstance(self.model, str) or not self.model.strip():
            raise ValueError("model names a built-in, a Hugging Face folder, a .gguf file or module:factory")
        targets = tuple(as_enum(LlmTarget, t, "LLM target") for t in self.targets)
        if not targets:
            raise ValueError("targets holds at least one of: " + ", ".join(t.value for t in LlmTarget))
        if len(set(targets)) != len(targets):
            raise ValueError("targets lists a target twice")
        object.__setattr__(self, "targets", targets)
        recipes = tuple(llm_recipe(r) if isinstance(r, str) else r for r in self.recipes)
        if not recipes or not all(isinstance(r, Recipe) for r in recipes):
            raise ValueError("recipes holds recipe instances (mobilekit.export.quant.recipes) or their names")
        names = [r.name for r in recipes]
        if len(set(names)) != len(names):
            raise ValueError("recipes lists a recipe twice")
        for r in recipes:
            if r.name not in LLM_RECIPES:
                raise ValueError(f"recipe {r.name!r} is not an LLM recipe; choose from: {', '.join(LLM_RECIPES)}")
        object.__setattr__(self, "recipes", recipes)
        if not isinstance(self.max_seq_len, int) or not 16 <= self.max_seq_len <= 32768:
            raise ValueError("max_seq_len is a whole number of tokens between 16 and 32768 (default 512)")
        if not isinstance(self.threads, int) or self.threads < 1:
            raise ValueError("threads must be a whole number of at least 1")
        if not isinstance(self.max_new_tokens, int) or not 1 <= self.max_new_tokens < self.max_seq_len:
            raise ValueError("max_new_tokens must be between 1 and max_seq_len - 1")
        object.__setattr__(self, "kv_cache", as_enum(KvCacheKind, self.kv_cache, "kv_cache"))
        if self.name is not None and (not self.name or any(c in self.name for c in "/\\ ")):
            raise ValueError("name is a bundle name without spaces or path separators")

    @property
    def default_recipe(self) -> Recipe:
        return self.recipes[0]

    def to_json(self) -> dict:
        return {
            "model": self.model,
            "targets": [t.value for t in self.targets],
            "recipes": [r.to_json() for r in self.recipes],
            "max_seq_len": self.max_seq_len,
            "floors": self.floors.to_json(),
            "budget": self.budget.to_json(),
            "kv_cache": self.kv_cache.value,
            "threads": self.threads,
        }


# The --quant names an LLM export takes, and what each target builds for them (None: cannot, with why).
LLM_RECIPES = ("8da4w", "int8dyn", "fp32")

_TARGET_PRECISIONS: dict[LlmTarget, dict[str, str | None]] = {
    LlmTarget.XNNPACK: {"8da4w": "8da4w", "int8dyn": "int8dyn", "fp32": "fp32"},
    # onnxruntime-genai's builder: int4 MatMulNBits (block = group size) with accuracy level 4 = INT8 activations
    LlmTarget.ORT_GENAI: {"8da4w": "8da4w", "int8dyn": None, "fp32": "fp32"},
    # Core ML: INT4 per-block weights (iOS 18), INT8 per-channel weights, FP16 compute either way
    LlmTarget.COREML: {"8da4w": "w4", "int8dyn": "w8", "fp32": "fp16"},
}
WHY_NOT = {
    (LlmTarget.ORT_GENAI, "int8dyn"): "onnxruntime-genai's model builder writes int4, fp16, bf16 or fp32 weights, "
                                      "not INT8; the ExecuTorch int8dyn artifact covers it",
}


def target_precision(target: LlmTarget, recipe: Recipe) -> str | None:
    """The manifest precision ``target`` builds for ``recipe`` (None when it cannot express it: see :data:`WHY_NOT`)."""
    return _TARGET_PRECISIONS[target].get(recipe.name)
