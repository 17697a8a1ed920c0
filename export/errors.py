"""The export's user-facing errors: each says what went wrong, where, and what to do."""

from __future__ import annotations

import re

from mobilekit import MobilekitError


class ExportError(MobilekitError):
    """The user's model, input or data cannot be exported as asked (a fixable mistake, not a bug)."""


_USER_FRAME = re.compile(r'File "([^"]+)", line (\d+), in (\w+)\n\s*(.*)')


def user_source_line(text: str) -> str | None:
    """The last ``file:line (function): code`` of user code in a torch.export / dynamo message, if any."""
    frames = [m for m in _USER_FRAME.finditer(text) if "site-packages" not in m.group(1) and "/torch/" not in m.group(1)]
    if not frames:
        return None
    f = frames[-1]
    return f"{f.group(1)}:{f.group(2)} in {f.group(3)}(): {f.group(4).strip()}"
