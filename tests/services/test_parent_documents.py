"""The parents' summary of a support plan and the pupil's one-page profile (issue 15):
what each says, read back from the PDF and the DOCX."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from sendesk.db import Database
from sendesk.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from sendesk.models import AuditEvent
from sendesk.reports.one_page_profile import OWN_WORDS, WRITTEN_WITH, profile_for
from sendesk.reports.parent_summary import parent_summary_for
from sendesk.services.actor import Actor
from sendesk.services.graduated import meetings, one_page_profile, parent_summary, support_plans
from tests.services.meeting_school import KIND_PLAN, TODAY, MeetingSchool, draft, make_school


@pytest.fixture
def school(db: Database, senco: Actor) -> MeetingSchool:
    return make_school(db, senco)


def _flat(text: str) -> str:
    return " ".join(text.split())


def _pdf(path: Path) -> tuple[int, str]:
    reader = PdfReader(str(path))
    return len(reader.pages), _flat(" ".join(p.extract_text() or "" for p in reader.pages))


def _docx(path: Path) -> str:
    return _flat("\n".join(p.text for p in docx.Document(str(path)).paragraphs))


def _last_export(db: Database) -> dict[str, object]:
    with db.session() as s:
        event = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id.desc())
        ).first()
        assert event is not None
        return json.loads(event.detail)


def test_the_parents_summary_says_the_plan_in_four_plain_parts(
    school: MeetingSchool, tmp_path: Path
) -> None:
    s = school
    plan = support_plans.get_plan(s.db, s.senco, s.plan)
    helps = "Read with Amy for ten minutes a night\nPack her word mat"
    parent_summary.set_how_you_can_help(s.db, s.senco, s.plan, plan.version, helps)
    # no meeting booked yet: the plan's review date
    pdf, word = parent_summary_for(s.db, s.teacher, s.amy, tmp_path / "summary", today=TODAY)
    assert (pdf.name, word.name) == ("summary.pdf", "summary.docx")
    pages, text = _pdf(pdf)
    assert pages == 1
    for shown in (text, _docx(word)):
        assert "Amy's support plan: a summary for parents and carers" in shown
        assert "What we are working on" in shown and "Reads 40 common words on sight" in shown
        assert "What we are doing" in shown
        assert "Word mat on her desk in every lesson" in shown
        assert "Reading with a teaching assistant (1.5 hours a week)" in shown
        assert "How you can help" in shown and "Read with Amy for ten minutes a night" in shown
        assert "When we will meet next" in shown
        assert "by Friday 11 December 2026" in shown
        assert "Ms Senco, SENCo, on 01632 960123 or senco@test.sch.uk" in shown
    assert _last_export(s.db)["what"] == "support plan summary for parents"
    # a booked meeting is "when we will meet next"
    meetings.schedule_meeting(s.db, s.senco, s.amy, draft(KIND_PLAN, 24), today=TODAY)
    data = parent_summary.parent_summary_data(s.db, s.senco, s.amy, today=TODAY)
    assert data.next_meeting_words == (
        "We will meet on Thursday 26 November 2026 at 3:30pm, at The SENCo's room, main "
        "building, for the support-plan review."
    )


def test_how_you_can_help_is_the_senco_s_at_the_plan_s_version(school: MeetingSchool) -> None:
    s = school
    plan = support_plans.get_plan(s.db, s.senco, s.plan)
    with pytest.raises(PermissionDeniedError):
        parent_summary.set_how_you_can_help(s.db, s.teacher, s.plan, plan.version, "Read")
    version = parent_summary.set_how_you_can_help(s.db, s.senco, s.plan, plan.version, "Read")
    assert version == plan.version + 1
    with pytest.raises(ConflictError):
        parent_summary.set_how_you_can_help(s.db, s.senco, s.plan, plan.version, "Again")
    with pytest.raises(ValidationError, match="how you can help"):
        parent_summary.set_how_you_can_help(s.db, s.senco, s.plan, version, "x" * 4001)


def test_no_plan_no_summary(school: MeetingSchool) -> None:
    s = school
    with pytest.raises(NotFoundError, match="no support plan yet"):
        parent_summary.parent_summary_data(s.db, s.senco, s.ben, today=TODAY)


def test_the_one_page_profile_marks_the_pupil_s_own_words(
    school: MeetingSchool, tmp_path: Path
) -> None:
    s = school
    empty = one_page_profile.profile_data(s.db, s.senco, s.amy, today=TODAY)
    assert empty.version is None and all(not p.text for p in empty.parts)
    version = one_page_profile.save_profile(
        s.db,
        s.senco,
        s.amy,
        None,
        one_page_profile.ProfileDraft(
            admired="I am kind and I make people laugh",
            important="My dog Biscuit\nSeeing my nan on Saturdays",
            support="Tell me one thing at a time. Let me draw my ideas first.",
            written_on=TODAY - timedelta(days=3),
            admired_own=True,
            support_own=True,
        ),
        today=TODAY,
    )
    with pytest.raises(ConflictError):
        one_page_profile.save_profile(
            s.db, s.senco, s.amy, None, one_page_profile.ProfileDraft("a", "", "", TODAY)
        )
    with pytest.raises(PermissionDeniedError):
        one_page_profile.save_profile(
            s.db, s.teacher, s.amy, version, one_page_profile.ProfileDraft("a", "", "", TODAY)
        )
    with pytest.raises(ValidationError, match=r"(?i)write at least one part"):
        one_page_profile.save_profile(
            s.db, s.senco, s.amy, version, one_page_profile.ProfileDraft("", " ", "", TODAY)
        )
    data = one_page_profile.profile_data(s.db, s.teacher, s.amy, today=TODAY)
    assert [(p.heading, p.own_words) for p in data.parts] == [
        ("What people like and admire about me", True),
        ("What is important to me", False),
        ("How best to support me", True),
    ]
    written = profile_for(s.db, s.teacher, s.amy, tmp_path / "profile.pdf", today=TODAY)
    pages, text = _pdf(written)
    assert pages == 1
    assert "Amy Nowak" in text
    assert f"{OWN_WORDS} “I am kind and I make people laugh”" in text
    # the part the pupil did not word is marked as staff's, its lines as points
    assert text.index("What is important to me") < text.index(WRITTEN_WITH)
    assert text.index(WRITTEN_WITH) < text.index("My dog Biscuit") < text.index("How best")
    assert "“My dog Biscuit" not in text
    assert "“Tell me one thing at a time. Let me draw my ideas first.”" in text
    assert "Written with Amy on 30 October 2026" in text
    assert _last_export(s.db)["what"] == "one-page profile"


def test_a_long_profile_stays_on_one_page(school: MeetingSchool, tmp_path: Path) -> None:
    s = school
    long = " ".join(["I like building things out of cardboard with my brother."] * 30)
    one_page_profile.save_profile(
        s.db, s.senco, s.amy, None,
        one_page_profile.ProfileDraft(long, long, long, date(2026, 10, 1), True, True, True),
        today=TODAY,
    )  # fmt: skip
    pages, text = _pdf(profile_for(s.db, s.senco, s.amy, tmp_path / "p.pdf", today=TODAY))
    assert pages == 1 and text.count("cardboard") == 90
