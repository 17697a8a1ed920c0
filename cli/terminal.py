"""The one sanitiser for text that did not come from mobilekit itself, on its way to a terminal.

Phones (``getprop``, ``dumpsys``, error files, result.json), adb servers, farm servers, bundles and stored
databases all supply strings that mobilekit prints. A model name holding ``ESC ] 0 ; ... BEL`` retitles the
window, ``ESC [ 2 J`` clears it, a bidi override reorders what the eye reads, and ``[bold]...[/]`` is rich
markup. :func:`clean` turns every control character into a visible escape (``\\x1b``), so the text stays
readable and inert; :func:`safe` also escapes rich markup, for anything printed through rich.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, zero-width and bidi formatting characters, the BOM. \t and \n are handled apart.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def _visible(m: re.Match) -> str:
    c = m.group(0)
    return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"


def clean(text: object, keep_newlines: bool = False) -> str:
    """``text`` as a string with no control characters: each becomes a visible ``\\xNN``/``\\uNNNN`` escape.

    ``keep_newlines``: a multi-line message (an error and its hint) keeps its ``\\n`` and tabs; in a table cell
    or a one-line field they are shown as ``\\n``/``\\t`` too."""
    s = "" if text is None else str(text)
    s = s.replace("\r\n", "\n")
    if not keep_newlines:
        s = s.replace("\n", "\\n").replace("\t", "\\t")
    else:
        s = s.replace("\r", "\\r")
    return _UNSAFE.sub(_visible, s)


def safe(text: object, keep_newlines: bool = False) -> str:
    """:func:`clean`, then rich markup escaped: for any outside string printed through rich (tables, progress)."""
    from rich.markup import escape

    return escape(clean(text, keep_newlines=keep_newlines))
