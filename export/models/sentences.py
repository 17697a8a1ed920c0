"""Real English sentences that ship with scikit-learn: the prose of its data-set descriptions.

The text models' calibration and evaluation data. No download: the ``descr/*.rst`` files are part of
the scikit-learn package. Split by file, so calibration and evaluation sentences never come from the
same document (the same care as the photographs in :mod:`photos`). reStructuredText markup, tables,
field lists and references are dropped; sentences of 5 to 60 words are kept.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from mobilekit import MobilekitError

EVAL_FILES = ("twenty_newsgroups", "lfw", "olivetti_faces", "species_distributions")
_MARKUP = re.compile(r"^\s*(\.\.|:[A-Za-z ]+:|[=\-~*^+|#]{3,}|\|)")


def _descr_dir() -> Path:
    try:
        import sklearn.datasets.descr as descr
    except ImportError as exc:
        raise MobilekitError("The text built-ins need scikit-learn (its data-set descriptions are the sentences).",
                             hint="Install mobilekit's pinned environment: bash scripts/venv.sh ...") from exc
    return Path(descr.__file__).parent


def _sentences(text: str) -> list[str]:
    kept = []
    for para in re.split(r"\n\s*\n", text):
        lines = [ln for ln in para.splitlines() if not _MARKUP.match(ln)]
        para = " ".join(ln.strip() for ln in lines)
        para = re.sub(r"`([^`<]*?)\s*<[^>]*>`_*", r"\1", para)  # `text <url>`_ -> text
        para = re.sub(r":[a-z]+:`~?([^`]*)`", r"\1", para)  # :func:`x` -> x
        para = re.sub(r"``?([^`]*)``?_?", r"\1", para)
        para = re.sub(r"\[[^\]]*\]_?|\s+", lambda m: " " if m.group(0).isspace() else "", para).strip()
        for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", para):
            s = s.strip()
            words = s.split()
            if 5 <= len(words) <= 60 and s[-1:] in ".!?" and sum(c.isalpha() for c in s) > len(s) * 0.6:
                kept.append(s)
    return kept


@functools.lru_cache(maxsize=None)
def sentences(split: str) -> tuple[str, ...]:
    """``calibration`` or ``eval`` sentences (disjoint documents), in file order, without duplicates."""
    if split not in ("calibration", "eval"):
        raise ValueError("split is calibration or eval")
    out: list[str] = []
    for path in sorted(_descr_dir().glob("*.rst")):
        if (path.stem in EVAL_FILES) == (split == "eval"):
            for s in _sentences(path.read_text(encoding="utf-8")):
                if s not in out:
                    out.append(s)
    return tuple(out)


@functools.lru_cache(maxsize=None)
def python_docs_prose() -> str:
    """Prose paragraphs of the Python language reference that ships with CPython (``pydoc_data.topics``):
    ~270k characters of real English, used to train the ``lstm_tagger`` built-in (code blocks dropped)."""
    from pydoc_data.topics import topics

    paras = []
    for text in topics.values():
        for para in re.split(r"\n\s*\n", text):
            if para.startswith("   ") or len(para.split()) < 8:
                continue
            paras.append(re.sub(r"\s+", " ", para.replace("*", "").replace("\"", "\"")).strip())
    return " ".join(paras)
