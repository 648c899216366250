"""The demo school: believable, census-valid, with history, and the same for the same seed."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter, defaultdict
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sendesk.db import Database, create_database
from sendesk.demo import DemoSummary, write_demo_school
from sendesk.demo.access import SUBJECTS
from sendesk.errors import SendeskError, ValidationError
from sendesk.models import AuditEvent, Contact, Need, Pupil, RegisterEntry, Role, School, User
from sendesk.rules import nhs, upn
from sendesk.rules.census import Area, area_of, census_problems
from sendesk.services.actor import Actor, acting_user
from sendesk.services.register.register_view import RegisterRow, register_rows
from sendesk.services.staff.users import sign_in
from sendesk.services.store.audit import chain_problems
from tests.factories import MakeDb

TODAY = date(2025, 3, 14)


def senco_of(db: Database) -> Actor:
    return acting_user(db, "senco")


def fingerprint(rows: list[RegisterRow]) -> list[tuple[object, ...]]:
    return [
        (
            r.upn,
            r.legal_forename,
            r.legal_surname,
            r.preferred_forename,
            r.dob,
            r.year_group,
            r.reg_group,
            r.provision,
            r.needs,
            r.on_register_since,
        )
        for r in rows
    ]


def history_dates(db: Database) -> list[tuple[str, str, date, date | None]]:
    with db.session() as s:
        found = s.execute(
            select(
                Pupil.upn, RegisterEntry.provision, RegisterEntry.start_date, RegisterEntry.end_date
            ).join(Pupil, Pupil.id == RegisterEntry.pupil_id)
        )
        return sorted((upn, prov, start, end) for upn, prov, start, end in found)


def test_same_seed_same_school_and_another_seed_another(make_db: MakeDb) -> None:
    first, second, other = make_db(), make_db(), make_db()
    a = write_demo_school(first, pupils=150, seed=7, today=TODAY)
    b = write_demo_school(second, pupils=150, seed=7, today=TODAY)
    c = write_demo_school(other, pupils=150, seed=8, today=TODAY)
    assert a == b
    rows_a = register_rows(first, senco_of(first), include_all=True)
    rows_b = register_rows(second, senco_of(second), include_all=True)
    rows_c = register_rows(other, senco_of(other), include_all=True)
    assert fingerprint(rows_a) == fingerprint(rows_b)
    assert history_dates(first) == history_dates(second)
    assert fingerprint(rows_a) != fingerprint(rows_c)
    assert c != a
    names_a = {(r.legal_forename, r.legal_surname) for r in rows_a}
    names_c = {(r.legal_forename, r.legal_surname) for r in rows_c}
    assert len(names_a & names_c) < len(names_a) // 2


def test_a_small_school_is_believable_and_valid(make_db: MakeDb) -> None:
    db = make_db()
    summary = write_demo_school(db, pupils=250, seed=3, today=TODAY)
    assert summary.pupils == 250
    assert summary.school
    senco = senco_of(db)
    rows = register_rows(db, senco, include_all=True)
    assert len(rows) == 250

    upns = [r.upn for r in rows]
    assert len(set(upns)) == len(upns)
    assert all(upn.is_valid(u) and not upn.is_temporary(u) for u in upns)
    assert all(u[1:4] == "919" for u in upns)  # the school's LA

    for row in rows:
        assert census_problems(row.provision, list(row.needs)) == [], row.upn
    counts = Counter(r.provision for r in rows)
    assert counts["K"] == summary.sen_support
    assert counts["E"] == summary.ehcp
    assert 0.11 <= counts["K"] / 250 <= 0.17
    assert 0.03 <= counts["E"] / 250 <= 0.05
    areas = {area_of(code) for r in rows for code in r.needs} - {None}
    assert areas == set(Area)
    assert any(len(r.needs) == 2 for r in rows)
    assert all(r.on_register_since is not None for r in rows if r.provision in ("K", "E"))

    # Years 7-11 evenly, forms like 7A, DOBs inside the English academic year.
    assert Counter(r.year_group for r in rows) == {7: 50, 8: 50, 9: 50, 10: 50, 11: 50}
    for row in rows:
        assert re.fullmatch(rf"{row.year_group}[A-Z]", row.reg_group or "")
        first_sept = 2024 - (row.year_group - 7)  # 1 September of the pupil's Year 7
        assert date(first_sept - 12, 9, 1) <= row.dob <= date(first_sept - 11, 8, 31)
        assert row.gender in ("M", "F")


def test_history_audit_and_accounts(make_db: MakeDb) -> None:
    db = make_db()
    summary = write_demo_school(db, pupils=200, seed=11)  # anchored on the real today
    today = date.today()
    now = datetime.now().astimezone()
    with db.session() as s:
        senco_id = s.scalar(select(User.id).where(User.username == "senco"))
        pupils = {p.id: p for p in s.scalars(select(Pupil))}
        entries = s.scalars(select(RegisterEntry).order_by(RegisterEntry.start_date)).all()
        needs = s.scalars(select(Need)).all()
        roles = Counter(s.scalars(select(User.role)))
        contacts = s.scalars(select(Contact)).all()
        changes = s.scalar(select(func.count()).where(AuditEvent.action == "register_change"))
        assert list(chain_problems(s)) == []
        school = s.scalars(select(School)).one()

    assert school.urn is not None and re.fullmatch(r"\d{6}", school.urn)
    assert roles[Role.SENCO] == 1
    assert 3 <= roles[Role.LEARNING_SUPPORT] <= 4
    # 6-8 planned with the school, then enough for every subject's classes (demo_access).
    assert 6 <= roles[Role.TEACHER] <= 2 * len(SUBJECTS)
    assert roles[Role.READ_ONLY] == 1
    assert summary.users == sum(roles.values())
    assert summary.register_changes == changes >= len(pupils)

    by_pupil: dict[int, list[RegisterEntry]] = defaultdict(list)
    for entry in entries:
        by_pupil[entry.pupil_id].append(entry)
    assert set(by_pupil) == set(pupils)
    for pid, history in by_pupil.items():
        pupil = pupils[pid]
        assert [e.end_date for e in history].count(None) == 1
        assert history[0].start_date == pupil.admission_date
        for before, after in pairwise(history):
            assert before.end_date == after.start_date
            assert before.provision != after.provision
        for entry in history:
            assert entry.reason and entry.recorded_by_id == senco_id
    assert sum(1 for h in by_pupil.values() if len(h) >= 2) >= 10
    # Some came off the register again, and some had their need re-coded.
    assert any(h[-1].provision == "N" and len(h) > 1 for h in by_pupil.values())
    open_needs = defaultdict(list)
    closed_needs = defaultdict(list)
    for need in needs:
        (open_needs if need.end_date is None else closed_needs)[need.pupil_id].append(need)
        assert need.recorded_by_id == senco_id
    assert any(
        {n.code for n in closed_needs[pid]} - {n.code for n in open_needs[pid]}
        for pid in open_needs
    )

    # Nothing happened in the future.
    for pupil in pupils.values():
        assert pupil.dob < today and pupil.admission_date is not None
        assert pupil.admission_date <= today
    for row in [*entries, *needs]:
        assert row.start_date <= today
        assert row.end_date is None or row.end_date <= today
        assert row.recorded_at <= now

    # Contacts: parents or carers, fictional numbers and addresses.
    per_pupil = Counter(c.pupil_id for c in contacts)
    assert set(per_pupil) == set(pupils) and set(per_pupil.values()) <= {1, 2}
    for contact in contacts:
        assert re.fullmatch(r"07700 900\d{3}", contact.phone or "")
        assert contact.email is None or contact.email.endswith("@example.org")
    assert {c.pupil_id for c in contacts if c.parental_responsibility} == set(pupils)
    for pupil in pupils.values():
        assert pupil.nhs_number is None or nhs.is_test_number(pupil.nhs_number)
        assert pupil.nhs_number is None or nhs.is_valid(pupil.nhs_number)


def test_progress_is_reported_and_cancel_rolls_back(make_db: MakeDb) -> None:
    seen: list[tuple[int, int]] = []

    def record(done: int, total: int) -> bool:
        seen.append((done, total))
        return True

    write_demo_school(make_db(), pupils=120, seed=2, today=TODAY, progress=record)
    assert seen[0] == (0, 120) and seen[-1] == (120, 120)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert all(b - a <= 50 for (a, _), (b, _) in pairwise(seen))

    db = make_db()
    with pytest.raises(SendeskError, match="cancelled"):
        write_demo_school(db, pupils=120, seed=2, today=TODAY, progress=lambda d, t: d < 50)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Pupil)) == 0
        assert s.scalar(select(func.count()).select_from(RegisterEntry)) == 0
        assert list(chain_problems(s)) == []


def test_nothing_written_for_a_bad_request(make_db: MakeDb) -> None:
    db = make_db()
    for bad in (0, -5, 50_001):
        with pytest.raises(ValidationError):
            write_demo_school(db, pupils=bad)
    with pytest.raises(ValidationError):
        write_demo_school(db, pupils=10, password="short")
    with db.session() as s:
        assert s.scalar(select(School.id)) is None
    assert write_demo_school(db, pupils=10, seed=5, today=TODAY).pupils == 10


def test_a_password_lets_every_demo_account_sign_in(make_db: MakeDb) -> None:
    db = make_db()
    write_demo_school(db, pupils=5, seed=1, today=TODAY, password="demo-school")
    with db.session() as s:
        usernames = list(s.scalars(select(User.username)))
    assert "senco" in usernames
    assert sign_in(db, "senco", "demo-school").role is Role.SENCO
    assert sign_in(db, usernames[-1], "demo-school").username == usernames[-1]


def test_each_demo_account_has_its_own_salt_and_is_listed(make_db: MakeDb) -> None:
    """Issue 12: the demo accounts shared one salt (one hash); each now has its own."""
    db = make_db()
    summary = write_demo_school(db, pupils=5, seed=1, today=TODAY, password="demo-password")
    with db.session() as s:
        users = s.execute(select(User.username, User.role, User.password_hash)).all()
    salts = [h.split("$")[4] for _, _, h in users]
    assert len(users) > 10 and len(set(salts)) == len(users)
    assert summary.accounts[0][:2] == ("senco", Role.SENCO)
    assert {(name, role) for name, role, _ in summary.accounts} == {
        (name, Role(role)) for name, role, _ in users
    }


def test_the_demo_s_password_hashing_stops_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """A demo cancelled or failed mid-way stops the hashing it started on a thread (each
    hash is half a second and 128 MiB): the hashes being made finish, no more start."""
    from sendesk.demo import school

    stop = threading.Event()
    made: list[int] = []

    def slow_hash(password: str) -> str:
        made.append(1)
        stop.set()  # as the demo does when it is cancelled while these are made
        return f"hash {len(made)} of {password}"

    monkeypatch.setattr(school, "hash_password", slow_hash)
    hashes = school.demo_password_hashes("stop-test-password", 40, stop)
    assert 1 <= len(hashes) == len(made) <= 4  # one batch at the most: one a thread


@pytest.mark.parametrize(
    "today", [date(2024, 9, 1), date(2024, 9, 2), date(2025, 7, 31), date(2028, 2, 29)]
)
def test_any_day_of_the_year(tmp_path: Path, raw_key: str, today: date) -> None:
    """Early September (Year 7 arrived today), the summer holiday and a leap day all work."""
    db = create_database(str(tmp_path / "school.db"), raw_key)
    try:
        write_demo_school(db, pupils=100, seed=4, today=today)
        with db.session() as s:
            latest = s.scalar(select(func.max(RegisterEntry.start_date)))
            year7 = s.scalars(select(Pupil.admission_date).where(Pupil.year_group == 7)).all()
        assert latest is not None and latest <= today
        year_start = date(today.year if today.month >= 9 else today.year - 1, 9, 1)
        assert min(year7) == year_start and max(year7) <= today
    finally:
        db.dispose()


def _scripts(text: str) -> set[str]:
    return {unicodedata.name(ch).split()[0] for ch in text if not ch.isascii() and ch.isalpha()}


def test_twelve_hundred_pupils(tmp_path: Path, raw_key: str) -> None:
    """The default size, on SQLCipher: shares, scripts, needs in every area, history."""
    db = create_database(str(tmp_path / "school.db"), raw_key)
    try:
        summary = write_demo_school(db, pupils=1200, seed=1, today=TODAY)
        assert isinstance(summary, DemoSummary)
        rows = register_rows(db, senco_of(db), include_all=True)
        with db.session() as s:
            eal = s.scalar(select(func.count()).where(Pupil.eal.is_(True)))
            premium = s.scalar(select(func.count()).where(Pupil.pupil_premium.is_(True)))
            looked_after = s.scalar(select(func.count()).where(Pupil.looked_after.is_(True)))
            admitted = s.scalars(select(Pupil.admission_date)).all()
            assert list(chain_problems(s)) == []
    finally:
        db.dispose()

    assert len(rows) == 1200
    provision = Counter(r.provision for r in rows)
    assert 0.11 <= provision["K"] / 1200 <= 0.17
    assert 0.03 <= provision["E"] / 1200 <= 0.05
    assert len({r.upn for r in rows}) == 1200
    assert all(upn.is_valid(r.upn) for r in rows)
    assert all(census_problems(r.provision, list(r.needs)) == [] for r in rows)

    primary = Counter(r.needs[0] for r in rows if r.needs)
    assert {area_of(code) for code in primary} >= set(Area)
    common = {"SEMH", "SPLD", "ASD", "SLCN", "MLD"}
    assert sum(primary[c] for c in common) >= 0.8 * sum(primary.values())
    assert primary["NSA"] >= 1
    assert all(r.provision == "K" for r in rows if "NSA" in r.needs)
    assert sum(1 for r in rows if len(r.needs) == 2) >= 0.3 * (provision["K"] + provision["E"])

    names = " ".join(f"{r.legal_forename} {r.legal_surname}" for r in rows)
    scripts = _scripts(names)
    assert {"LATIN", "CYRILLIC", "GREEK"} <= scripts  # LATIN: letters like ł, ş, ễ, Ó
    assert len({r.legal_surname for r in rows}) > 300

    assert 0.1 * 1200 <= eal <= 0.4 * 1200
    assert 0.18 * 1200 <= premium <= 0.32 * 1200
    assert 1 <= looked_after <= 0.03 * 1200
    assert sum(1 for d in admitted if d is not None and (d.month, d.day) != (9, 1)) >= 10


def test_home_language_and_ethnicity_where_held(make_db: MakeDb) -> None:
    """An LA's request form asks for both: most demo pupils have them, from the MIS."""
    from sendesk.services.register.census_check import census_check

    db = make_db()
    write_demo_school(db, pupils=300, seed=5, today=TODAY)
    with db.session() as s:
        rows = s.execute(select(Pupil.eal, Pupil.home_language, Pupil.ethnicity)).all()
    held = [r for r in rows if r.home_language is not None]
    assert 0.9 * len(rows) <= len(held) < len(rows)  # a few not held yet
    assert all(r.home_language == "English" for r in held if not r.eal)
    eal = [r for r in held if r.eal]
    assert eal and all(r.home_language != "English" for r in eal)
    assert len({r.home_language for r in eal}) >= 3
    ethnicities = Counter(r.ethnicity for r in rows)
    assert ethnicities.most_common(1)[0][0] == "White - British"
    assert ethnicities["Refused"] >= 1
    assert len(ethnicities) >= 5
    # The demo register meets the census rules, bar the DS spelling query.
    report = census_check(db, senco_of(db), today=TODAY)
    assert {p.rule.key for p in report.problems} <= {"down-syndrome-code"}


def test_the_demo_has_causes_for_concern_at_each_stage(make_db: MakeDb) -> None:
    """Raised by teachers through the service: three waiting for the SENCo, one waiting for
    the evidence asked for, one monitored — each on "what's due" with its words."""
    from sendesk.services import due

    db = make_db()
    write_demo_school(db, pupils=150, seed=3, today=TODAY)
    items = [
        d for d in due.due_items(db, senco_of(db), today=TODAY) if d.kind.startswith("concern")
    ]
    kinds = sorted(d.kind for d in items)
    assert kinds == ["concern", "concern", "concern", "concern evidence", "concern review"]
    assert all(d.pupil_id is not None for d in items)
    new = [d for d in items if d.kind == "concern"]
    assert all(d.text.endswith(": decide what happens") for d in new)
