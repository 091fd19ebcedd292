"""Parameters several resources share: YYYY-MM-DD dates, date ranges, references to rows."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar

from pydantic import Field
from sqlmodel import Session, col, select

from bot.api.common import optional_id
from bot.api.errors import ApiError
from bot.domain.clinic.setup.base import name_of
from models.base import is_id

Row = TypeVar("Row")
# How integrators call our tables.

# Far enough for any schedule, near enough that adding a year never leaves datetime's range.
EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 12, 31)
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def day_field(description: str) -> object:
    """A query field holding a YYYY-MM-DD date (checked by `parse_day`, not by pydantic)."""
    return Field(None, max_length=10, description=description, json_schema_extra={"format": "date"})


def _detail(code: str, message: str, field: str) -> list[dict[str, object]]:
    return [{"code": code, "message": message, "path": [field]}]


def parse_day(value: str | None, field: str) -> date | None:
    """A YYYY-MM-DD string as a date; anything else is INVALID_DATE_FORMAT naming the field."""
    if value is None or value == "":
        return None
    try:
        if not _DAY.fullmatch(value):
            raise ValueError(value)
        day = date.fromisoformat(value)
    except ValueError:
        raise ApiError(
            "INVALID_DATE_FORMAT",
            details=_detail("invalid_date", f"{field} must be a date as YYYY-MM-DD", field),
        ) from None
    if not EARLIEST <= day <= LATEST:
        raise ApiError(
            "INVALID_PARAMETER",
            details=_detail("out_of_range", f"{field} must be between 1900 and 2200", field),
        )
    return day


def require_day(value: str | None, field: str) -> date:
    """Like parse_day, but a missing value is MISSING_REQUIRED_FIELD."""
    day = parse_day(value, field)
    if day is None:
        raise ApiError(
            "MISSING_REQUIRED_FIELD", details=_detail("missing", f"{field} is required", field)
        )
    return day


def check_range(
    first: date, last: date, *, max_days: int, fields: tuple[str, str] = ("date_from", "date_to")
) -> None:
    """`last` on or after `first` (INVALID_PARAMETER) and at most `max_days` after it."""
    if last < first:
        raise ApiError(
            "INVALID_PARAMETER",
            details=_detail(
                "range_reversed", f"{fields[1]} must not be before {fields[0]}", fields[1]
            ),
        )
    if (last - first).days > max_days:
        raise ApiError(
            "DATE_RANGE_TOO_LARGE",
            details=_detail(
                "range_too_large",
                f"{fields[1]} may be at most {max_days} days after {fields[0]}",
                fields[1],
            ),
        )


def invalid_reference(field: str | list[str | int], what: str) -> ApiError:
    """400 for an id that is not one of the clinic's rows (another clinic's looks the same)."""
    path = field if isinstance(field, list) else [field]
    return ApiError(
        "INVALID_PARAMETER",
        details=[{"code": "unknown_id", "message": f"no such {what} in this clinic", "path": path}],
    )


def reference(
    session: Session, model: type[Row], value: str | None, *, field: str, clinic_id: int
) -> Row | None:
    """The clinic's row named by an id in a body or filter (None when absent), else a 400."""
    row_id = optional_id(value, field)
    if row_id is None:
        return None
    row: Any = session.get(model, row_id)
    if row is None or row.clinic_id != clinic_id:
        raise invalid_reference(field, name_of(model))
    return row


def references(
    session: Session, model: Any, values: Sequence[str], *, field: str, clinic_id: int
) -> list[int]:
    """The ids of a list of references, each checked like `reference` (path: [field, index])."""
    ids: list[int] = []
    for index, value in enumerate(values):
        text = str(value).strip()
        if not is_id(text):
            raise ApiError(
                "INVALID_PARAMETER",
                details=[
                    {"code": "invalid_id", "message": "not a valid id", "path": [field, index]}
                ],
            )
        ids.append(int(text))
    if ids:
        found = set(
            session.exec(
                select(model.id).where(col(model.id).in_(ids), model.clinic_id == clinic_id)
            )
        )
        for index, row_id in enumerate(ids):
            if row_id not in found:
                raise invalid_reference([field, index], name_of(model))
    return ids
