"""Review meetings with parents (issue 15): booked, the 2-week notice of an annual review,
the invitation letter written and dated, who came and what they said."""

from __future__ import annotations

import json
from datetime import date, time, timedelta
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from sendesk.db import Database
from sendesk.errors import ConflictError, PermissionDeniedError, ValidationError
from sendesk.models import AuditEvent
from sendesk.operations.meeting_letter import write_invitation_letter
from sendesk.rules.meetings import AttendeeDraft, InviteeDraft
from sendesk.rules.support_plans import meetings_in_last_year
from sendesk.rules.upn import make
from sendesk.services import due
from sendesk.services.actor import Actor
from sendesk.services.graduated import meetings, support_plans
from tests.services.meeting_school import (
    KIND_ANNUAL,
    KIND_PLAN,
    TODAY,
    MeetingSchool,
    draft,
    make_school,
)


@pytest.fixture
def school(db: Database, senco: Actor) -> MeetingSchool:
    return make_school(db, senco)


def _pdf_text(path: Path) -> str:
    return " ".join((page.extract_text() or "") for page in PdfReader(str(path)).pages)


def _docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_a_support_plan_review_is_booked_linked_to_the_plan_and_read_by_the_teacher(
    school: MeetingSchool,
) -> None:
    s = school
    booked = meetings.schedule_meeting(s.db, s.senco, s.amy, draft(), today=TODAY)
    assert booked.warning is None  # a support-plan review has no statutory notice
    (item,) = meetings.list_meetings(s.db, s.teacher, s.amy)
    assert item.id == booked.meeting_id
    assert item.kind_words == "Support-plan review"
    assert item.support_plan_id == s.plan and item.ehc_plan_id is None
    assert item.time_text == "3:30pm"
    assert [(p.name, p.role, p.parent) for p in item.invitees] == [
        ("Mrs Nowak", "Parent", True),
        ("Mr Teacher", "Class teacher", False),
        ("Dr Green", "Educational psychologist (EP)", False),
    ]
    assert item.purpose.startswith("to look together at how Amy is getting on")
    assert item.views_by == item.meeting_on - timedelta(days=5)
    assert item.status_words == "Booked: invitations not sent"


def test_only_the_senco_books_and_the_teacher_reads_only_pupils_they_teach(
    school: MeetingSchool,
) -> None:
    s = school
    with pytest.raises(PermissionDeniedError, match="cannot schedule review meetings"):
        meetings.schedule_meeting(s.db, s.teacher, s.amy, draft(), today=TODAY)
    meetings.schedule_meeting(s.db, s.senco, s.ben, draft(KIND_ANNUAL, 40), today=TODAY)
    with pytest.raises(PermissionDeniedError, match="only for the pupils they teach"):
        meetings.list_meetings(s.db, s.teacher, s.ben)


@pytest.mark.parametrize(
    ("over", "words"),
    [
        ({"place": " "}, "say where the meeting is"),
        ({"invitees": ()}, "invite at least one person"),
        ({"invitees": (InviteeDraft("", "Parent", True),)}, "invitee 1 has no name"),
        ({"invitees": (InviteeDraft("Mrs N", "", True),)}, "say invitee 1's role"),
        ({"invitees": (InviteeDraft("Mr T", "Teacher"),)}, "invite at least one parent"),
        ({"views_by": TODAY + timedelta(days=60)}, "the date for views .* is after the meeting"),
        ({"meeting_on": TODAY + timedelta(days=500)}, "more than a year ahead"),
    ],
)
def test_a_booking_missing_its_facts_is_refused_in_one_sentence_naming_the_field(
    school: MeetingSchool, over: dict[str, object], words: str
) -> None:
    s = school
    with pytest.raises(ValidationError, match=f"(?i){words}"):
        meetings.schedule_meeting(s.db, s.senco, s.amy, draft(**over), today=TODAY)
    assert meetings.list_meetings(s.db, s.senco, s.amy) == []


def test_a_review_needs_its_plan(school: MeetingSchool) -> None:
    s = school
    with pytest.raises(ValidationError, match="no live EHC plan recorded"):
        meetings.schedule_meeting(s.db, s.senco, s.amy, draft(KIND_ANNUAL), today=TODAY)
    with pytest.raises(ValidationError, match="no support plan to review yet"):
        meetings.schedule_meeting(s.db, s.senco, s.ben, draft(KIND_PLAN), today=TODAY)


def test_an_annual_review_booked_too_soon_warns_and_whats_due_asks_for_the_invitations(
    school: MeetingSchool,
) -> None:
    s = school
    soon = meetings.schedule_meeting(s.db, s.senco, s.ben, draft(KIND_ANNUAL, 10), today=TODAY)
    assert soon.warning == (
        "The annual review meeting on 12/11/2026 is only 10 days away: invitations must go "
        "out at least 2 weeks before (reg 20), by 29/10/2026. Choose 16/11/2026 or later."
    )
    later = meetings.schedule_meeting(s.db, s.senco, s.ben, draft(KIND_ANNUAL, 30), today=TODAY)
    assert later.warning is None
    items = [
        i for i in due.due_items(s.db, s.senco, today=TODAY) if i.kind == "meeting invitations"
    ]
    assert sorted((i.due, i.severity, i.text) for i in items) == [
        (
            date(2026, 10, 29),
            "overdue",
            "EHC plan annual review meeting on 12/11/2026: send the invitations by "
            "29/10/2026 (at least 2 weeks before, reg 20)",
        ),
        (
            date(2026, 11, 18),
            "soon",
            "EHC plan annual review meeting on 02/12/2026: send the invitations by "
            "18/11/2026 (at least 2 weeks before, reg 20)",
        ),
    ]
    from sendesk.rules.due import category_of

    assert {category_of(i) for i in items} == {"reviews"}
    # moving the early meeting far enough ahead clears the warning
    moved = meetings.move_meeting(
        s.db, s.senco, soon.meeting_id, soon.version, draft(KIND_ANNUAL, 16), today=TODAY
    )
    assert moved.warning is None
    with pytest.raises(ConflictError):
        meetings.move_meeting(
            s.db, s.senco, soon.meeting_id, soon.version, draft(KIND_ANNUAL, 20), today=TODAY
        )


def test_the_invitation_letter_is_written_dated_and_audited(
    school: MeetingSchool, tmp_path: Path
) -> None:
    s = school
    booked = meetings.schedule_meeting(s.db, s.senco, s.ben, draft(KIND_ANNUAL, 21), today=TODAY)
    result = write_invitation_letter(
        s.db, s.senco, booked.meeting_id, booked.version, tmp_path / "letter", today=TODAY
    )
    assert result.warning is None
    assert (result.pdf.name, result.docx.name) == ("letter.pdf", "letter.docx")
    for text in (_pdf_text(result.pdf), _docx_text(result.docx)):
        flat = " ".join(text.split())
        assert "Dear Mrs Nowak," in flat
        assert "annual review of Ben's EHC plan" in flat
        assert "Monday 23 November 2026 at 3:30pm" in flat
        assert "The SENCo's room, main building" in flat
        assert "Mr Teacher (Class teacher)" in flat
        assert "Dr Green (Educational psychologist (EP))" in flat
        assert "by Wednesday 18 November 2026 to Ms Senco, SENCo: 01632 960123 or" in flat
        assert "senco@test.sch.uk" in flat
        assert "within 2 weeks" in flat
        assert make(801, 2000, 24, 2) not in flat  # Ben's UPN: none on a letter home
        assert "Okafor" not in flat  # the child by the name the family uses
    item = meetings.get_meeting(s.db, s.senco, booked.meeting_id)
    assert item.invitations_sent_on == TODAY and item.version == result.version
    assert not [
        i for i in due.due_items(s.db, s.senco, today=TODAY) if i.kind == "meeting invitations"
    ]
    with s.db.session() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id.desc())
        ).first()
        assert event is not None and event.entity_id == s.ben
        assert json.loads(event.detail)["file"] == "letter.pdf, letter.docx"


def test_a_letter_sent_late_says_the_notice_is_broken(
    school: MeetingSchool, tmp_path: Path
) -> None:
    s = school
    booked = meetings.schedule_meeting(s.db, s.senco, s.ben, draft(KIND_ANNUAL, 9), today=TODAY)
    result = write_invitation_letter(
        s.db, s.senco, booked.meeting_id, booked.version, tmp_path / "late.pdf", today=TODAY
    )
    assert result.warning == (
        "The invitations went out on 02/11/2026, only 9 days before the annual review "
        "meeting on 11/11/2026: the law asks for at least 2 weeks' notice (reg 20), so they "
        "were due by 28/10/2026. Consider moving the meeting to 16/11/2026 or later."
    )
    assert meetings.get_meeting(s.db, s.senco, booked.meeting_id).notice_warning(TODAY) == (
        result.warning
    )
    # moved to give the notice: the old letter names the old day, so a new one is due
    moved = meetings.move_meeting(
        s.db, s.senco, booked.meeting_id, result.version, draft(KIND_ANNUAL, 16), today=TODAY
    )
    assert moved.warning is None
    after = meetings.get_meeting(s.db, s.senco, booked.meeting_id)
    assert after.invitations_sent_on is None
    assert [
        i.text for i in due.due_items(s.db, s.senco, today=TODAY) if i.kind == "meeting invitations"
    ] == [
        "EHC plan annual review meeting on 18/11/2026: send the invitations by 04/11/2026 "
        "(at least 2 weeks before, reg 20)"
    ]
    # a new letter; then only who else is invited changes: the letter sent still holds
    again = write_invitation_letter(
        s.db, s.senco, booked.meeting_id, moved.version, tmp_path / "again.pdf", today=TODAY
    )
    people = (InviteeDraft("Mrs Nowak", "Parent", True),)
    meetings.move_meeting(
        s.db, s.senco, booked.meeting_id, again.version, draft(KIND_ANNUAL, 16, invitees=people),
        today=TODAY,
    )  # fmt: skip
    after = meetings.get_meeting(s.db, s.senco, booked.meeting_id)
    assert after.invitations_sent_on == TODAY and len(after.invitees) == 1


def test_a_letter_whose_meeting_changed_meanwhile_leaves_no_file(
    school: MeetingSchool, tmp_path: Path
) -> None:
    s = school
    booked = meetings.schedule_meeting(s.db, s.senco, s.amy, draft(), today=TODAY)
    meetings.move_meeting(
        s.db, s.senco, booked.meeting_id, booked.version, draft(days=31), today=TODAY
    )
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ConflictError):
        write_invitation_letter(
            s.db, s.senco, booked.meeting_id, booked.version, out / "l.pdf", today=TODAY
        )
    assert list(out.iterdir()) == []
    assert meetings.get_meeting(s.db, s.senco, booked.meeting_id).invitations_sent_on is None


def test_who_came_and_what_they_said_is_recorded_with_the_review(school: MeetingSchool) -> None:
    s = school
    booked = meetings.schedule_meeting(
        s.db, s.senco, s.amy, draft(days=-3), today=TODAY - timedelta(days=30)
    )
    item = meetings.get_meeting(s.db, s.senco, booked.meeting_id)
    parent, teacher, ep = item.people
    held = TODAY - timedelta(days=3)
    assert [
        (i.kind, i.text)
        for i in due.due_items(s.db, s.senco, today=TODAY)
        if i.kind == "meeting record"
    ] == [
        (
            "meeting record",
            f"Support-plan review meeting on {held:%d/%m/%Y}: record who came and what they said",
        )
    ]
    people = (
        AttendeeDraft(parent.name, parent.role, True, "Reading at home most nights", True,
                      parent.id),
        AttendeeDraft(teacher.name, teacher.role, True, "Uses the word mat without prompting",
                      person_id=teacher.id),
        AttendeeDraft(ep.name, ep.role, False, person_id=ep.id),
        AttendeeDraft("Amy", "Pupil", True, "I like the reading group"),
    )  # fmt: skip
    with pytest.raises(ValidationError, match="Say whether Dr Green came"):
        meetings.record_attendance(s.db, s.senco, item.id, item.version, people[:2], today=TODAY)
    version = meetings.record_attendance(
        s.db, s.senco, item.id, item.version, people, "Keep the word mat; add phonics", today=TODAY
    )
    after = meetings.list_meetings(s.db, s.teacher, s.amy)[0]
    assert after.version == version and after.held_on == held
    assert after.status_words == "Held: 3 came"
    assert [(p.name, p.invited, p.attended, p.contribution) for p in after.people] == [
        ("Mrs Nowak", True, True, "Reading at home most nights"),
        ("Mr Teacher", True, True, "Uses the word mat without prompting"),
        ("Dr Green", True, False, ""),
        ("Amy", False, True, "I like the reading group"),
    ]
    assert after.notes == "Keep the word mat; add phonics"
    assert not [i for i in due.due_items(s.db, s.senco, today=TODAY) if i.kind == "meeting record"]
    with pytest.raises(ConflictError):
        meetings.record_attendance(s.db, s.senco, item.id, item.version, people, today=TODAY)
    with pytest.raises(PermissionDeniedError):
        meetings.record_attendance(s.db, s.teacher, item.id, version, people, today=TODAY)
    # a meeting a parent came to counts towards "parents met three times a year"
    with s.db.session() as session:
        days = support_plans.parent_meeting_days(session, {s.amy}, TODAY - timedelta(days=365))
    assert held in days[s.amy] and meetings_in_last_year(days[s.amy], TODAY) >= 1


def test_attendance_cannot_be_recorded_before_the_meeting(school: MeetingSchool) -> None:
    s = school
    booked = meetings.schedule_meeting(s.db, s.senco, s.amy, draft(days=5), today=TODAY)
    item = meetings.get_meeting(s.db, s.senco, booked.meeting_id)
    people = tuple(AttendeeDraft(p.name, p.role, True, person_id=p.id) for p in item.people)
    with pytest.raises(ValidationError, match="once the meeting has happened"):
        meetings.record_attendance(s.db, s.senco, item.id, item.version, people, today=TODAY)


def test_time_words() -> None:
    assert meetings.time_words(time(9, 0)) == "9am"
    assert meetings.time_words(time(12, 0)) == "12 noon"
    assert meetings.time_words(time(12, 15)) == "12:15pm"
    assert meetings.time_words(time(15, 30)) == "3:30pm"
