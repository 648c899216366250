"""Teaching groups: the class-list import (all or nothing, line-numbered) and groups by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sendesk.db import Database
from sendesk.errors import ConflictError, PermissionDeniedError, ValidationError
from sendesk.models import AuditEvent, Role
from sendesk.rules.upn import make
from sendesk.services.actor import Actor
from sendesk.services.staff.teaching_groups import (
    MANUAL,
    MIS,
    ClassRow,
    GroupData,
    import_classes,
    list_groups,
    parse_class_map,
    record_class_list,
    remove_group,
    save_group,
    teachers,
)
from sendesk.services.store.audit import AuditWriter, chain_problems
from tests.factories import add_test_pupil, make_user

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def school(db: Database, senco: Actor) -> dict[str, int]:
    """Six pupils (serials 1-6) and two teachers with accounts: Ada Teach and J Smith."""
    ids = {
        make(801, 2000, 24, n): add_test_pupil(db, senco, n, surname=f"Pupil{n}", year=10)
        for n in range(1, 7)
    }
    make_user(db, "ateach", Role.TEACHER, "Ada Teach")
    make_user(db, "jsmith", Role.TEACHER, "John Smith")
    return ids


def by_code(db: Database, actor: Actor) -> dict[str, object]:
    return {g.code: g for g in list_groups(db, actor)}


def test_import_creates_groups_links_teachers_and_reports(
    db: Database, senco: Actor, school: dict[str, int]
) -> None:
    report = import_classes(db, senco, DATA / "class-list-sims.csv")
    text = report.format()
    assert report.written, text
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert report.members == 7  # the repeated row counts once
    assert "Class-list import from class-list-sims.csv: 8 rows read, 3 classes." in text
    assert (
        "Columns read: Class → class code; Subject → subject; Teacher → teacher; UPN → UPN." in text
    )
    assert "Columns not used: Legal Surname, Legal Forename." in text
    assert "line 7: UPN C801200024004 is already in class 10X/En1 on line 6: read once." in text
    assert "Imported: 3 new, 0 updated and 0 unchanged classes; 7 pupil places" in text
    assert "Mr No Account" in text and report.unmatched_teachers == ["Mr No Account"]

    groups = by_code(db, senco)
    maths, english, science = groups["10X/Ma1"], groups["10X/En1"], groups["10Y/Sc2"]
    # "ada teach" matches the display name and "JSMITH" the username, whatever the case.
    assert maths.teacher == "Ada Teach" and maths.teacher_name == "ada teach"
    assert english.teacher == "John Smith" and english.teacher_id is not None
    assert science.teacher_id is None and science.teacher == "Mr No Account"
    assert {maths.source, english.source, science.source} == {MIS}
    upn = {v: k for k, v in school.items()}
    assert {upn[p] for p in maths.pupil_ids} == {
        "K801200024001",
        "Z801200024002",
        "N801200024003",
    }
    assert {upn[p] for p in english.pupil_ids} == {"K801200024001", "C801200024004"}
    with db.session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.entity == "teaching_group")).all()
        assert [e.action for e in events] == ["import"]
        assert list(chain_problems(s)) == []


def test_same_file_twice_changes_nothing(
    db: Database, senco: Actor, school: dict[str, int]
) -> None:
    import_classes(db, senco, DATA / "class-list-sims.csv")
    before = {g.code: g.version for g in list_groups(db, senco)}
    report = import_classes(db, senco, DATA / "class-list-sims.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert {g.code: g.version for g in list_groups(db, senco)} == before
    with db.session() as s:
        assert (
            s.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "import")
            )
            == 1
        )


def test_a_later_export_replaces_members_and_leaves_hand_made_groups(
    db: Database, senco: Actor, school: dict[str, int]
) -> None:
    import_classes(db, senco, DATA / "class-list-sims.csv")
    # A group the SENCo made by hand whose code the later file also uses (in other case).
    english = by_code(db, senco)["10X/En1"]
    remove_group(db, senco, english.id, english.version)
    hand = save_group(
        db, senco, None, None, GroupData("10x/en1", "English", "Cover teacher", None, ())
    )
    report = import_classes(db, senco, DATA / "class-list-updated.csv")
    text = report.format()
    assert report.written, text
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    assert (report.members_added, report.members_removed) == (1, 1)
    assert "Left as they are (set by hand in SENDesk, not from the MIS): 10x/en1." in text
    groups = by_code(db, senco)
    upn = {v: k for k, v in school.items()}
    assert {upn[p] for p in groups["10X/Ma1"].pupil_ids} == {
        "K801200024001",
        "Z801200024002",
        "F801200024006",
    }
    assert groups["10x/en1"].id == hand and groups["10x/en1"].pupil_ids == ()
    assert groups["10x/en1"].source == MANUAL
    assert "10Y/Sc2" in groups  # not in the later file: left alone
    assert groups["10X/Ma1"].version > 1  # its members changed: a screen holding it is told


def test_a_bad_file_writes_nothing_and_names_every_line(
    db: Database, senco: Actor, school: dict[str, int]
) -> None:
    report = import_classes(db, senco, DATA / "class-list-bad.csv")
    text = report.format()
    assert not report.written
    assert (
        "line 3: Class 10X/Ma1 has the teacher 'Ada Teach' on line 2 but 'Other Teacher' here."
        in text
    )
    assert "line 4: The subject is missing." in text
    assert "line 5: UPN A999999999999 is not in SENDesk (import the pupils first)." in text
    assert "Nothing was written: an import is all or nothing." in text
    assert "3 lines with problems:" in text
    assert list_groups(db, senco) == []


def test_headers_by_map_and_unreadable_files(
    db: Database, senco: Actor, school: dict[str, int], tmp_path: Path
) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text("Cls;Subj;Who;Pupil number\n11A/Hi;History;Ada Teach;K801200024001\n")
    with pytest.raises(ValidationError) as missing:
        import_classes(db, senco, odd)
    assert str(missing.value) == (
        "The file has no column for class code, subject, UPN (the columns are: Cls, Subj, "
        'Who, Pupil number); rename the column or name it with --map "Your header=code".'
    )
    report = import_classes(
        db, senco, odd, mapping="Cls=code,Subj=subject,Who=teacher,Pupil number=upn"
    )
    assert report.written and by_code(db, senco)["11A/Hi"].teacher == "Ada Teach"
    with pytest.raises(ValidationError, match="unknown field 'room'"):
        parse_class_map("Cls=room")
    with pytest.raises(ValidationError, match="is not a CSV or XLSX file"):
        import_classes(db, senco, tmp_path / "classes.pdf")
    empty = tmp_path / "empty.csv"
    empty.write_text("Class,Subject,UPN\n")
    with pytest.raises(ValidationError, match="has a header row but no pupils"):
        import_classes(db, senco, empty)


def test_xlsx_with_a_title_row(
    db: Database, senco: Actor, school: dict[str, int], tmp_path: Path
) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Class lists 2025/26 (Arbor)"])
    sheet.append(["Class Name", "Subject Name", "Teacher Name", "Student UPN"])
    sheet.append(["9B/Fr", "French", "ATEACH", "K801200024001"])
    sheet.append(["9B/Fr", "French", "ATEACH", "A999999999999"])
    path = tmp_path / "classes.xlsx"
    book.save(path)
    report = import_classes(db, senco, path)
    assert not report.written
    assert "row 4: UPN A999999999999 is not in SENDesk" in report.format()
    sheet.delete_rows(4)
    book.save(path)
    report = import_classes(db, senco, path)
    assert report.written and by_code(db, senco)["9B/Fr"].teacher == "Ada Teach"


def test_cancelling_writes_nothing(db: Database, senco: Actor, school: dict[str, int]) -> None:
    report = import_classes(
        db, senco, DATA / "class-list-sims.csv", progress=lambda done, total: done == 0
    )
    assert report.cancelled and not report.written
    assert "The import was cancelled: nothing was written." in report.format()
    assert list_groups(db, senco) == []


def test_groups_by_hand(db: Database, senco: Actor, school: dict[str, int]) -> None:
    ada = next(i for i, n in teachers(db, senco) if n == "Ada Teach")
    pupils = sorted(school.values())
    group_id = save_group(
        db, senco, None, None, GroupData(" 11C / Ma ", "Maths", "", ada, (pupils[0], pupils[1]))
    )
    item = by_code(db, senco)["11C / Ma"]
    assert item.id == group_id and item.teacher == "Ada Teach" and item.teacher_name == "Ada Teach"
    assert item.pupil_ids == (pupils[0], pupils[1]) and item.source == MANUAL
    # Only the members change: the version still moves on.
    save_group(
        db, senco, group_id, item.version, GroupData("11C / Ma", "Maths", "", ada, (pupils[2],))
    )
    again = by_code(db, senco)["11C / Ma"]
    assert again.pupil_ids == (pupils[2],) and again.version == item.version + 1
    with pytest.raises(ConflictError, match="Someone else changed this teaching group"):
        save_group(db, senco, group_id, item.version, GroupData("11C / Ma", "Maths"))
    with pytest.raises(ValidationError, match="There is already a teaching group with the code"):
        save_group(db, senco, None, None, GroupData("11c / MA", "Maths"))
    with pytest.raises(ValidationError) as bad:
        save_group(db, senco, None, None, GroupData("", "", "x" * 121, 99_999, (99_999,)))
    assert str(bad.value) == (
        "The class code is missing; the subject is missing; the teacher's name is longer than "
        "120 characters; the teacher chosen has no active SENDesk account; 1 of the pupils "
        "chosen is no longer in SENDesk."
    )
    remove_group(db, senco, group_id, again.version)
    assert "11C / Ma" not in by_code(db, senco)
    with pytest.raises(ConflictError, match="has been removed"):
        remove_group(db, senco, group_id, again.version)


def test_who_may_do_what(db: Database, senco: Actor, school: dict[str, int]) -> None:
    teacher = make_user(db, "tpeters", Role.TEACHER, "Tom Peters")
    support = make_user(db, "lsa", Role.LEARNING_SUPPORT, "Lee Support")
    reader = make_user(db, "gov", Role.READ_ONLY, "A Governor")
    make_user(db, "gone", Role.TEACHER, "Left Last Year", active=False)
    with pytest.raises(PermissionDeniedError, match="Teacher accounts cannot import"):
        import_classes(db, teacher, DATA / "class-list-sims.csv")
    with pytest.raises(PermissionDeniedError):
        save_group(db, support, None, None, GroupData("X", "Y"))
    with pytest.raises(PermissionDeniedError):
        list_groups(db, reader)
    # Teachers and the SENCo, active only, by name; learning support is not a teacher.
    assert [n for _, n in teachers(db, teacher)] == [
        "Ada Teach",
        "John Smith",
        "Ms Senco",
        "Tom Peters",
    ]
    with pytest.raises(ValidationError, match="Lee Support is not a teacher or the SENCo"):
        save_group(db, senco, None, None, GroupData("X", "Y", "", support.user_id))


# --- exam entries from the class list ----------------------------------------------------------


def entries_of(db: Database, senco: Actor, pupil_id: int) -> list[tuple[str, str]]:
    from sendesk.services.access.exam_entries import exam_entries

    return [(e.subject, e.source) for e in exam_entries(db, senco, pupil_id)]


def write_list(tmp_path: Path, rows: list[str], name: str = "entries.csv") -> Path:
    path = tmp_path / name
    path.write_text("Class,Subject,Teacher,UPN,Exam entry\n" + "\n".join(rows) + "\n")
    return path


def test_an_entered_column_records_exam_entries(
    db: Database, senco: Actor, school: dict[str, int], tmp_path: Path
) -> None:
    from sendesk.services.access.exam_entries import add_exam_entry

    amy, ben = school["K801200024001"], school["Z801200024002"]
    first = write_list(
        tmp_path,
        [
            "10X/Ma1,Mathematics,ada teach,K801200024001,Yes",
            "10X/Ma1,Mathematics,ada teach,Z801200024002,y",
            "10X/En1,English,JSMITH,K801200024001,",
            "10X/PE1,PE,JSMITH,K801200024001,No",  # attends PE, is not entered for it
            "10X/PE1,PE,JSMITH,Z801200024002,no",
        ],
    )
    report = import_classes(db, senco, first)
    text = report.format()
    assert report.written, text
    assert "Exam entry → entered for the exam" in text
    assert "Exam entries: 2 added, 0 removed" in text
    assert entries_of(db, senco, amy) == [("Mathematics", MIS)]
    assert entries_of(db, senco, ben) == [("Mathematics", MIS)]
    with db.session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.entity == "exam_entry")).one()
    assert event.action == "import"
    assert json.loads(event.detail) == {"file": "entries.csv", "added": 2, "removed": 0}

    # The SENCo adds English by hand; a later export no longer enters Amy for maths.
    add_exam_entry(db, senco, amy, "English")
    later = write_list(
        tmp_path,
        [
            "10X/Ma1,Mathematics,ada teach,K801200024001,no",
            "10X/Ma1,Mathematics,ada teach,Z801200024002,yes",
            "10X/En1,English,JSMITH,K801200024001,no",
        ],
        "later.csv",
    )
    report = import_classes(db, senco, later)
    assert report.written and (report.entries_added, report.entries_removed) == (0, 1)
    # the imported maths entry goes; the one made by hand stays whatever the file says
    assert entries_of(db, senco, amy) == [("English", "manual")]
    assert entries_of(db, senco, ben) == [("Mathematics", MIS)]


def test_a_bad_entered_value_writes_nothing(
    db: Database, senco: Actor, school: dict[str, int], tmp_path: Path
) -> None:
    path = write_list(
        tmp_path,
        [
            "10X/Ma1,Mathematics,ada teach,K801200024001,yes",
            "10X/Ma1,Mathematics,ada teach,Z801200024002,maybe",
        ],
    )
    report = import_classes(db, senco, path)
    assert not report.written
    assert (
        "line 3: The entered column says 'maybe'; use yes or no (or leave it blank)."
        in report.format()
    )
    assert entries_of(db, senco, school["K801200024001"]) == []
    assert list_groups(db, senco) == []


def test_without_an_entered_column_entries_are_left_alone(
    db: Database, senco: Actor, school: dict[str, int]
) -> None:
    from sendesk.services.access.exam_entries import add_exam_entry

    amy = school["K801200024001"]
    add_exam_entry(db, senco, amy, "History")
    report = import_classes(db, senco, DATA / "class-list-sims.csv")
    assert report.written and not report.entries_in_file
    assert "Exam entries" not in report.format()
    assert entries_of(db, senco, amy) == [("History", "manual")]
    assert parse_class_map("Sits=entered") == {"Sits": "entered"}


def test_a_staff_code_column_links_the_teacher_with_that_code(
    db: Database, senco: Actor, school: dict[str, int], tmp_path: Path
) -> None:
    """Issue 13: a teacher linked to their MIS staff code gets their classes, whatever
    name the MIS prints for them."""
    from sendesk.services.staff.users import create_user

    create_user(db, senco, "mrsk", "Mrs Khan", Role.TEACHER, staff_code="KHN")
    upns = list(school)
    path = tmp_path / "classes.csv"
    path.write_text(
        "Class,Subject,Teacher,Staff code,UPN\n"
        f"10A/Ma,Maths,S. Khan,KHN,{upns[0]}\n"
        f"10A/Ma,Maths,S. Khan,KHN,{upns[1]}\n"
        f"10B/Hi,History,Somebody Else,ZZZ,{upns[2]}\n"
        f"10C/Gg,Geography,khn,,{upns[3]}\n"  # the teacher column gives the code
    )
    report = import_classes(db, senco, path)
    assert report.created == 3
    groups = by_code(db, senco)
    assert groups["10C/Gg"].teacher == "Mrs Khan"
    maths, history = groups["10A/Ma"], groups["10B/Hi"]
    assert maths.teacher == "Mrs Khan" and maths.teacher_name == "S. Khan"
    assert history.teacher_id is None and history.teacher == "Somebody Else"
    assert report.unmatched_teachers == ["Somebody Else"]


# --- a class list given as rows (the demo school's, inside its own transaction) ----------------


def class_row(line: int, code: str, subject: str, teacher: str, upn: str, entered: str) -> ClassRow:
    values = {"code": code, "subject": subject, "teacher": teacher, "upn": upn}
    return ClassRow(line, values | {"entered": entered})


def test_rows_are_recorded_in_the_callers_transaction(
    db: Database, senco: Actor, school: dict[str, int]
) -> None:
    amy, ben = "K801200024001", "Z801200024002"
    rows = [
        class_row(2, "10X/Ma1", "Mathematics", "Ada Teach", amy, "yes"),
        class_row(3, "10X/Ma1", "Mathematics", "Ada Teach", ben, "no"),
        class_row(4, "10X/En1", "English", "john smith", ben, "yes"),
    ]
    with db.transaction() as s:
        report = record_class_list(s, AuditWriter(s, senco), rows, source="the MIS feed")
    assert (report.created, report.members_added, report.entries_added) == (2, 3, 2)
    assert report.unmatched_teachers == []
    groups = by_code(db, senco)
    assert groups["10X/Ma1"].teacher == "Ada Teach" and groups["10X/En1"].teacher == "John Smith"
    assert groups["10X/En1"].teacher_name == "john smith"  # the name given is kept too
    assert set(groups["10X/Ma1"].pupil_ids) == {school[amy], school[ben]}
    assert entries_of(db, senco, school[amy]) == [("Mathematics", MIS)]
    assert entries_of(db, senco, school[ben]) == [("English", MIS)]
    with db.session() as s:
        details = [
            json.loads(e.detail)
            for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "import"))
        ]
        assert list(chain_problems(s)) == []
    assert [d["file"] for d in details] == ["the MIS feed", "the MIS feed"]


def test_a_bad_row_is_one_sentence_and_nothing_is_recorded(
    db: Database, senco: Actor, school: dict[str, int]
) -> None:
    rows = [
        class_row(2, "10X/Ma1", "Mathematics", "Ada Teach", "K801200024001", "yes"),
        class_row(3, "10X/Ma1", "Mathematics", "Ada Teach", "A999999999999", "maybe"),
        class_row(4, "10X/En1", "", "Ada Teach", "K801200024001", ""),
    ]
    with pytest.raises(ValidationError) as caught, db.transaction() as s:
        record_class_list(s, AuditWriter(s, senco), rows)
    message = str(caught.value)
    assert message.startswith("Row 3: the entered column says 'maybe'; use yes or no")
    assert "UPN A999999999999 is not in SENDesk" in message
    assert "row 4: the subject is missing" in message
    assert message.endswith("Nothing was recorded.")
    assert list_groups(db, senco) == []
    assert entries_of(db, senco, school["K801200024001"]) == []
    teacher = make_user(db, "tpeters", Role.TEACHER, "Tom Peters")
    with pytest.raises(PermissionDeniedError), db.transaction() as s:
        record_class_list(s, AuditWriter(s, teacher), rows[:1])
    assert list_groups(db, senco) == []


def test_rows_without_an_entered_value_leave_entries_alone(
    db: Database, senco: Actor, school: dict[str, int]
) -> None:
    from sendesk.services.access.exam_entries import add_exam_entry

    amy = school["K801200024001"]
    add_exam_entry(db, senco, amy, "History")
    rows = [ClassRow(2, {"code": "10X/Hi", "subject": "History", "upn": "K801200024001"})]
    with db.transaction() as s:
        report = record_class_list(s, AuditWriter(s, senco), rows)
    assert report.created == 1 and not report.entries_in_file
    assert entries_of(db, senco, amy) == [("History", "manual")]
