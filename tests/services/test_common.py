"""The services' shared steps (services/common.py): the sentences users read when a save
is refused, a record has gone, or someone else saved first."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from sendesk.db import Database
from sendesk.errors import ConflictError, NotFoundError, ValidationError
from sendesk.models import AuditEvent, LaProfile, School
from sendesk.services import common
from sendesk.services.actor import Actor
from sendesk.services.store.audit import AuditWriter


def test_problems_read_as_one_sentence_with_one_full_stop() -> None:
    assert common.sentence(["the name is empty", "the date is in the future"]) == (
        "The name is empty; the date is in the future."
    )
    assert common.sentence(["The UPN is not valid."]) == "The UPN is not valid."
    with pytest.raises(ValidationError, match=r"^The name is empty\.$"):
        common.refuse(["the name is empty"])
    common.refuse([])  # nothing to say: no refusal


def test_a_version_other_than_the_one_opened_is_a_conflict_in_the_services_words() -> None:
    common.check_version(3, 3, "Someone else changed it.")
    with pytest.raises(ConflictError, match=r"^Someone else changed it\.$"):
        common.check_version(4, 3, "Someone else changed it.")
    with pytest.raises(ConflictError):
        common.check_version(4, None, "Someone else changed it.")
    common.check_version(
        4, None, "Someone else changed it.", optional=True
    )  # the caller asked for no check


def test_a_missing_row_is_gone_or_not_found_and_names_no_one(db: Database) -> None:
    with db.session() as s:
        school_id = s.scalar(select(School.id))
        assert school_id is not None
        assert common.get_or_gone(s, School, school_id, "gone").id == school_id
        with pytest.raises(ConflictError, match=r"^That school has been removed\.$"):
            common.get_or_gone(s, School, school_id + 99, "That school has been removed.")
        with pytest.raises(NotFoundError, match=f"^{re.escape(common.NO_PUPIL)}$"):
            common.pupil_or_gone(s, 12345)
        common.flush_or_conflict(s, "Someone else changed it.")  # nothing stale: no error


@dataclass(frozen=True)
class _Item:
    id: int
    name: str
    note: str
    shown: str = "default"


class _Row:
    id = 7
    name = "Ann"
    note = None


def test_an_item_is_filled_from_a_row_by_its_own_fields() -> None:
    """Every field the row holds is copied, ``given`` fills or overrides the rest, a field
    nobody gives fails loudly rather than taking its default, and a misspelt ``given`` is
    refused rather than ignored."""
    item = common.data_of(_Row(), _Item, note=_Row.note or "", shown="computed")
    assert item == _Item(7, "Ann", "", "computed")
    with pytest.raises(AttributeError, match="shown"):
        common.data_of(_Row(), _Item, note="")
    with pytest.raises(TypeError, match="_Item has no field nmae"):
        common.data_of(_Row(), _Item, note="", shown="", nmae="x")


def test_a_text_is_tidied_and_its_problem_said_in_the_forms_words() -> None:
    problems: list[str] = []
    assert common.checked_text("  Dr   Ann\n Lee ", 10, "the name is", problems) == "Dr Ann Lee"
    assert common.checked_text(" one\n\ntwo ", 10, "the notes are", problems, lines=True) == (
        "one\n\ntwo"
    )
    assert problems == []
    common.checked_text(" ", 10, "the agency's name is", problems, missing="the agency is missing")
    common.checked_text("x" * 1_001, 1_000, "the notes are", problems, lines=True)
    assert problems == [
        "the agency is missing",
        "the notes are longer than 1,000 characters",
    ]


def test_a_row_is_added_changed_and_removed_each_with_one_audit_event(
    db: Database, senco: Actor
) -> None:
    """A save that changes nothing writes nothing and keeps the version; one that does
    lists the changed fields beside the caller's detail."""
    with db.transaction() as s:
        audit = AuditWriter(s, senco)
        row = LaProfile(name="Northshire")
        profile_id = common.add_audited(s, audit, row, "la_profile", {"name": "Northshire"})
        assert profile_id == row.id
        version = row.version
        unchanged = {"name": "Northshire"}
        assert common.save_changes(s, audit, row, unchanged, "Stale.", "la_profile", {}) == []
        assert row.version == version
        changes = {"name": "Southshire", "weeks_per_year": 39}
        fields = common.save_changes(s, audit, row, changes, "Stale.", "la_profile", {"by": "x"})
        assert fields == ["name", "weeks_per_year"]
        assert row.version == version + 1
        common.remove_audited(s, audit, row, "Stale.", "la_profile", {"name": "Southshire"})
        assert s.get(LaProfile, profile_id) is None
    with db.session() as s:
        events = s.execute(
            select(AuditEvent.action, AuditEvent.detail)
            .where(AuditEvent.entity == "la_profile", AuditEvent.entity_id == profile_id)
            .order_by(AuditEvent.id)
        ).all()
    assert [action for action, _ in events] == ["create", "update", "delete"]
    update = json.loads(events[1].detail)
    assert (update["by"], update["fields"]) == ("x", ["name", "weeks_per_year"])
