"""Importing SEN history from a Common Transfer File (issue 15), on both backends.

The CTFs are written here, in both layouts ctf.md describes, with every fault the issue
names; what is checked is what the SENCo then sees in the pupil's register history.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sendesk.db import Database
from sendesk.errors import PermissionDeniedError, ValidationError
from sendesk.models import AuditEvent, Role
from sendesk.rules.upn import make
from sendesk.services.actor import Actor
from sendesk.services.register.pupil_record import get_record
from sendesk.services.transfer.ctf_import import ctf_problems, import_ctf
from tests.factories import add_test_pupil, make_user, works_with

HERE_SINCE = date(2024, 9, 1)


def sen(start: str, provision: str, end: str | None = None) -> str:
    ended = f"<EndDate>{end}</EndDate>" if end else ""
    return (
        f"<SEN><StartDate>{start}</StartDate>{ended}<SENprovision>{provision}</SENprovision></SEN>"
    )


def need(code: str, rank: int | str, start: str | None = None) -> str:
    dated = f"<NeedStartDate>{start}</NeedStartDate>" if start else ""
    # the rank first, as the census writes it: read by name, never by position
    return f"<SENneed><SENtypeRank>{rank}</SENtypeRank><SENtype>{code}</SENtype>{dated}</SENneed>"


def pupil_xml(upn: str, *, history: str = "", former: str = "", sex: str = "Sex") -> str:
    basic = f"<BasicDetails><FormerUPN>{former}</FormerUPN></BasicDetails>" if former else ""
    return (
        f"<Pupil><UPN>{upn}</UPN><Surname>PUPIL</Surname><Forename>TEST</Forename>"
        f"<DOB>2012-01-01</DOB><{sex}>F</{sex}>{basic}"
        f"<SENhistory>{history}</SENhistory></Pupil>"
    )


def ctf(*pupils: str, version_tag: str = "CTFversion", namespace: str = "") -> bytes:
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><CTfile{xmlns}><Header>'
        "<DocumentName>Common Transfer File</DocumentName>"
        f"<{version_tag}>25.0</{version_tag}><DateTime>2026-07-20T10:00:00</DateTime>"
        "<DocumentQualifier>partial</DocumentQualifier>"
        "<SourceSchool><LEA>801</LEA><Estab>2001</Estab><SchoolName>Hill Primary</SchoolName>"
        "<AcademicYear>2025</AcademicYear></SourceSchool>"
        "<DestSchool><LEA>801</LEA><Estab>4000</Estab></DestSchool></Header>"
        f"<CTFpupilData>{''.join(pupils)}</CTFpupilData></CTfile>"
    ).encode()


def write(tmp_path: Path, data: bytes, name: str = "8012001_CTF_8014000_001.xml") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.fixture
def pupil(db: Database, senco: Actor) -> int:
    return add_test_pupil(db, senco, 1, since=HERE_SINCE, forename="Zoë")


def upn_of(serial: int) -> str:
    return make(801, 2000, 24, serial)


def status_lines(db: Database, senco: Actor, pupil_id: int) -> list[tuple[date, str, str]]:
    record = get_record(db, senco, pupil_id)
    return sorted((h.on, h.after, h.reason or "") for h in record.history if h.kind == "status")


def events(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count(AuditEvent.id))) or 0


def test_history_arrives_before_this_schools_own(db, senco, pupil, tmp_path) -> None:
    data = ctf(
        pupil_xml(
            upn_of(1),
            history=sen("2021-09-01", "K", "2023-07-20")
            + sen("2023-07-21", "E")  # still open when the pupil left
            + f"<SENneeds>{need('SLCN', 2)}{need('SPLD', 1)}</SENneeds>",
        )
    )
    report = import_ctf(db, senco, write(tmp_path, data))
    assert (report.matched, report.pupils_changed, report.entries_added, report.needs_added) == (
        1,
        1,
        2,
        2,
    )
    assert report.source_school == "Hill Primary" and report.written
    lines = status_lines(db, senco, pupil)
    assert lines[:2] == [
        (date(2021, 9, 1), "SEN support (K)", "from Hill Primary (CTF)"),
        (date(2023, 7, 21), "Education, health and care plan (E)", "from Hill Primary (CTF)"),
    ]
    # this school's own first entry is untouched, and the CTF's open entry ended before it
    assert lines[2][0] == HERE_SINCE and "CTF" not in lines[2][2]
    needs = [h for h in get_record(db, senco, pupil).history if h.kind == "needs"]
    assert any("SPLD" in h.after and "SLCN" in h.after for h in needs)
    current = get_record(db, senco, pupil)
    assert current.provision == "N"  # today's status is this school's, not the CTF's


def test_importing_the_same_file_again_changes_nothing(db, senco, pupil, tmp_path) -> None:
    path = write(
        tmp_path,
        ctf(
            pupil_xml(
                upn_of(1), history=sen("2022-01-10", "K") + f"<SENneeds>{need('MLD', 1)}</SENneeds>"
            )
        ),
    )
    import_ctf(db, senco, path)
    before = (status_lines(db, senco, pupil), events(db))
    again = import_ctf(db, senco, path)
    assert (again.pupils_changed, again.entries_added, again.needs_added) == (0, 0, 0)
    assert (status_lines(db, senco, pupil), events(db)) == before


def test_the_other_layout_sex_a_namespace_and_the_former_upn(db, senco, pupil, tmp_path) -> None:
    data = ctf(
        pupil_xml(
            upn_of(99),  # a new UPN at the old school; ours is its former one
            former=upn_of(1),
            history=sen("2020-09-01", "K")
            + "<SENneeds>"
            + need("ASD", 1, "2020-09-01")
            + need("SLCN", "2", "2021-01-04")
            + "</SENneeds>",
        ),
        version_tag="CTFVersion",
        namespace="urn:example:ctf",
    )
    report = import_ctf(db, senco, write(tmp_path, data))
    assert (report.matched, report.entries_added, report.needs_added) == (1, 1, 2)
    assert any("CTFVersion" in n for n in report.notes)
    assert status_lines(db, senco, pupil)[0] == (
        date(2020, 9, 1),
        "SEN support (K)",
        "from Hill Primary (CTF)",
    )


FAULTS = [
    (
        make(801, 2000, 24, 1).replace(make(801, 2000, 24, 1)[0], "Z", 1),
        sen("2021-09-01", "K"),
        "UPN check letter",
    ),
    (upn_of(1), sen("2021-09-01", "K", "2021-01-01"), "EndDate 01/01/2021 is before StartDate"),
    (upn_of(1), sen("2021-09-01", "K") + sen("2022-09-01", "E"), "two open entries"),
    (
        upn_of(1),
        sen("2021-09-01", "K") + f"<SENneeds>{need('MLD', 1)}{need('SPLD', 1)}</SENneeds>",
        "SENtypeRank 1 appears twice",
    ),
    (
        upn_of(1),
        sen("2021-09-01", "K") + f"<SENneeds>{need('XYZ', 1)}</SENneeds>",
        "unknown type-of-need code 'XYZ'",
    ),
    (upn_of(1), sen("2021-02-30", "K"), "StartDate '2021-02-30' is not a real date"),
    (upn_of(1), sen("2021-09-01", "Q"), "unknown SEN provision code 'Q'"),
    (
        upn_of(1),
        sen("2021-09-01", "K") + f"<SENneeds>{need('MLD', 2)}</SENneeds>",
        "no primary need",
    ),
]


@pytest.mark.parametrize(("upn", "history", "words"), FAULTS)
def test_every_fault_is_one_sentence_naming_the_pupil_and_nothing_is_written(
    db, senco, pupil, tmp_path, upn, history, words
) -> None:
    path = write(tmp_path, ctf(pupil_xml(upn, history=history)))
    before = (status_lines(db, senco, pupil), events(db))
    with pytest.raises(ValidationError) as refused:
        import_ctf(db, senco, path)
    text = str(refused.value)
    assert words in text and "pupil 1 (" in text and text.startswith(path.name)
    assert (status_lines(db, senco, pupil), events(db)) == before


def test_skip_invalid_imports_the_rest_and_lists_what_it_left_out(
    db, senco, pupil, tmp_path
) -> None:
    other = add_test_pupil(db, senco, 2, since=HERE_SINCE)
    data = ctf(
        pupil_xml(upn_of(1), history=sen("2021-09-01", "K", "2021-01-01")),
        pupil_xml(
            upn_of(2), history=sen("2021-09-01", "K") + f"<SENneeds>{need('MLD', 1)}</SENneeds>"
        ),
        pupil_xml(upn_of(3), history=sen("2021-09-01", "K")),  # not on roll here
    )
    report = import_ctf(db, senco, write(tmp_path, data), skip_invalid=True)
    assert report.written and (report.matched, report.pupils_changed) == (1, 1)
    assert report.not_on_roll == [upn_of(3)]
    assert len(report.problems) == 1 and upn_of(1) in report.problems[0]
    assert status_lines(db, senco, other)[0][2] == "from Hill Primary (CTF)"
    assert all("CTF" not in reason for _, _, reason in status_lines(db, senco, pupil))
    assert any(line.startswith("Not on roll here") for line in report.lines())


def test_hostile_and_wrong_files_are_refused_in_a_sentence(db, senco, tmp_path) -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE CTfile [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;">]><CTfile>&b;</CTfile>'
    )
    with pytest.raises(ValidationError, match="declares a DTD or entities"):
        import_ctf(db, senco, write(tmp_path, bomb))
    with pytest.raises(ValidationError, match="is not well-formed XML"):
        import_ctf(db, senco, write(tmp_path, b"<CTfile><Header>"))
    with pytest.raises(ValidationError, match="is not a CTF"):
        import_ctf(db, senco, write(tmp_path, b"<ATfile/>"))
    assert ctf_problems(ctf(pupil_xml(upn_of(1), history=sen("2021-09-01", "K")))) == []


def test_only_the_senco_imports(db, senco, pupil, tmp_path) -> None:
    teacher = make_user(db, "t", Role.TEACHER, "T")
    works_with(db, teacher, pupil)
    path = write(tmp_path, ctf(pupil_xml(upn_of(1), history=sen("2021-09-01", "K"))))
    with pytest.raises(
        PermissionDeniedError, match="cannot import and export Common Transfer Files"
    ):
        import_ctf(db, teacher, path)


def test_a_new_arrival_with_sen_history_is_on_the_sencos_whats_due(db, senco, tmp_path) -> None:
    from sendesk.services.due import due_items
    from sendesk.services.graduated.support_plans import OutcomeDraft, PlanDraft, create_plan

    arrived = date(2026, 11, 2)
    pid = add_test_pupil(db, senco, 5, since=arrived, admission_date=arrived)
    path = write(
        tmp_path,
        ctf(
            pupil_xml(
                upn_of(5),
                history=sen("2022-09-01", "K") + f"<SENneeds>{need('SPLD', 1)}</SENneeds>",
            )
        ),
    )
    import_ctf(db, senco, path)
    today = date(2026, 12, 7)
    [item] = [i for i in due_items(db, senco, today=today) if i.kind == "arrival review"]
    assert (item.pupil_id, item.due, item.severity) == (pid, date(2026, 12, 14), "soon")
    assert item.text == (
        "Arrived 02/11/2026 with SEN history from Hill Primary: review the previous "
        "school's provision within the first half term"
    )
    teacher = make_user(db, "t", Role.TEACHER, "T")
    works_with(db, teacher, pid)
    assert not [i for i in due_items(db, teacher, today=today) if i.kind == "arrival review"]
    area = "Cognition and learning"
    create_plan(
        db,
        senco,
        pid,
        PlanDraft(
            start_date=date(2026, 12, 1),
            review_due=date(2027, 2, 1),
            assessment="Reviewed Hill Primary's provision",
            outcomes=(OutcomeDraft("Reads 40 words", area), OutcomeDraft("Spells 20 words", area)),
        ),
    )
    assert not [i for i in due_items(db, senco, today=today) if i.kind == "arrival review"]
