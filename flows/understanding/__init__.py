"""Patient text -> intent, command, option, yes/no, day and time, CPF and name (pt-BR, offline).

Public API::

    understand(text, *, options=(), now, tz) -> Understanding
        .intent   one of INTENTS
        .when     DateRange to search slots in (None: no day or time named)
        .at       exact moment named, if any (its whole day is then `.when`)
    valid_cpf(text) -> str | None
    normalize(text) -> str

The `flask understand` command lives in bot.cli.understand.
"""

from bot.brazil.cpf import valid_cpf
from bot.core.folding import normalize
from flows.understanding.core import Understanding, understand
from flows.understanding.dates import DateRange
from flows.understanding.intents import INTENTS

__all__ = ["INTENTS", "DateRange", "Understanding", "normalize", "understand", "valid_cpf"]
