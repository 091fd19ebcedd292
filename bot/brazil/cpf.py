"""CPF (Brazilian taxpayer id): its typed and formatted shapes, check digits, and finding one
inside a message. The one copy of these rules: the API documents CPF_PATTERN, the patient
records, the lookup and the chat use the functions below."""

from __future__ import annotations

import re

_GROUP = "[0-9]{3}"
_CHECK = "[0-9]{2}"
_FORMATTED = rf"{_GROUP}\.{_GROUP}\.{_GROUP}-{_CHECK}"
# As people type it: bare, or with the dots between the groups and the dash before the check
# digits (a space may stand for either, a slash for the dash), spaces around. Dots anywhere else
# (5299.822.47-25) are no CPF. The REST API documents this expression.
CPF_PATTERN = rf"^\s*{_GROUP}[. ]?{_GROUP}[. ]?{_GROUP}[-/ ]?{_CHECK}\s*$"
# The form we show: 529.982.247-25.
FORMATTED_CPF = re.compile(rf"^{_FORMATTED}$")
_TYPED = re.compile(CPF_PATTERN)
_NOT_DIGIT = re.compile("[^0-9]")
# Inside a message: formatted or bare, not part of a longer number.
# Any shape CPF_PATTERN takes (spaces may stand for the dots and the dash: "529 982 247 25").
_CPF_IN_TEXT = re.compile(
    rf"(?<![0-9.\-])(?:{_GROUP}[. ]?{_GROUP}[. ]?{_GROUP}[-/ ]?{_CHECK})(?![0-9]|[.\-/ ][0-9])"
)
# Eleven bare digits after "telefone"/"whats" are a mobile number (DDD + 9 + 8 digits).
_PHONE_CUE = re.compile(r"\b(?:telefone|tel|celular|cel|whats|whatsapp|zap|fone|contato)\b")
# "meu número é ..." is most often a phone, but may introduce a CPF when it is asked for.
_NUMBER_CUE = re.compile(r"\b(?:numero|nro|num)\b")
_CPF_CUE = re.compile(r"\bcpf\b")


def cpf_digits(text: str | None) -> str | None:
    """The 11 digits of a CPF typed bare or formatted ('529.982.247-25'); no check-digit test."""
    if not text or _TYPED.fullmatch(text) is None:
        return None
    return _NOT_DIGIT.sub("", text)


def _check_digit(digits: str) -> str:
    weights = range(len(digits) + 1, 1, -1)
    total = sum(int(d) * w for d, w in zip(digits, weights, strict=True))
    return str(total * 10 % 11 % 10)


def check_digits(base: str) -> str:
    """The two check digits of a CPF's first nine digits ('529982247' -> '25')."""
    first = _check_digit(base)
    return first + _check_digit(base + first)


def valid_cpf(text: str | None) -> str | None:
    """The 11 bare digits of `text` if it is a CPF with valid check digits, else None."""
    digits = cpf_digits(text)
    # One digit repeated eleven times passes the check digits, and is nobody's CPF.
    if digits is None or len(set(digits)) == 1:
        return None
    return digits if digits[9:] == check_digits(digits[:9]) else None


def format_cpf(cpf: str | None) -> str | None:
    """'52998224725' -> '529.982.247-25'; anything that is not 11 digits is returned as given."""
    if not cpf or len(cpf) != 11 or _NOT_DIGIT.search(cpf):
        return cpf
    return f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"


def find_cpf(normalized: str, folded: str) -> tuple[str | None, bool]:
    """(a valid CPF found in the message, whether a CPF-shaped number failed its check)."""
    shapes = [m.group(0) for m in _CPF_IN_TEXT.finditer(folded)]
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


_CPF_WORD = re.compile(
    r"\b(?:e\s+)?(?:o\s+)?(?:meu\s+)?cpf\b\s*(?:e\b|é|eh\b)?\s*:?", re.IGNORECASE
)
# Eleven digits, each perhaps followed by one separator: how people type a CPF (or a phone).
_ELEVEN_DIGITS = re.compile(r"(?<![0-9])(?:[0-9][\s.\-/]?){10}[0-9](?![0-9])")


def without_cpf(text: str) -> str:
    """The text with any CPF in it (and the word "CPF" before it) taken out: what else was said
    ("Maria Silva, CPF 529.982.247-25" -> "Maria Silva")."""
    rest = _ELEVEN_DIGITS.sub(lambda m: " " if valid_cpf(m.group(0)) else m.group(0), text)
    rest = _CPF_WORD.sub(" ", rest)
    return " ".join(rest.replace(",", " ").replace(";", " ").split()).strip(" -:")
