"""`sendesk deadlines`: the dated what's-due items, one a line, soonest first."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import select

from sendesk.db import create_database
from sendesk.demo import DEMO_PASSWORD, write_demo_school
from sendesk.models import Role, User
from tests.cli_run import run_with_key, sendesk_help
from tests.factories import hill_school

LINE = re.compile(
    r"^(?P<due>\d\d/\d\d/\d{4})  (?P<status>overdue|soon   |later  )  "
    r"(?:Group: (?P<group>.+?)|(?P<pupil>.+) \((?P<upn>[A-Z0-9]{13})\))  "
    r"(?P<kind>[^:]+): (?P<text>.+)$"
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A demo school written today (the CLI reads the real date), and its key."""
    from sendesk.keystore import new_raw_key

    key = new_raw_key()
    path = str(tmp_path_factory.mktemp("cli") / "demo.db")
    db = create_database(path, key)
    write_demo_school(db, pupils=200, seed=7, password=DEMO_PASSWORD)
    db.dispose()
    yield path, key


run = partial(run_with_key, password=DEMO_PASSWORD)


def parsed(lines: list[str]) -> list[dict[str, str]]:
    found = []
    for line in lines:
        if line.startswith("Warning: "):  # the AARA edition's notice (see below)
            continue
        match = LINE.match(line)
        assert match, line
        found.append(match.groupdict())
    return found


def test_lists_the_demo_schools_dates_soonest_first(capsys, monkeypatch, demo) -> None:
    path, key = demo
    code, lines, err = run(capsys, monkeypatch, key, "deadlines", "--db", path)
    assert (code, err) == (0, "")
    rows = parsed(lines)
    dues = [datetime.strptime(r["due"], "%d/%m/%Y").date() for r in rows]
    assert dues == sorted(dues)
    today = date.today()
    for row, due in zip(rows, dues, strict=True):
        if due >= today or "; extended: " in row["text"]:
            assert row["status"] == "soon   "
        else:
            assert row["status"] == "overdue"
    kinds = {r["kind"] for r in rows}
    # Review paperwork shows only when a random meeting fell in the last fortnight of the
    # real date: meetings are now held 4+ weeks before the anniversary (CFA s44(1)).
    assert {"EHC request", "EHC annual review"} <= kinds
    assert any("week 23 of 20): the LA is late" in r["text"] for r in rows)
    assert any(r["kind"] == "EHC annual review" and r["status"] == "overdue" for r in rows)
    # the register's own review line is not repeated for a pupil whose plan says it
    ehc_pupils = {r["upn"] for r in rows if r["kind"] == "EHC annual review"}
    assert not [r for r in rows if r["kind"] == "annual review" and r["upn"] in ehc_pupils]


def test_days_widens_or_narrows_the_list(capsys, monkeypatch, demo) -> None:
    path, key = demo
    _, default, _ = run(capsys, monkeypatch, key, "deadlines", "--db", path)
    code, wide, _ = run(capsys, monkeypatch, key, "deadlines", "--db", path, "--days", "120")
    assert code == 0
    assert set(default) < set(wide)
    assert any(r["status"].strip() == "later" for r in parsed(wide))
    code, narrow, _ = run(capsys, monkeypatch, key, "deadlines", "--db", path, "--days", "0")
    assert code == 0
    today = date.today()
    assert narrow and all(
        datetime.strptime(r["due"], "%d/%m/%Y").date() <= today for r in parsed(narrow)
    )


def test_bad_days_and_read_only_users_are_refused(capsys, monkeypatch, demo) -> None:
    path, key = demo
    code, lines, err = run(capsys, monkeypatch, key, "deadlines", "--db", path, "--days", "-1")
    assert (code, lines, err) == (1, [], "sendesk: --days must be between 0 and 366.\n")
    from sendesk.db import open_database, parse_target

    with open_database(parse_target(path), key) as db, db.session() as s:
        governor = s.scalar(select(User.username).where(User.role == Role.READ_ONLY))
    assert governor
    code, lines, err = run(capsys, monkeypatch, key, "deadlines", "--db", path, "--user", governor)
    assert code == 3 and lines == []
    assert err.startswith("sendesk: Read-only") and err.endswith("ask the SENCo.\n")


def test_nothing_due_says_so(capsys, monkeypatch, tmp_path: Path, raw_key: str) -> None:
    path = str(tmp_path / "empty.db")
    db, _ = hill_school(path, raw_key, DEMO_PASSWORD)
    db.dispose()
    code, lines, err = run(capsys, monkeypatch, raw_key, "deadlines", "--db", path)
    assert (code, lines, err) == (0, ["Nothing is overdue or due in the next 28 days."], "")


def test_a_request_being_prepared_has_no_deadline_until_it_is_sent(
    capsys, monkeypatch, tmp_path: Path, raw_key: str
) -> None:
    # The clock starts when the LA receives the request (reg 5(1)), never on opening it.
    from sendesk.services.ehc.records import RequestData
    from sendesk.services.ehc.requests import get_request, open_request, update_request
    from tests.factories import add_test_pupil

    path = str(tmp_path / "school.db")
    db, senco = hill_school(path, raw_key, DEMO_PASSWORD)
    pupil = add_test_pupil(db, senco, 1, provision="K", needs=("SPLD",))
    data = RequestData("school", "Testshire", sent_on=None)
    rid = open_request(db, senco, pupil, data)
    code, lines, err = run(capsys, monkeypatch, raw_key, "deadlines", "--db", path, "--days", "366")
    assert (code, lines, err) == (0, ["Nothing is overdue or due in the next 366 days."], "")
    version = get_request(db, senco, rid).version
    sent = date.today()
    update_request(db, senco, rid, version, replace(data, sent_on=sent))
    db.dispose()
    code, lines, err = run(capsys, monkeypatch, raw_key, "deadlines", "--db", path, "--days", "60")
    (row,) = parsed(lines)
    assert (row["kind"], row["text"].split(" (")[0]) == (
        "EHC request",
        f"Decision whether to assess due {sent + timedelta(weeks=6):%d/%m/%Y}",
    )


def test_a_path_with_no_database_is_refused(capsys, monkeypatch, tmp_path: Path, raw_key) -> None:
    missing = tmp_path / "typo.db"
    code, lines, err = run(capsys, monkeypatch, raw_key, "deadlines", "--db", str(missing))
    assert code != 0 and lines == []
    assert err.startswith("sendesk: ") and err.count("\n") == 1
    assert not missing.exists()


def test_help() -> None:
    result = sendesk_help("deadlines")
    assert result.returncode == 0
    assert "--db" in result.stdout and "--days" in result.stdout


def set_edition_end(path: str, key: str, value: str) -> None:
    from sendesk.db import open_database, parse_target
    from sendesk.services.actor import acting_user
    from sendesk.services.school.settings import set_setting

    with open_database(parse_target(path), key) as db:
        set_setting(db, acting_user(db, "senco"), "jcq.edition_ends", value)


def test_access_evidence_is_one_line_per_candidate(capsys, monkeypatch, demo) -> None:
    path, key = demo
    code, lines, _ = run(capsys, monkeypatch, key, "deadlines", "--db", path, "--days", "366")
    assert code == 0
    evidence = [r["upn"] for r in parsed(lines) if r["kind"] == "access evidence"]
    assert evidence and len(evidence) == len(set(evidence))
    assert all(
        r["text"].startswith("before the exams from ")
        for r in parsed(lines)
        if r["kind"] == "access evidence"
    )


def test_past_the_editions_end_a_plain_warning_and_the_rules_still_apply(
    capsys, monkeypatch, demo
) -> None:
    # The edition's dates are settings (AARA 2025–26, amended March 2026, by default).
    path, key = demo
    try:
        set_edition_end(path, key, "2000-08-31")
        _, lines, _ = run(capsys, monkeypatch, key, "deadlines", "--db", path, "--days", "366")
        warnings = [line for line in lines if line.startswith("Warning: ")]
        assert len(warnings) == 1 and lines[0] == warnings[0]
        assert "in force until 31/08/2000; today is after that" in warnings[0]
        assert "SENDesk still applies them" in warnings[0]
        assert any(r["kind"] == "access evidence" for r in parsed(lines))
        set_edition_end(path, key, "2999-08-31")
        _, lines, _ = run(capsys, monkeypatch, key, "deadlines", "--db", path, "--days", "366")
        assert not [line for line in lines if line.startswith("Warning: ")]
    finally:
        set_edition_end(path, key, "2026-08-31")
