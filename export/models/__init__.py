"""The built-in models: ``digits`` (a small CNN trained here), ``efficientnet_lite0`` (published ImageNet
weights, real photos), ``mobilenet_v2`` (an untrained stand-in for speed and size), ``minilm`` (a published
sentence embedder, real sentences) and ``lstm_tagger`` (a small LSTM truecaser trained here on real text).

Each built-in brings its own data: ``calibration(count, seed)`` and ``eval_set()`` on the returned
:class:`~mobilekit.export.spec.LoadedModel`. Heavy imports (scikit-learn) happen only when a model
is loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mobilekit import MobilekitError

if TYPE_CHECKING:
    from mobilekit.export.spec import LoadedModel

BUILTIN_NAMES = ("digits", "efficientnet_lite0", "mobilenet_v2", "minilm", "lstm_tagger")


def load_builtin(name: str) -> "LoadedModel":
    """Load a built-in model by name; an unknown name is a user error that lists the built-ins."""
    if name == "digits":
        from mobilekit.export.models import digits

        return digits.load()
    if name == "efficientnet_lite0":
        from mobilekit.export.models import efficientnet_lite0

        return efficientnet_lite0.load()
    if name == "mobilenet_v2":
        from mobilekit.export.models import mobilenet_v2

        return mobilenet_v2.load()
    if name == "minilm":
        from mobilekit.export.models import minilm

        return minilm.load()
    if name == "lstm_tagger":
        from mobilekit.export.models import lstm_tagger

        return lstm_tagger.load()
    raise MobilekitError(
        f"Unknown built-in model {name!r}.",
        hint=f"The built-in models are: {', '.join(BUILTIN_NAMES)}.",
    )
