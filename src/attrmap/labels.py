"""How labels are shown: the text a reader sees for a token or expression.

Free of matplotlib, so text views (describe, terminal, HTML) show labels exactly as the
figure does without paying for a drawing library.
"""

from __future__ import annotations

import unicodedata


def display_label(label: str) -> str:
    """Show control and invisible format characters as escapes instead of tofu boxes."""
    if label.isprintable():
        return label
    out = []
    for char in label:
        if char.isprintable() or char == " ":
            out.append(char)
        elif char in "\n\t\r":
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}[char])
        elif ord(char) < 0x100:
            out.append(f"\\x{ord(char):02x}")
        elif unicodedata.category(char) in {"Zs"}:
            out.append(char)
        else:
            out.append(f"\\u{ord(char):04x}" if ord(char) < 0x10000 else f"\\U{ord(char):08x}")
    return "".join(out)
