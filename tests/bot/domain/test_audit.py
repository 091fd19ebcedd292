"""The audit trail (bot/domain/audit.py): who made a change, and no row when nothing changed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

import models
from bot.domain.audit import Author, record, record_change
from models import Actor, AuditEvent, Clinic

NOW = datetime(2025, 12, 10, 9, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    engine = models.make_engine(database_url)
    with models.new_session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture
def clinic_id(session: Session) -> int:
    clinic = session.exec(select(Clinic).where(Clinic.slug == "clinica-demo")).one()
    assert clinic.id is not None
    return clinic.id


def events(session: Session) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).order_by(AuditEvent.id)))


def test_a_key_is_named_by_its_prefix_and_anyone_else_by_kind_and_reference(
    session: Session, clinic_id: int
) -> None:
    for author in (Author.api_key("agd_live_ab12"), Author(Actor.operator, "7")):
        record(
            session,
            clinic_id=clinic_id,
            by=author,
            at=NOW,
            action="unit.update",
            resource="unit",
            resource_id=3,
            before={"name": "A"},
            after={"name": "B"},
        )
    session.commit()

    key, operator = events(session)
    assert key.key_prefix == "agd_live_ab12"
    assert operator.key_prefix == "operator:7"
    assert (key.resource_id, key.before, key.after) == ("3", {"name": "A"}, {"name": "B"})
    assert key.at == NOW


def test_a_change_that_changed_nothing_or_has_no_author_leaves_no_row(
    session: Session, clinic_id: int
) -> None:
    same = {"name": "A"}
    common = {"clinic_id": clinic_id, "at": NOW, "action": "unit.update", "resource": "unit"}

    assert (
        record_change(
            session, **common, by=Author.api_key("k"), resource_id=1, before=same, after=dict(same)
        )
        is None
    )
    assert record_change(session, **common, by=None, resource_id=1, after=same) is None
    created = record_change(session, **common, by=Author.api_key("k"), resource_id=None, after=same)
    session.commit()

    assert events(session) == [created]
    assert created is not None and created.resource_id == "0"
