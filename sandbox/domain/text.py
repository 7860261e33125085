"""Small text checks every face shares (no Flask, no database)."""

from __future__ import annotations

import re

# Characters XML 1.0 cannot carry even escaped: C0 controls but tab, newline and return; lone surrogates;
# U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def ascii_digits(value: str) -> bool:
    """0-9 only: str.isdigit() is also true for '²' and '١', which int() refuses or reads as a number."""
    return value.isascii() and value.isdigit()


def fits_xml(text: str) -> bool:
    """Whether every character can go into an XML document (stored text is echoed in FPS XML later)."""
    return _NOT_XML.search(text) is None


def xml_safe(text: str) -> str:
    """Text that can go into an XML document: each character XML cannot carry shown as \\uXXXX."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
