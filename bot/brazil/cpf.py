"""CPF (Brazilian taxpayer id): check digits, and finding one inside a message."""

from __future__ import annotations

import re

_FORMATTING = re.compile(r"[\s.\-/]")
_ELEVEN_DIGITS = re.compile(r"[0-9]{11}")
# Formatted (529.982.247-25) or bare (52998224725), not part of a longer number.
_CPF_SHAPE = re.compile(
    r"(?<![0-9.\-])(?:[0-9]{3}\.[0-9]{3}\.[0-9]{3}-[0-9]{2}|[0-9]{11})(?![0-9]|[.\-][0-9])"
)
# Eleven bare digits after "telefone"/"whats" are a mobile number (DDD + 9 + 8 digits).
_PHONE_CUE = re.compile(r"\b(?:telefone|tel|celular|cel|whats|whatsapp|zap|fone|contato)\b")
# "meu número é ..." is most often a phone, but may introduce a CPF when it is asked for.
_NUMBER_CUE = re.compile(r"\b(?:numero|nro|num)\b")
_CPF_CUE = re.compile(r"\bcpf\b")


def _check_digit(digits: str) -> str:
    weights = range(len(digits) + 1, 1, -1)
    total = sum(int(d) * w for d, w in zip(digits, weights, strict=True))
    return str(total * 10 % 11 % 10)


def valid_cpf(text: str) -> str | None:
    """The 11 bare digits of `text` if it is a CPF with valid check digits, else None."""
    digits = _FORMATTING.sub("", text or "")
    if not _ELEVEN_DIGITS.fullmatch(digits) or len(set(digits)) == 1:
        return None
    base = digits[:9]
    first = _check_digit(base)
    second = _check_digit(base + first)
    return digits if digits[9:] == first + second else None


def find_cpf(normalized: str, folded: str) -> tuple[str | None, bool]:
    """(a valid CPF found in the message, whether a CPF-shaped number failed its check)."""
    shapes = [m.group(0) for m in _CPF_SHAPE.finditer(folded)]
    if not shapes:
        return None, False
    if not _CPF_CUE.search(normalized):
        if _PHONE_CUE.search(normalized):
            shapes = [shape for shape in shapes if not shape.isdigit()]
        elif _NUMBER_CUE.search(normalized):
            shapes = [shape for shape in shapes if not shape.isdigit() or valid_cpf(shape)]
    for shape in shapes:
        digits = valid_cpf(shape)
        if digits:
            return digits, False
    return None, bool(shapes)
