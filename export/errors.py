"""The export's user-facing errors: each says what went wrong, where, and what to do."""

from __future__ import annotations

import re
import sysconfig
import traceback
from pathlib import Path

from mobilekit import MobilekitError


class ExportError(MobilekitError):
    """The user's model, input or data cannot be exported as asked (a fixable mistake, not a bug)."""


class DataError(ExportError):
    """Data the user gave (``--calibration``, ``--eval``, ``--weights``) cannot be used as it is: an empty or
    unreadable folder, a file of the wrong shape, NaN/inf values, labels outside the model's classes.

    The export is refused before anything is built (exit code 2): unlike a missing optional input, bad data
    the user asked for must not quietly turn into a bundle without the artifacts that needed it.
    """


_USER_FRAME = re.compile(r'File "([^"]+)", line (\d+), in (\w+)\n\s*(.*)')


def _is_user_file(filename: str) -> bool:
    """True for the user's own code: not the standard library, not site-packages, not mobilekit itself."""
    paths = sysconfig.get_paths()
    roots = (paths["stdlib"], paths["platstdlib"], str(Path(__file__).resolve().parents[1]))
    parts = Path(filename).parts
    installed = "site-packages" in parts or "dist-packages" in parts  # any environment's, shared ones too
    return not installed and not filename.startswith(roots) and not filename.startswith("<")


def user_source_line(exc: BaseException) -> str | None:
    """``file:line in function(): code`` of the innermost user frame that raised ``exc`` (or named in its text)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if _is_user_file(f.filename) and f.line]
    if frames:
        f = frames[-1]
        return f"{f.filename}:{f.lineno} in {f.name}(): {f.line.strip()}"
    matches = [m for m in _USER_FRAME.finditer(str(exc)) if _is_user_file(m.group(1))]
    if matches:
        m = matches[-1]
        return f"{m.group(1)}:{m.group(2)} in {m.group(3)}(): {m.group(4).strip()}"
    return None
