"""The contract: JSON Schemas shared by Python, Java and Swift (manifest and benchmark result)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

MANIFEST = "manifest.schema.json"
RESULT = "result.schema.json"
PROMPTS = "prompts.schema.json"


@lru_cache(maxsize=None)
def load(name: str) -> dict:
    """Return one schema as a dict (``MANIFEST`` or ``RESULT``)."""
    return json.loads(resources.files(__name__).joinpath(name).read_text(encoding="utf-8"))


def errors(document: dict, name: str) -> list[str]:
    """Every way ``document`` breaks schema ``name``, as readable ``path: message`` lines (empty when valid)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(load(name), format_checker=jsonschema.FormatChecker())
    out = []
    for err in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
        path = "/".join(str(p) for p in err.absolute_path) or "(root)"
        out.append(f"{path}: {err.message}")
    return out
