"""Accent and case folding: one definition for every layer that compares what people type."""

from __future__ import annotations

import re
import unicodedata

# Runs of non-word characters (and "_") become one space: punctuation and emoji vanish.
NON_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Lowercase and strip accents, keeping punctuation, digits and emoji in place."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()


def normalize(text: str) -> str:
    """Lowercase, remove accents, punctuation and emoji, and collapse spaces."""
    if not text:
        return ""
    return NON_WORD.sub(" ", fold(text)).strip()
