"""The text catalogue: every sentence the bot says, per language, with clinic overrides."""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

CATALOGUE_DIR = Path(__file__).parent


@cache
def catalogue(language: str = "pt_BR") -> Mapping[str, str]:
    """The built-in texts of one language."""
    with (CATALOGUE_DIR / f"{language}.toml").open("rb") as file:
        return tomllib.load(file)


class Texts:
    """Looks sentences up: the clinic's override first, then the catalogue."""

    def __init__(self, overrides: Mapping[str, str] | None = None, language: str = "pt_BR") -> None:
        self.defaults = catalogue(language)
        self.overrides = dict(overrides or {})

    def __call__(self, key: str, /, **values: object) -> str:
        """The sentence `key` with its placeholders filled."""
        override = self.overrides.get(key)
        if override is not None:
            try:
                return override.format(**values)
            except (KeyError, IndexError, ValueError):
                log.error("text override %r has a bad placeholder; using the default", key)
        return self.defaults[key].format(**values)

    def date(self, moment: datetime) -> str:
        """A day the Brazilian way: "qui, 11/12"."""
        weekday = self(f"weekday_{moment.weekday()}")
        return self("date_format", weekday=weekday, day=moment.day, month=moment.month)

    def datetime(self, moment: datetime) -> str:
        """A moment the Brazilian way: "qui, 11/12 às 14:00" (already in the unit's zone)."""
        return self("datetime_format", date=self.date(moment), time=moment.strftime("%H:%M"))
