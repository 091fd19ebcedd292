"""Text preparation shared by every reader: folding, normalisation and matching keys."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.folding import NON_WORD as _NON_WORD
from bot.core.folding import fold

MAX_CHARS = 1000
# Reply buttons and reactions carry meaning that normalisation strips, so read them from raw text.
YES_EMOJI = ("✅", "👍", "👌", "☑")
NO_EMOJI = ("❌", "👎", "🚫", "✖")

_NON_WORD_KEEP_BAR = re.compile(r"[^\w|]+|_+")
_BARS = re.compile(r"\s*(?:\|\s*)+")
# Clause breaks keep "não, quero cancelar" from reading as a negated "cancelar".
_CLAUSE_BREAK = re.compile(r"[,.;:!?()\[\]\n\r\t]+|\s+(?:mas|porem|entao)\s+|\s+-\s+")
# People stretch words to sound friendly ("simmm", "oiii", "olaaa"); digits are left alone.
_LONG_RUN = re.compile(r"([a-z])\1{2,}")
_DOUBLED_END = re.compile(r"\b([a-z]+?)([a-z])\2\b")
_POLITE_TAIL = re.compile(
    r"(?:\s+(?:por favor|porfavor|pfv|pfvr|pf|por gentileza|obrigad[oa]|obg|grat[oa]))+$"
)
_POLITE_HEAD = re.compile(r"^(?:por favor|pfv|pf)\s+")
# "hoje não, amanhã" / "não posso sexta, pode ser sábado?": a refused day or time is not wanted.
_NEGATION_BEFORE = re.compile(r"\bnao\b[^,.;!?]*$")
_NEGATION_AFTER = re.compile(r"\s*,?\s*nao\b")
_NEGATION_REACH = 24


def word_set(words: str) -> frozenset[str]:
    """A set of words written as one whitespace-separated block (readable vocabulary lists)."""
    return frozenset(words.split())


def squeeze(normalized: str) -> str:
    """Undo friendly letter stretching: "simmm" -> "sim", "oii" -> "oi", "naoo" -> "nao"."""
    shorter = _LONG_RUN.sub(r"\1", normalized)
    return _DOUBLED_END.sub(r"\1\2", shorter)


def without_politeness(phrase: str) -> str:
    """Drop a leading or trailing "por favor" (and friends) from a normalised phrase."""
    return _POLITE_HEAD.sub("", _POLITE_TAIL.sub("", phrase)).strip()


def clause_key(folded: str) -> str:
    """Normalised, squeezed text where each clause break is kept as a " | " token."""
    marked = _CLAUSE_BREAK.sub(" | ", folded.replace("|", " "))
    words = squeeze(_NON_WORD_KEEP_BAR.sub(" ", marked))
    return _BARS.sub(" | ", words).strip(" |")


@dataclass(frozen=True)
class Prepared:
    """One message in every shape the readers need, computed once."""

    raw: str
    folded: str
    normalized: str
    key: str
    plain: str

    @classmethod
    def of(cls, text: str | None) -> Prepared:
        """Prepare a message: strip it, cut it to MAX_CHARS, fold and normalise it."""
        raw = (text or "").strip()[:MAX_CHARS]
        folded = fold(raw)
        normalized = _NON_WORD.sub(" ", folded).strip()
        key = clause_key(folded)
        plain = squeeze(normalized)
        return cls(raw=raw, folded=folded, normalized=normalized, key=key, plain=plain)


NEGATIONS = frozenset({"nao", "n", "nem", "nunca", "jamais"})


def _negated(key: str, start: int, window: int) -> bool:
    """True when one of the `window` words before `start`, in the same clause, negates."""
    # Words are short: a few dozen characters back always hold `window` words.
    reach = max(key.rfind("|", 0, start) + 1, start - 16 * window)
    return any(word in NEGATIONS for word in key[reach:start].split()[-window:])


def has_unnegated(pattern: re.Pattern[str], key: str, window: int = 3) -> bool:
    """True when `pattern` occurs in `key` at least once without a negation just before it."""
    return any(not _negated(key, m.start(), window) for m in pattern.finditer(key))


def is_refused(folded: str, start: int, end: int) -> bool:
    """True when the words at folded[start:end] are turned down ("hoje não", "não posso às 9")."""
    before = _NEGATION_BEFORE.search(folded, max(0, start - _NEGATION_REACH), start)
    return bool(before or _NEGATION_AFTER.match(folded, end))
