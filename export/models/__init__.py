"""The built-in models: ``digits`` (a small CNN trained here), ``efficientnet_lite0`` (published ImageNet
weights, real photos), ``mobilenet_v2`` (torchvision's, with its published ImageNet weights), ``minilm`` (a published
sentence embedder, real sentences) and ``lstm_tagger`` (a small LSTM truecaser trained here on real text) and ``smollm2`` (SmolLM2-135M-Instruct, a
small chat LLM from its published GGUF).

Each built-in brings its own data: ``calibration(count, seed)`` and ``eval_set()`` on the returned
:class:`~mobilekit.export.spec.LoadedModel`. Heavy imports (scikit-learn) happen only when a model
is loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mobilekit import MobilekitError

if TYPE_CHECKING:
    from mobilekit.export.spec import LoadedModel

# name -> module with a ``load()`` returning a LoadedModel (imported only when that model is asked for)
BUILTINS = {
    "digits": "mobilekit.export.models.digits",
    "efficientnet_lite0": "mobilekit.export.models.efficientnet_lite0",
    "mobilenet_v2": "mobilekit.export.models.mobilenet_v2",
    "minilm": "mobilekit.export.models.minilm",
    "lstm_tagger": "mobilekit.export.models.lstm_tagger",
    "smollm2": "mobilekit.export.models.smollm2",
}
BUILTIN_NAMES = tuple(BUILTINS)


def load_builtin(name: str) -> "LoadedModel":
    """Load a built-in model by name; an unknown name is a user error that lists the built-ins."""
    if name not in BUILTINS:
        raise MobilekitError(
            f"Unknown built-in model {name!r}.",
            hint=f"The built-in models are: {', '.join(BUILTIN_NAMES)}.",
        )
    import importlib

    return importlib.import_module(BUILTINS[name]).load()
