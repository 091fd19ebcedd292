"""Yes / no answers ("sim", "pode ser", "agora não", 👍, ❌)."""

from __future__ import annotations

import re

from flows.understanding.text import NO_EMOJI, YES_EMOJI, Prepared, without_politeness

# Words that answer "yes" and may lead a longer reply ("sim, pode marcar").
_YES_LEAD = (
    "sim",
    "s",
    "ss",
    "isso",
    "isso mesmo",
    "isso ai",
    "claro",
    "claro que sim",
    "com certeza",
    "confirmo",
    "confirma",
    "confirmar",
    "confirmado",
    "ok",
    "okay",
    "okey",
    "beleza",
    "blz",
    "certo",
    "perfeito",
    "otimo",
    "exato",
    "exatamente",
    "positivo",
    "pode sim",
    "uhum",
    "aham",
    "fechado",
    "combinado",
    "quero sim",
    "yes",
)
# Words that are "yes" only as the whole reply: "pode" also starts "pode me passar o endereço?".
_YES_ALONE = (
    "pode",
    "pode ser",
    "ta",
    "ta bom",
    "ta otimo",
    "tudo bem",
    "tudo certo",
    "bora",
    "vamos",
    "fechou",
    "show",
    "top",
    "pode marcar",
    "pode confirmar",
    "sim pode",
    "quero",
)
_NO_LEAD = (
    "nao",
    "n",
    "nops",
    "nope",
    "negativo",
    "agora nao",
    "acho que nao",
    "melhor nao",
    "claro que nao",
    "de jeito nenhum",
    "nem pensar",
    "nao obrigado",
    "nao obrigada",
)
# "não sei", "não entendi": the patient has not answered yet.
_UNSURE_TAIL = re.compile(
    r"^(?:sei|entendi|lembro|tenho certeza|conheco|sabia|recebi|vi|compreendi|faco ideia)\b"
)
_CONTRAST = frozenset({"nao", "n", "nem", "mas", "porem", "sim", "talvez"})


def _alternation(phrases: tuple[str, ...]) -> str:
    return "|".join(sorted((re.escape(p) for p in phrases), key=len, reverse=True))


_YES_RE = re.compile(rf"^(?:{_alternation(_YES_LEAD)})(?: (?P<tail>.*))?$")
_YES_ALONE_RE = re.compile(rf"^(?:{_alternation(_YES_ALONE + _YES_LEAD)})(?: sim)?$")
_NO_RE = re.compile(rf"^(?:{_alternation(_NO_LEAD)})(?: (?P<tail>.*))?$")
_MAX_TAIL_WORDS = 6


def _tail_ok(tail: str | None, raw: str) -> bool:
    """A reply tail is fine when short, unquestioning and not hedged."""
    if not tail:
        return True
    words = tail.split()
    if "?" in raw or len(words) > _MAX_TAIL_WORDS:
        return False
    return not _CONTRAST.intersection(words)


def _from_words(plain: str, raw: str) -> bool | None:
    message = without_politeness(plain)
    if not message:
        return None
    if _YES_ALONE_RE.match(message):
        return True
    yes = _YES_RE.match(message)
    if yes and _tail_ok(yes.group("tail"), raw):
        return True
    no = _NO_RE.match(message)
    if no:
        tail = no.group("tail") or ""
        if _UNSURE_TAIL.match(tail):
            return None
        if "?" not in raw and len(tail.split()) <= _MAX_TAIL_WORDS and "sim" not in tail.split():
            return False
    return None


def _from_emoji(raw: str) -> bool | None:
    yes = any(mark in raw for mark in YES_EMOJI)
    no = any(mark in raw for mark in NO_EMOJI)
    if yes == no:
        return None
    return yes


def yes_no_of(prepared: Prepared) -> bool | None:
    """True for a yes, False for a no, None when the message is neither (or both)."""
    words = _from_words(prepared.plain, prepared.raw)
    emoji = _from_emoji(prepared.raw)
    if emoji is None:
        return words
    if words is None:
        # An emoji carries the answer only when little else is said ("👍 obrigado").
        return emoji if len(prepared.plain.split()) <= 2 else None
    return words if words == emoji else None
