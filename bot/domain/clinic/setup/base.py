"""What every setup change shares: its surroundings, ownership of ids, the errors, field changes,
the links of insurances and professionals, and the audit row.

After working hours, exceptions, a unit's zone (SLOT_FIELDS) or who is active change, the change
runs the one slot generator's `regenerate_slots` (bot.domain.scheduling.generation), which also
reports the slots patients still hold. Never commits: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import delete
from sqlmodel import Session, SQLModel, col, select

from bot.domain import audit
from bot.domain.audit import Author
from bot.domain.scheduling import InvalidRequest, NotFound
from bot.domain.scheduling.generation import Regeneration, regenerate_slots
from models import InsuranceLocation, InsuranceService, ProfessionalService
from models.base import is_id

Row = TypeVar("Row")

# Fields whose change moves slots: a unit's zone shifts its hours; inactive means no new slots.
SLOT_FIELDS = frozenset({"timezone", "active"})
# How integrators and staff call our tables.
NAMES = {"Location": "unit", "HealthInsurance": "insurance", "ScheduleException": "exception"}


class SetupNotFound(NotFound):
    """An id that is not one of the clinic's rows (another clinic's looks the same)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} not found")

    def details(self) -> list[dict[str, Any]]:
        """The detail the API has always answered a missing row with."""
        return [{"code": "not_found", "message": str(self)}]


class SetupInvalid(InvalidRequest):
    """A change the setup rules refuse; `problems` are the error details, each with its path."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        super().__init__(str(problems[0]["message"]))
        self.problems = problems

    def details(self) -> list[dict[str, Any]]:
        """Every problem found, as the REST API's error details."""
        return self.problems


def invalid(code: str, message: str, path: list[str | int]) -> SetupInvalid:
    """One problem with one field."""
    return SetupInvalid([{"code": code, "message": message, "path": path}])


@dataclass(frozen=True)
class Setup:
    """A setup change's surroundings: the session, the clinic, the moment and who makes it."""

    session: Session
    clinic_id: int
    now: datetime
    by: Author | None  # None: no audit row (the demo loading its own catalogue)

    def regenerate(self) -> Regeneration:
        """Make the clinic's future slots match its rules again."""
        return regenerate_slots(self.session, clinic_id=self.clinic_id, now=self.now)

    def audit(self, action: str, row_id: Any, before: Any = None, after: Any = None) -> None:
        """Record the change (`resource` is the action's first word); nothing when it did not."""
        audit.record_change(
            self.session,
            clinic_id=self.clinic_id,
            by=self.by,
            at=self.now,
            action=action,
            resource=action.split(".")[0],
            resource_id=row_id,
            before=before,
            after=after,
        )


@dataclass(frozen=True)
class Changed(Generic[Row]):
    """The row a change made or changed, and what regenerating the slots did (None: not run)."""

    row: Row
    slots: Regeneration | None = None


def name_of(model: Any) -> str:
    """How integrators and staff call a table."""
    return NAMES.get(model.__name__, model.__name__.lower())


def owned(setup: Setup, model: type[Row], row_id: int, what: str) -> Row:
    """The clinic's row with that id, else SetupNotFound."""
    row: Any = setup.session.get(model, row_id)
    if row is None or row.clinic_id != setup.clinic_id:
        raise SetupNotFound(what)
    return row


def parse_ref(value: Any) -> int | None:
    """An id sent as text or number, or None when it is not one (digits within INTEGER range)."""
    text = str(value).strip()
    if not is_id(text):
        return None
    return int(text)


def reference(setup: Setup, model: type[Row], value: Any, *, field: str) -> Row | None:
    """The clinic's row named by a reference (None when absent), else SetupInvalid."""
    if value is None or value == "":
        return None
    row_id = parse_ref(value)
    if row_id is None:
        raise invalid("invalid_id", f"{field} is not a valid id", [field])
    row: Any = setup.session.get(model, row_id)
    if row is None or row.clinic_id != setup.clinic_id:
        raise invalid("unknown_id", f"no such {name_of(model)} in this clinic", [field])
    return row


def references(setup: Setup, model: Any, values: Sequence[Any], *, field: str) -> list[int]:
    """The ids of a list of references, each checked like `reference` (path: [field, index])."""
    ids: list[int] = []
    for index, value in enumerate(values):
        row_id = parse_ref(value)
        if row_id is None:
            raise invalid("invalid_id", "not a valid id", [field, index])
        ids.append(row_id)
    if ids:
        found = set(
            setup.session.exec(
                select(model.id).where(col(model.id).in_(ids), model.clinic_id == setup.clinic_id)
            )
        )
        for index, row_id in enumerate(ids):
            if row_id not in found:
                message = f"no such {name_of(model)} in this clinic"
                raise invalid("unknown_id", message, [field, index])
    return ids


def filled(changes: Mapping[str, Any], nullable: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The changes, refused when they empty a field that cannot be empty."""
    wrong = [name for name, value in changes.items() if value is None and name not in nullable]
    if wrong:
        raise SetupInvalid(
            [
                {"code": "null", "message": f"{name} cannot be null", "path": [name]}
                for name in wrong
            ]
        )
    return dict(changes)


def change(row: SQLModel, changes: Mapping[str, Any]) -> set[str]:
    """Set the given fields on `row`; return the names whose value really changed."""
    changed = set()
    for name, value in changes.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed.add(name)
    return changed


def link_insurance(
    session: Session,
    *,
    insurance_id: int,
    location_ids: Iterable[int] | None,
    service_ids: Iterable[int] | None,
) -> None:
    """Replace the units that accept the insurance and the services it covers (None: keep)."""
    if location_ids is not None:
        session.exec(
            delete(InsuranceLocation).where(col(InsuranceLocation.insurance_id) == insurance_id)
        )
        session.add_all(
            InsuranceLocation(insurance_id=insurance_id, location_id=lid)
            for lid in sorted(set(location_ids))
        )
    if service_ids is not None:
        session.exec(
            delete(InsuranceService).where(col(InsuranceService.insurance_id) == insurance_id)
        )
        session.add_all(
            InsuranceService(insurance_id=insurance_id, service_id=sid)
            for sid in sorted(set(service_ids))
        )
    session.flush()


def link_services(session: Session, *, professional_id: int, service_ids: Iterable[int]) -> None:
    """Replace the services a professional offers."""
    session.exec(
        delete(ProfessionalService).where(
            col(ProfessionalService.professional_id) == professional_id
        )
    )
    session.add_all(
        ProfessionalService(professional_id=professional_id, service_id=sid)
        for sid in sorted(set(service_ids))
    )
    session.flush()
