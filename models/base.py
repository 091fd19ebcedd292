"""Column helpers shared by the table modules."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

# Ids are INTEGER columns on PostgreSQL: a larger number is nobody's id.
MAX_ID = 2**31 - 1


def is_id(text: str) -> bool:
    """ASCII digits within INTEGER range ("¹".isdigit() is true too, and int() refuses it)."""
    return text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID


# The zone of a unit that names none, and of figures that name no unit (most Brazilian clinics
# keep it). bot.core.zones is where the rest of the code reads it.
DEFAULT_ZONE = "America/Sao_Paulo"

# Named constraints, so migrations can alter them (SQLite rebuilds tables and needs the names).
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def table_args(*constraints: Any) -> tuple:
    """`__table_args__` of a table whose ids leave the system: never reused, on SQLite too.

    SQLite hands out max(id) + 1 without AUTOINCREMENT, so a deleted row's id would name the next
    row (and its old links, webhooks and audit would follow); PostgreSQL sequences never reuse.
    """
    return (*constraints, {"sqlite_autoincrement": True})


def json_field(default_factory=dict) -> Any:
    """A JSON column (dict or list) with a Python default."""
    return Field(default_factory=default_factory, sa_column=Column(JSON, nullable=False))


def fk(
    target: str, *, index: bool = True, nullable: bool = False, ondelete: str | None = None
) -> Any:
    """A foreign-key integer column."""
    if nullable:
        return Field(default=None, foreign_key=target, index=index, ondelete=ondelete)
    return Field(foreign_key=target, index=index, ondelete=ondelete)
