"""A leaver: the SEN file on what's due, and their SEN history out as a CTF (issue 15).

The written CTF is read back with SENDesk's own importer and must hold exactly the SEN
history the school holds; on both backends.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from sendesk.db import Database
from sendesk.errors import ValidationError
from sendesk.models import AuditEvent, School
from sendesk.reports.ctf_xml import write_ctf
from sendesk.services.actor import Actor
from sendesk.services.due import due_items
from sendesk.services.register.register import change_status
from sendesk.services.transfer.ctf_export import ctf_export_data, record_ctf_sent
from sendesk.services.transfer.ctf_import import parse_ctf_bytes, read_pupil
from sendesk.services.transfer.leavers import add_school_days, record_leaving
from tests.factories import add_test_pupil

TODAY = date(2026, 12, 7)


@pytest.fixture
def leaver(db: Database, senco: Actor) -> int:
    with db.transaction() as s:
        school = s.scalar(select(School))
        assert school is not None
        school.dfe_number = "801/4000"
    pid = add_test_pupil(
        db, senco, 1, provision="K", needs=("SPLD", "SLCN"), since=date(2022, 9, 1)
    )
    change_status(db, senco, pid, "K", ["MLD"], date(2025, 1, 6), "Reassessed", today=TODAY)
    record_leaving(db, senco, pid, date(2026, 12, 4), "Brook High School", "802 4100")
    return pid


def test_fifteen_school_days_are_weekdays() -> None:
    assert add_school_days(date(2026, 12, 4), 15) == date(2026, 12, 25)  # a Friday + 3 weeks
    assert add_school_days(date(2026, 12, 5), 1) == date(2026, 12, 7)  # Saturday -> Monday


def test_the_leaver_is_on_whats_due_until_their_ctf_is_written(
    db: Database, senco: Actor, leaver: int, tmp_path: Path
) -> None:
    [item] = [i for i in due_items(db, senco, today=TODAY) if i.kind == "SEN file"]
    assert (item.pupil_id, item.due, item.severity) == (leaver, date(2026, 12, 25), "soon")
    assert item.text.startswith("Left 04/12/2026 for Brook High School: send the SEN file")

    data = ctf_export_data(db, senco, [item.upn], today=TODAY)
    assert data.dest_dfe == "802/4100"  # the recorded destination, typed with a space
    path = write_ctf(data, tmp_path, now=datetime(2026, 12, 7, 9, 30))
    assert path.name == "8014000_CTF_8024100_001.xml"
    record_ctf_sent(db, senco, data, path, today=TODAY)
    assert not [i for i in due_items(db, senco, today=TODAY) if i.kind == "SEN file"]
    with db.session() as s:
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event is not None and (event.action, event.entity_id) == ("export", leaver)
    assert path.name in event.detail
    # a second file to the same school takes the next sequence number
    assert write_ctf(data, tmp_path).name == "8014000_CTF_8024100_002.xml"


def test_the_written_ctf_reads_back_as_the_history_the_school_holds(
    db: Database, senco: Actor, leaver: int, tmp_path: Path
) -> None:
    data = ctf_export_data(db, senco, [ctf_upn(db, leaver)], today=TODAY)
    path = write_ctf(data, tmp_path)
    root = parse_ctf_bytes(path.read_bytes())
    header = root.find("Header")
    assert header is not None
    assert header.findtext("CTFversion") == "25.0"
    assert header.findtext("DocumentQualifier") == "partial"
    assert header.findtext("SourceSchool/LEA") == "801"
    assert header.findtext("SourceSchool/AcademicYear") == "2026"
    assert header.findtext("DestSchool/Estab") == "4100"
    element = root.find("CTFpupilData/Pupil")
    assert element is not None
    pupil, problems = read_pupil(element, 1)
    assert problems == [] and pupil is not None
    assert [(e.provision, e.start, e.end) for e in pupil.entries] == [
        (e.provision, e.start, e.end) for e in data.pupils[0].entries
    ]
    # a change of needs alone keeps the entry: one K since 2022, the needs as they were
    # when the pupil left
    assert [(e.provision, e.start, e.end) for e in pupil.entries] == [("K", date(2022, 9, 1), None)]
    assert [(n.code, n.rank) for n in pupil.needs] == [("MLD", 1)]
    assert element.findtext("Sex") is not None and element.find("Gender") is None


def ctf_upn(db: Database, pupil_id: int) -> str:
    from sendesk.models import Pupil

    with db.session() as s:
        pupil = s.get(Pupil, pupil_id)
        assert pupil is not None
        return pupil.upn


def test_without_the_schools_dfe_number_or_a_destination_it_says_so(
    db: Database, senco: Actor, tmp_path: Path
) -> None:
    pid = add_test_pupil(db, senco, 2, provision="K", needs=("MLD",))
    upn = ctf_upn(db, pid)
    with pytest.raises(ValidationError, match="The school's DfE number is not set"):
        ctf_export_data(db, senco, [upn], today=TODAY)
    with db.transaction() as s:
        school = s.scalar(select(School))
        assert school is not None
        school.dfe_number = "801/4000"
    with pytest.raises(ValidationError, match="Give the destination school's DfE number"):
        ctf_export_data(db, senco, [upn], today=TODAY)
    with pytest.raises(ValidationError, match="is not a DfE number"):
        record_leaving(db, senco, pid, TODAY, "Brook High", "80/41")
    assert ctf_export_data(db, senco, [upn], dest="802/4100", today=TODAY).dest_dfe == "802/4100"
