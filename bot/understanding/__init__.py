"""Patient text -> intent, command, option, yes/no, day and time, CPF and name (pt-BR, offline).

Public API::

    understand(text, *, options=(), now, tz) -> Understanding
        .intent   one of INTENTS
        .when     DateRange to search slots in (None: no day or time named)
        .at       exact moment named, if any (its whole day is then `.when`)
    valid_cpf(text) -> str | None
    normalize(text) -> str

The `flask understand` command lives in bot.understanding.command (it imports click).
"""

from bot.understanding.core import Understanding, understand
from bot.understanding.cpf import valid_cpf
from bot.understanding.dates import DateRange
from bot.understanding.intents import INTENTS
from bot.understanding.text import normalize

__all__ = ["INTENTS", "DateRange", "Understanding", "normalize", "understand", "valid_cpf"]
