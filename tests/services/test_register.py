"""The register service: E only with an EHC plan, and voiding a mistaken entry.

Census code E means the pupil has an EHC plan (reference/census.md; CFA 2014 s37: the plan
is what the LA issues), so a move to E needs a live plan. A mistaken entry is voided, never
deleted: it leaves the effective history (status, "since", census export, pack) but stays
on file for the SENCo, with who voided it and why, on the audit chain.
"""

from __future__ import annotations

import io
import json
import re
import threading
import time
from datetime import date

import pytest
from sqlalchemy import func, select, text

from sendesk.db import Database
from sendesk.errors import ConflictError, PermissionDeniedError, ValidationError
from sendesk.models import AuditEvent, EhcPlan, RegisterEntry, Role
from sendesk.reports.register_export import write_csv
from sendesk.rules.upn import make
from sendesk.services.actor import Actor
from sendesk.services.ehc.pack import gather
from sendesk.services.ehc.plans import cease_plan, list_plans, record_plan
from sendesk.services.ehc.records import PlanData
from sendesk.services.register.pupil_import import import_pupils
from sendesk.services.register.pupil_record import get_record
from sendesk.services.register.register import (
    apply_change,
    change_status,
    live_plan_issued_on,
    lock_current,
    read_register,
    void_entry,
)
from sendesk.services.register.register_view import register_rows, run_start
from sendesk.services.school.statistics import register_statistics
from sendesk.services.store.audit import AuditWriter, chain_problems
from tests.db_reads import count_rows
from tests.factories import add_test_pupil, make_user, works_with

TODAY = date(2026, 11, 20)
JOINED = date(2024, 9, 2)
MISTAKE = date(2025, 1, 13)
CORRECTED = date(2025, 1, 20)


def on_k(db: Database, senco: Actor, serial: int = 1) -> int:
    return add_test_pupil(db, senco, serial, provision="K", needs=("SPLD",), since=JOINED)


def entries(db: Database, pid: int) -> list[tuple[str, date, date | None, bool]]:
    """(provision, start, end, voided) in order."""
    with db.session() as s:
        rows = s.scalars(
            select(RegisterEntry)
            .where(RegisterEntry.pupil_id == pid)
            .order_by(RegisterEntry.start_date, RegisterEntry.id)
        )
        return [(e.provision, e.start_date, e.end_date, e.voided_at is not None) for e in rows]


def entry_id(db: Database, pid: int, provision: str, start: date) -> int:
    with db.session() as s:
        found = s.scalar(
            select(RegisterEntry.id).where(
                RegisterEntry.pupil_id == pid,
                RegisterEntry.provision == provision,
                RegisterEntry.start_date == start,
            )
        )
    assert found is not None
    return found


# --- E only with an EHC plan --------------------------------------------------------------


def test_e_without_a_plan_is_refused_and_nothing_is_written(db, senco) -> None:
    pid = on_k(db, senco)
    with pytest.raises(ValidationError) as caught:
        change_status(db, senco, pid, "E", ["SPLD"], TODAY, "Plan issued")
    assert str(caught.value) == (
        "A pupil can be recorded as E (EHC plan) only once their issued EHC plan is recorded: "
        "record the plan's issue date and local authority with the change, or in the EHC tab "
        "first."
    )
    assert entries(db, pid) == [("K", JOINED, None, False)]


def test_the_plan_and_the_change_to_e_in_one_step(db, senco) -> None:
    pid = on_k(db, senco)
    plan = PlanData(issued_on=date(2026, 11, 16), la_name="Testshire")
    change_status(db, senco, pid, "E", ["SPLD"], TODAY, "Final plan issued", plan=plan, today=TODAY)
    assert entries(db, pid)[-1] == ("E", TODAY, None, False)
    (item,) = list_plans(db, senco, pid, today=TODAY)
    assert (item.issued_on, item.la_name) == (date(2026, 11, 16), "Testshire")
    assert live_plan_issued_on(db, senco, pid) == date(2026, 11, 16)
    with db.session() as s:
        actions = [e.action for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))][-3:]
        assert list(chain_problems(s)) == []
    assert actions == ["create", "update", "register_change"]  # plan, review date, status


@pytest.mark.parametrize(
    ("plan", "on", "message"),
    [
        (PlanData(issued_on=TODAY, la_name=" "), TODAY, "The local authority is missing."),
        (
            PlanData(issued_on=date(2026, 11, 18), la_name="Testshire"),
            date(2026, 11, 17),
            "The change to E (17/11/2026) is before the EHC plan was issued (18/11/2026).",
        ),
    ],
)
def test_a_refused_plan_or_change_writes_neither(db, senco, plan, on, message) -> None:
    pid = on_k(db, senco)
    with pytest.raises(ValidationError, match=re.escape(message)):
        change_status(db, senco, pid, "E", ["SPLD"], on, "Plan issued", plan=plan, today=TODAY)
    assert count_rows(db, EhcPlan) == 0
    assert entries(db, pid) == [("K", JOINED, None, False)]


def test_a_plan_comes_only_with_a_change_to_e(db, senco) -> None:
    pid = on_k(db, senco)
    plan = PlanData(issued_on=TODAY, la_name="Testshire")
    with pytest.raises(ValidationError, match="only when it is to E"):
        change_status(db, senco, pid, "N", [], TODAY, "Off", plan=plan, today=TODAY)
    assert count_rows(db, EhcPlan) == 0


def test_a_recorded_plan_allows_e_but_a_ceased_one_does_not(db, senco) -> None:
    pid = on_k(db, senco)
    plan_id = record_plan(
        db, senco, pid, PlanData(issued_on=date(2025, 3, 3), la_name="Testshire"), today=TODAY
    )
    change_status(db, senco, pid, "E", ["SPLD"], date(2025, 3, 3), "Plan issued")
    (item,) = list_plans(db, senco, pid, today=TODAY)
    cease_plan(db, senco, plan_id, item.version, date(2026, 7, 1), today=TODAY)
    change_status(db, senco, pid, "K", ["SPLD"], date(2026, 7, 1), "Plan ceased")
    assert live_plan_issued_on(db, senco, pid) is None
    with pytest.raises(ValidationError, match=r"only once their issued EHC plan is recorded"):
        change_status(db, senco, pid, "E", ["SPLD"], TODAY, "Back on E")


# --- voiding a mistaken entry -------------------------------------------------------------


def mistake_then_correction(db: Database, senco: Actor) -> int:
    """K since JOINED; E recorded by mistake (a plan was recorded for the wrong pupil, then
    ceased); corrected back to K a week later."""
    pid = on_k(db, senco)
    plan = PlanData(issued_on=MISTAKE, la_name="Testshire")
    change_status(db, senco, pid, "E", ["SPLD"], MISTAKE, "Plan issued", plan=plan, today=TODAY)
    change_status(db, senco, pid, "K", ["SPLD"], CORRECTED, "Wrong pupil: back to K")
    return pid


def test_run_start_is_the_start_of_the_last_spell() -> None:
    k, e = "K", "E"
    assert run_start([]) is None
    assert run_start([(k, JOINED)]) == JOINED
    assert run_start([(k, JOINED), (e, MISTAKE), (k, CORRECTED)]) == CORRECTED
    assert run_start([(k, JOINED), (k, CORRECTED)]) == JOINED  # the mistake between voided


def test_correcting_without_voiding_shows_the_mistake(db, senco) -> None:
    """The old behaviour the issue reports: K "since" the correction day."""
    pid = mistake_then_correction(db, senco)
    assert get_record(db, senco, pid).provision_since == CORRECTED


def test_voiding_a_mistake_in_the_middle_restores_the_since_date(db, senco) -> None:
    pid = mistake_then_correction(db, senco)
    void_entry(db, senco, entry_id(db, pid, "E", MISTAKE), "Recorded on the wrong pupil")

    record = get_record(db, senco, pid)
    assert (record.provision, record.provision_since) == ("K", JOINED)
    # The effective history (what the pack prints) no longer shows the E or the correction.
    assert [(h.on, h.kind, h.after) for h in record.history if h.kind == "status"] == [
        (JOINED, "status", "SEN support (K)")
    ]
    (voided,) = record.voided_history
    assert (voided.on, voided.before, voided.after) == (
        MISTAKE,
        "SEN support (K)",
        "Education, health and care plan (E)",
    )
    assert voided.voided is not None
    assert voided.voided.startswith("voided by Ms Senco on ")
    assert voided.voided.endswith(": Recorded on the wrong pupil")
    # The history stays unbroken: K runs to the correction, which is still open.
    assert entries(db, pid) == [
        ("K", JOINED, CORRECTED, False),
        ("E", MISTAKE, CORRECTED, True),
        ("K", CORRECTED, None, False),
    ]
    (row,) = register_rows(db, senco)
    assert (row.provision, row.on_register_since, row.ehcp_since) == ("K", JOINED, None)


def test_the_pack_shows_the_panel_no_voided_mistake(db, senco) -> None:
    pid = mistake_then_correction(db, senco)
    before = gather(db, senco, pid, today=TODAY)
    assert before.pupil.provision_since == CORRECTED  # the mistake showed (the old fault)
    assert any(h.after.endswith("(E)") for h in before.history)
    void_entry(db, senco, entry_id(db, pid, "E", MISTAKE), "Recorded on the wrong pupil")
    pack = gather(db, senco, pid, today=TODAY)
    assert (pack.pupil.provision, pack.pupil.provision_since) == ("SEN support (K)", JOINED)
    assert [h.after for h in pack.history if h.kind == "status"] == ["SEN support (K)"]


def test_voiding_the_current_entry_reopens_the_one_before(db, senco) -> None:
    pid = on_k(db, senco)
    plan = PlanData(issued_on=MISTAKE, la_name="Testshire")
    change_status(db, senco, pid, "E", ["SPLD"], MISTAKE, "Plan issued", plan=plan, today=TODAY)
    gov = make_user(db, "gov", Role.READ_ONLY)
    # One pupil on E: a count the service suppresses ("fewer than 5"), not zero.
    assert register_statistics(db, gov).by_provision["E"] is None

    void_entry(db, senco, entry_id(db, pid, "E", MISTAKE), "Wrong pupil")

    # Exactly one open effective entry: the K re-opened; the voided E covers no day.
    assert entries(db, pid) == [("K", JOINED, None, False), ("E", MISTAKE, MISTAKE, True)]
    record = get_record(db, senco, pid)
    assert (record.provision, record.provision_since) == ("K", JOINED)
    assert register_statistics(db, gov).by_provision.get("E", 0) == 0
    out = io.StringIO()
    write_csv(register_rows(db, senco), out)
    (line,) = out.getvalue().splitlines()[1:]
    assert ",K,SPLD," in line and ",E," not in line


def test_needs_changed_with_the_voided_change_are_put_back(db, senco) -> None:
    pid = add_test_pupil(db, senco, 1, provision="N", since=JOINED)
    change_status(db, senco, pid, "K", ["SEMH", "SLCN"], MISTAKE, "Wrong pupil's screen")
    void_entry(db, senco, entry_id(db, pid, "K", MISTAKE), "Screen was for another child")
    record = get_record(db, senco, pid)
    assert (record.provision, record.need_codes, record.provision_since) == ("N", (), JOINED)
    assert [(h.kind, h.after) for h in record.history] == [
        ("status", "No special educational need (N)")
    ]
    with db.session() as s:
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event is not None
        detail = json.loads(event.detail)
        assert list(chain_problems(s)) == []
    assert (event.action, event.entity, event.user_id) == ("void", "register_entry", senco.user_id)
    assert detail["needs"] == {"from": ["SEMH", "SLCN"], "to": []}
    assert detail["reason"] == "Screen was for another child"


def test_voiding_refusals(db, senco) -> None:
    pid = mistake_then_correction(db, senco)
    e_id = entry_id(db, pid, "E", MISTAKE)
    teacher = make_user(db, "teacher", Role.TEACHER)
    works_with(db, teacher, pid)
    with pytest.raises(PermissionDeniedError):
        void_entry(db, teacher, e_id, "Wrong pupil")
    with pytest.raises(ValidationError, match="Give a reason for voiding the register entry"):
        void_entry(db, senco, e_id, "   ")
    with pytest.raises(ValidationError, match="first register entry cannot be voided"):
        void_entry(db, senco, entry_id(db, pid, "K", JOINED), "Wrong")
    void_entry(db, senco, e_id, "Wrong pupil")
    with pytest.raises(ConflictError, match="already been voided"):
        void_entry(db, senco, e_id, "Again")
    assert get_record(db, teacher, pid).voided_history == ()  # the SENCo's view only


def test_voiding_back_onto_e_needs_a_live_plan(db, senco) -> None:
    pid = on_k(db, senco)
    plan_id = record_plan(
        db, senco, pid, PlanData(issued_on=MISTAKE, la_name="Testshire"), today=TODAY
    )
    change_status(db, senco, pid, "E", ["SPLD"], MISTAKE, "Plan issued")
    (item,) = list_plans(db, senco, pid, today=TODAY)
    cease_plan(db, senco, plan_id, item.version, CORRECTED, today=TODAY)
    change_status(db, senco, pid, "K", ["SPLD"], CORRECTED, "Plan ceased")
    with pytest.raises(ValidationError, match="no live EHC plan is recorded for them"):
        void_entry(db, senco, entry_id(db, pid, "K", CORRECTED), "Wrong")
    assert get_record(db, senco, pid).provision == "K"


# --- two SENCos at once (issue 12) ------------------------------------------------------------

CHANGED = re.compile(
    r"This pupil's SEN status was changed by (?P<name>.+) at \d\d:\d\d on "
    r"(?P<day>\d\d/\d\d/\d{4}) — reload to see it; nothing was saved\."
)


def register_events(db: Database) -> int:
    with db.session() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action.in_(["register_change", "void"]))
            )
            or 0
        )


def refused(call: object) -> str:
    """The sentence of the ConflictError ``call`` raises."""
    with pytest.raises(ConflictError) as caught:
        call()  # type: ignore[operator]
    assert CHANGED.fullmatch(str(caught.value)), str(caught.value)
    return str(caught.value)


def test_a_change_to_a_register_changed_since_it_was_read_is_refused(db, senco) -> None:
    """The second SENCo is told who changed it and when; nothing of theirs is written."""
    pid = on_k(db, senco)
    other = make_user(db, "second", Role.SENCO, "senco user")
    seen = read_register(db, senco, pid)
    assert (seen.provision, seen.needs, seen.entry_start) == ("K", ("SPLD",), JOINED)
    change_status(db, other, pid, "N", [], CORRECTED, "Made good progress", seen=seen.version)
    before = register_events(db)

    text = refused(
        lambda: change_status(db, senco, pid, "K", ["SPLD", "SEMH"], TODAY, "x", seen=seen.version)
    )
    match = CHANGED.fullmatch(text)
    assert match is not None and match["name"] == "senco user"  # the second SENCo's display name
    assert register_events(db) == before
    assert entries(db, pid) == [("K", JOINED, CORRECTED, False), ("N", CORRECTED, None, False)]
    now = read_register(db, senco, pid)
    change_status(db, senco, pid, "K", ["SEMH"], TODAY, "Anxiety", seen=now.version)
    assert read_register(db, senco, pid).needs == ("SEMH",)


def test_a_change_of_needs_alone_is_seen_too(db, senco) -> None:
    """The open entry stays when only the needs change: the needs' ids tell."""
    pid = on_k(db, senco)
    other = make_user(db, "second", Role.SENCO, "senco user")
    seen = read_register(db, senco, pid).version
    change_status(db, other, pid, "K", ["SPLD", "SLCN"], CORRECTED, "SALT report", seen=seen)
    assert read_register(db, senco, pid).version.entry_id == seen.entry_id
    refused(lambda: change_status(db, senco, pid, "N", [], TODAY, "Progress", seen=seen))
    assert read_register(db, senco, pid).needs == ("SPLD", "SLCN")


def test_voiding_says_who_changed_the_register_since(db, senco) -> None:
    pid = mistake_then_correction(db, senco)
    other = make_user(db, "second", Role.SENCO, "senco user")
    seen = read_register(db, senco, pid).version
    corrected = entry_id(db, pid, "K", CORRECTED)
    change_status(db, other, pid, "K", ["SPLD", "SEMH"], TODAY, "More needs", seen=seen)
    before = register_events(db)
    refused(lambda: void_entry(db, senco, corrected, "Wrong", seen=seen))
    assert register_events(db) == before
    assert not any(voided for *_, voided in entries(db, pid))
    # The other way round: a void since the change was read is named as the change.
    seen = read_register(db, senco, pid).version
    void_entry(db, other, corrected, "Typed on the wrong pupil")
    text = refused(lambda: change_status(db, senco, pid, "N", [], TODAY, "x", seen=seen))
    assert "senco user" in text


def test_an_import_waits_for_a_senco_change_and_works_from_it(
    db: Database, senco: Actor, tmp_path
) -> None:
    """The MIS import says nothing of what it saw: it locks every open entry before it
    reads, so a SENCo's change in progress is waited for and built on, not doubled (on
    PostgreSQL the import would otherwise close the entry the SENCo had just closed and
    open a second one)."""
    pid = on_k(db, senco, serial=3)
    upn = make(801, 2000, 24, 3)
    path = tmp_path / "mis.csv"
    path.write_text(
        f"UPN,Surname,Forename,DOB,SEN Status,Primary Need\n{upn},Pupil,Test,01/01/2012,K,MLD\n",
        encoding="utf-8",
    )
    done: list[object] = []
    with db.transaction() as s:
        current = lock_current(s, [pid])[pid]
        apply_change(s, AuditWriter(s, senco), pid, current, "N", (), CORRECTED, "Progress")
        s.flush()
        worker = threading.Thread(
            target=lambda: done.append(import_pupils(db, senco, path, today=TODAY))
        )
        worker.start()
        if not db.is_file:  # wait until the import is queued behind this transaction's lock
            with db.engine.connect() as watch:
                waiting = 0
                for _ in range(2000):
                    waiting = watch.execute(
                        text("SELECT count(*) FROM pg_locks WHERE NOT granted")
                    ).scalar_one()
                    if waiting:
                        break
                    time.sleep(0.01)
                assert waiting, "the import never waited for the SENCo's change"
    worker.join(timeout=120)
    (report,) = done
    assert report.register_changes == 1  # type: ignore[attr-defined]
    assert entries(db, pid) == [
        ("K", JOINED, CORRECTED, False),
        ("N", CORRECTED, TODAY, False),
        ("K", TODAY, None, False),
    ]
    assert read_register(db, senco, pid).needs == ("MLD",)
