"""Which of the offered options ("1 - Unimed", "2 - Bradesco Saúde") the patient picked.

Tiers, first decisive one wins: a bare number, the exact label, whole words or prefixes of
one label, then a fuzzy match that must clear a threshold and beat the runner-up clearly.
When options tie, their indexes are reported as ambiguous: never guess.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from bot.core.folding import normalize
from flows.understanding.text import without_politeness, word_set

_BARE_NUMBER = re.compile(
    r"^(?:(?:a|o)\s+)?(?:(?:opcao|opc|op|numero|num|nro|n|no|item|alternativa)\s*)?"
    r"(\d{1,3})(?:\s*[ao])?(?:\s+(?:opcao|mesmo))?$"
)
_FILLERS = word_set(
    """
    a o as os de da do das dos e eh pelo pela pelos pelas no na nos nas em com para pra pro
    meu minha meus minhas quero queria prefiro escolho vou opcao convenio plano unidade
    servico eu tenho sou uso pode ser mesmo esse essa este esta isso ai la por favor sim ok
    um uma the
    """
)
# Real words with their own meaning: "amanha" is not a typo of the option "Manhã".
_OWN_MEANING = word_set(
    """
    hoje amanha sim nao mais menu voltar cancelar segunda terca quarta quinta sexta sabado
    domingo manha tarde noite semana
    """
)
FUZZY_THRESHOLD = 80.0
FUZZY_MARGIN = 8.0
_MIN_PREFIX = 3
# A reply much longer than every label is a sentence, not a pick ("amanhã às 2").
_EXTRA_WORDS = 2


@dataclass(frozen=True)
class Choice:
    """The outcome of matching a reply against the offered options."""

    index: int | None = None
    ambiguous: tuple[int, ...] = ()
    out_of_range: bool = False


@lru_cache(maxsize=512)
def _labels(options: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Normalised labels with their words, cached because flows repeat the same menus."""
    return tuple((label, tuple(label.split())) for label in map(normalize, options))


def _decide(indexes: Sequence[int]) -> Choice | None:
    if not indexes:
        return None
    if len(indexes) == 1:
        return Choice(index=indexes[0])
    return Choice(ambiguous=tuple(indexes))


def _by_number(message: str, count: int) -> Choice | None:
    m = _BARE_NUMBER.match(message)
    if not m:
        return None
    number = int(m.group(1))
    if 1 <= number <= count:
        return Choice(index=number - 1)
    return Choice(out_of_range=True)


def _meaningful(words: list[str], labels: Sequence[tuple[str, tuple[str, ...]]]) -> list[str]:
    """Drop filler words ("o", "pelo", "convênio") unless some label really contains them."""
    label_words = {word for _, words_ in labels for word in words_}
    return [w for w in words if w not in _FILLERS or w in label_words]


def _covers(words: list[str], label_words: tuple[str, ...], *, prefixes: bool) -> bool:
    """Every word of the reply is a word (or, if allowed, a word's prefix) of the label."""
    for word in words:
        if word in label_words:
            continue
        if not (prefixes and len(word) >= _MIN_PREFIX):
            return False
        if not any(lw.startswith(word) for lw in label_words):
            return False
    return True


def _by_words(words: list[str], labels: Sequence[tuple[str, tuple[str, ...]]]) -> Choice | None:
    for prefixes in (False, True):
        hits = [i for i, (_, lw) in enumerate(labels) if _covers(words, lw, prefixes=prefixes)]
        if hits:
            return _decide(hits)
    return None


def _score(words: list[str], label: str, label_words: tuple[str, ...]) -> float:
    """Similarity of the reply to one label: whole text, or word by word (worst word counts)."""
    whole = fuzz.ratio(" ".join(words), label)
    per_word = min(max(fuzz.ratio(w, lw) for lw in label_words) for w in words)
    return max(whole, per_word)


def _by_fuzz(words: list[str], labels: Sequence[tuple[str, tuple[str, ...]]]) -> Choice | None:
    if sum(len(w) for w in words) < _MIN_PREFIX:
        return None
    label_words = {word for _, words_ in labels for word in words_}
    if any(w in _OWN_MEANING and w not in label_words for w in words):
        return None
    scores = [_score(words, label, lw) if lw else 0.0 for label, lw in labels]
    best = max(scores)
    if best < FUZZY_THRESHOLD:
        return None
    floor = max(best - FUZZY_MARGIN, FUZZY_THRESHOLD - FUZZY_MARGIN)
    return _decide([i for i, score in enumerate(scores) if score >= floor])


def choose(normalized: str, options: Sequence[str]) -> Choice:
    """Match a normalised reply against option labels (see the module docstring)."""
    message = without_politeness(normalized)
    if not options or not message:
        return Choice()
    number = _by_number(message, len(options))
    if number:
        return number
    labels = _labels(tuple(options))
    exact = _decide([i for i, (label, _) in enumerate(labels) if label and label == message])
    if exact:
        return exact
    words = _meaningful(message.split(), labels)
    longest = max(len(label_words) for _, label_words in labels)
    if not words or len(words) > longest + _EXTRA_WORDS:
        return Choice()
    return _by_words(words, labels) or _by_fuzz(words, labels) or Choice()
