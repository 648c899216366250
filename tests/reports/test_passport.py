"""The pupil passport PDF, read back: names in any script, the headings, what helps, one page."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from sendesk.db import Database
from sendesk.errors import NotFoundError, PermissionDeniedError
from sendesk.models import AuditEvent, PlanOutcome, Pupil, Role, SupportPlan
from sendesk.reports.passport import HEADINGS, SHORTENED, passport_for, write_passport
from sendesk.reports.pdf_layout import FONT_DIR
from sendesk.rules.upn import make
from sendesk.services.actor import Actor
from sendesk.services.graduated.passport import AreaText, PassportData, Target, passport_data
from sendesk.services.register.pupil_record import save_need_profile
from sendesk.services.register.pupils import PupilData, add_pupil
from tests.factories import make_user, works_with

TODAY = date(2025, 11, 20)
CL = "Cognition and learning"
SEMH = "Social, emotional and mental health"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def pdf_text(path: Path) -> tuple[int, str]:
    reader = PdfReader(path)
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return len(reader.pages), nfc(text)


def flat(text: str) -> str:
    """Extracted text with line breaks and runs of spaces made single spaces."""
    return " ".join(text.split())


@pytest.fixture
def upn(db: Database, senco: Actor) -> str:
    """Łucja Фёдорова-Nguyễn, Year 8, SEN support with SPLD and SEMH, two plans."""
    data = PupilData(
        upn=make(801, 2000, 24, 7),
        legal_surname="Фёдорова-Nguyễn",
        legal_forename="Łucja Ωmega",
        preferred_forename="Łucja",
        dob=date(2012, 5, 3),
        year_group=8,
        reg_group="8Ł",
        admission_date=date(2023, 9, 4),
        provision="K",
        needs=("SPLD", "SEMH"),
        sen_start_date=date(2024, 1, 8),
    )
    pupil_id = add_pupil(db, senco, data, today=TODAY)
    save_need_profile(
        db,
        senco,
        pupil_id,
        CL,
        strengths="Brilliant at drawing\nExplains ideas out loud well",
        difficulties="Reading long texts\nCopying from the board",
        strategies="Printed notes on cream paper\nChunk instructions and check understanding",
        version=None,
    )
    save_need_profile(
        db,
        senco,
        pupil_id,
        SEMH,
        strengths="Kind to younger pupils",
        difficulties="Sudden changes to routine",
        strategies="A time-out card; sit near the door",
        version=None,
    )
    with db.transaction() as s:
        old = SupportPlan(
            pupil_id=pupil_id,
            start_date=date(2025, 1, 6),
            review_due=date(2025, 3, 28),
            pupil_views="I like it when the teacher tells me what we are doing first.",
            reviewed_on=date(2025, 3, 27),
        )
        old.outcomes = [PlanOutcome(position=1, text="Old target: learn 20 tricky words", area=CL)]
        s.add(old)
        s.flush()
        current = SupportPlan(
            pupil_id=pupil_id,
            previous_plan_id=old.id,
            start_date=date(2025, 9, 8),
            review_due=date(2025, 12, 12),
        )
        current.outcomes = [
            PlanOutcome(position=1, text="Read a Year 6 text aloud with 95% accuracy", area=CL),
            PlanOutcome(position=2, text="Use the time-out card instead of leaving", area=SEMH),
        ]
        s.add(current)
    return data.upn


def test_passport_reads_back(db: Database, senco: Actor, upn: str, tmp_path: Path) -> None:
    out = passport_for(db, senco, upn, tmp_path / "passport.pdf", today=TODAY)
    pages, text = pdf_text(out)
    assert pages == 1
    words = flat(text)
    assert "Łucja Фёдорова-Nguyễn" in words  # the preferred forename, any script
    assert "Ωmega" not in words  # the legal forename is not what staff call her
    for heading in HEADINGS.values():
        assert heading in words
    assert "Year 8" in words and "Tutor group 8Ł" in words and "SEN support" in words
    assert "Specific learning difficulty; Social, emotional and mental health" in words
    for strategy in (
        "Printed notes on cream paper",
        "Chunk instructions and check understanding",
        "A time-out card; sit near the door",
    ):
        assert strategy in words
    assert "Reading long texts" in words and "Sudden changes to routine" in words
    assert "Brilliant at drawing" in words and "Kind to younger pupils" in words
    # The pupil's own words, from the last plan that recorded them.
    assert "In my own words (January 2025)" in words
    assert "I like it when the teacher tells me what we are doing first." in words
    # Targets now: the current plan's outcomes, not the reviewed plan's.
    assert "Read a Year 6 text aloud with 95% accuracy" in words
    assert "Use the time-out card instead of leaving" in words
    assert "Old target" not in words
    assert "To be reviewed by 12/12/2025." in words
    assert "Test Academy" in words and "20/11/2025" in words
    assert SHORTENED not in words
    assert not list(tmp_path.glob(".*partial"))


def test_fonts_are_embedded_so_any_machine_renders_the_names(
    db: Database, senco: Actor, upn: str, tmp_path: Path
) -> None:
    out = passport_for(db, senco, upn, tmp_path / "p.pdf", today=TODAY)
    reader = PdfReader(out)
    fonts = reader.pages[0]["/Resources"]["/Font"]
    # reportlab's canvas always lists Helvetica as its starting font; every glyph drawn
    # is in an embedded subset of DejaVu Sans.
    embedded = [
        f.get_object() for f in fonts.values() if f.get_object()["/BaseFont"] != "/Helvetica"
    ]
    assert {str(f["/BaseFont"]).split("+")[-1] for f in embedded} == {
        "DejaVuSans",
        "DejaVuSans-Bold",
    }
    for font in embedded:
        assert "/FontFile2" in font["/FontDescriptor"].get_object()  # embedded TrueType
    folder = FONT_DIR
    assert (folder / "DejaVuSans.ttf").is_file() and (folder / "DejaVuSans-Bold.ttf").is_file()
    assert "Bitstream Vera" in (folder / "LICENSE").read_text(encoding="utf-8")


def test_a_long_profile_still_fits_one_page(tmp_path: Path) -> None:
    long = "\n".join(f"Strategy number {n}: give extra time and a printed copy" for n in range(80))
    data = PassportData(
        name="Ёлка Ωmega-Nguyễn",
        upn="A801200024001",
        year_group=10,
        reg_group=None,
        provision="Education, health and care plan",
        needs=("Autistic spectrum disorder",),
        strengths=(AreaText(CL, "Loves trains. " * 200),),
        pupil_views="I want people to know that I try hard. " * 50,
        pupil_views_on=date(2025, 10, 1),
        difficulties=(AreaText(CL, long), AreaText(SEMH, long)),
        strategies=(AreaText(CL, long), AreaText(SEMH, long)),
        targets=tuple(Target(f"Target {n}: a long SMART outcome " * 5, CL) for n in range(5)),
        targets_review_due=None,
        school_name="",
        produced_on=TODAY,
    )
    out = write_passport(data, tmp_path / "long.pdf")
    pages, text = pdf_text(out)
    assert pages == 1
    words = flat(text)
    assert "Ёлка Ωmega-Nguyễn" in words
    assert "Strategy number 0: give extra time" in words
    assert SHORTENED in words
    for heading in HEADINGS.values():
        assert heading in words


def test_an_empty_profile_says_so(tmp_path: Path) -> None:
    data = PassportData(
        name="Ada Lovelace",
        upn="A801200024001",
        year_group=0,
        reg_group="RB",
        provision="",
        needs=(),
        strengths=(),
        pupil_views="",
        pupil_views_on=None,
        difficulties=(),
        strategies=(),
        targets=(),
        targets_review_due=None,
        school_name="Test Academy",
        produced_on=TODAY,
    )
    pages, text = pdf_text(write_passport(data, tmp_path / "empty.pdf"))
    assert pages == 1
    words = flat(text)
    assert words.count("Nothing recorded yet.") == 4
    assert "Reception · Tutor group RB" in words


def test_who_may_read_a_passport(db: Database, senco: Actor, upn: str, tmp_path: Path) -> None:
    teacher = make_user(db, "teacher", Role.TEACHER)
    ta = make_user(db, "ta", Role.LEARNING_SUPPORT)
    governor = make_user(db, "governor", Role.READ_ONLY)
    with db.session() as s:
        pupil_id = s.scalar(select(Pupil.id).where(Pupil.upn == upn))
    works_with(db, teacher, pupil_id)
    works_with(db, ta, pupil_id)
    assert passport_data(db, teacher, upn, today=TODAY).name == "Łucja Фёдорова-Nguyễn"
    passport_for(db, ta, upn, tmp_path / "ta.pdf", today=TODAY)
    with pytest.raises(PermissionDeniedError):
        passport_for(db, governor, upn, tmp_path / "gov.pdf", today=TODAY)
    assert not (tmp_path / "gov.pdf").exists()
    with pytest.raises(NotFoundError):
        passport_data(db, senco, "Z999999999999", today=TODAY)
    with db.session() as s:
        who = list(s.scalars(select(AuditEvent.user_id).where(AuditEvent.action == "passport")))
    assert who == [teacher.user_id, ta.user_id]


def test_after_a_review_the_latest_targets_stay_until_a_new_cycle(
    db: Database, senco: Actor, upn: str, tmp_path: Path
) -> None:
    """A reviewed plan's targets are still the latest: the passport keeps them, saying when
    they were reviewed, until the next plan starts (issue 11)."""
    with db.transaction() as s:
        plan = s.scalar(select(SupportPlan).where(SupportPlan.reviewed_on.is_(None)))
        assert plan is not None
        plan.reviewed_on = date(2025, 11, 1)
    data = passport_data(db, senco, upn, today=TODAY)
    assert data.targets[0].text == "Read a Year 6 text aloud with 95% accuracy"
    assert data.targets_review_due is None and data.targets_reviewed_on == date(2025, 11, 1)
    assert data.pupil_views.startswith("I like it")
    _, text = pdf_text(passport_for(db, senco, upn, tmp_path / "p.pdf", today=TODAY))
    words = flat(text)
    assert "Read a Year 6 text aloud with 95% accuracy" in words
    assert "Reviewed on 01/11/2025; these stay until the next plan starts." in words
    assert "Old target" not in words


def test_a_plan_not_yet_started_does_not_replace_the_targets(
    db: Database, senco: Actor, upn: str
) -> None:
    with db.transaction() as s:
        current = s.scalar(select(SupportPlan).where(SupportPlan.reviewed_on.is_(None)))
        assert current is not None
        current.reviewed_on = date(2025, 11, 1)
        s.add(
            SupportPlan(
                pupil_id=current.pupil_id,
                previous_plan_id=current.id,
                start_date=date(2026, 1, 5),
                review_due=date(2026, 3, 27),
                outcomes=[PlanOutcome(position=1, text="Next cycle's target", area=CL)],
            )
        )
    data = passport_data(db, senco, upn, today=TODAY)
    assert data.targets[0].text == "Read a Year 6 text aloud with 95% accuracy"
    later = passport_data(db, senco, upn, today=date(2026, 1, 5))
    assert [t.text for t in later.targets] == ["Next cycle's target"]
    assert later.targets_review_due == date(2026, 3, 27)
