"""Patient text -> intent, command, option choice, yes/no, day, CPF and name (pt-BR, offline).

Public API::

    understand(text, *, options=(), now, tz) -> Understanding
    valid_cpf(text) -> str | None
    normalize(text) -> str
"""

from bot.understanding.core import Understanding, understand
from bot.understanding.cpf import valid_cpf
from bot.understanding.dates import DateRange
from bot.understanding.text import normalize

__all__ = ["DateRange", "Understanding", "normalize", "understand", "valid_cpf"]
