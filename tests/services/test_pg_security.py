# ruff: noqa: S608 - the tables named in SQL here are this file's constants
"""The database enforces the permission table too (issue 13): each role's login, connected
DIRECTLY to the real server with psycopg over TCP with its password (SCRAM), reads only
what the app would show it, may write only what the app writes for it, and nobody but the
schema owner can change or delete audit events.

One demo school per module (the server's login roles are shared by the whole cluster, so
each school here has its own usernames); everything a test writes is rolled back or is a
fresh row no other test counts.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import errors
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from sendesk.db import Database, Target, create_database, open_database
from sendesk.demo import write_demo_school
from sendesk.errors import SendeskError, ValidationError
from sendesk.models import (
    AccessArrangement,
    AgencyInvolvement,
    Base,
    Enrolment,
    EvidenceDocument,
    InterventionGroup,
    Pupil,
    Role,
    TeachingGroup,
    TeachingGroupMember,
    User,
)
from sendesk.rules import jcq
from sendesk.services.access.records import is_live, split_subjects
from sendesk.services.actor import Actor, acting_user
from sendesk.services.school.school import init_school
from sendesk.services.scope import pupils_in_scope
from sendesk.services.staff import users
from sendesk.services.store import pg_security
from sendesk.services.store.audit import chain_problems
from tests.pg_owner import owner_and_database

pytestmark = pytest.mark.postgres

TODAY = date(2026, 3, 16)
PASSWORD = "a-long-test-password"

PUPIL_TABLES = (
    "need_profile",
    "contact",
    "register_entry",
    "need",
    "support_plan",
    "attendance_record",
    "attainment_snapshot",
    "enrolment",
    "access_assessment",
    "access_arrangement",
    "exam_entry",
)
"""Tables with a pupil_id a teacher and learning support see within their scope."""
EHC_TABLES = ("ehc_request", "ehc_clock_exception", "la_profile")
"""Requests, where a case stands, the LAs' contacts: the SENCo's only."""
PLAN_TABLES = ("ehc_plan", "annual_review")
"""The issued plans and their reviews: for the staff who work with the pupil."""


@dataclass
class School:
    """A demo school on the test server, secured, with one login per role."""

    owner: Database
    host: str
    port: int
    dbname: str
    owner_url: str
    logins: dict[Role, str]  # role -> username
    arrangement_id: int  # a live arrangement of a pupil the small-class teacher teaches
    subject: str  # which that teacher teaches them

    def connect(self, username: str, password: str = PASSWORD) -> psycopg.Connection[Any]:
        """A login's own connection over TCP (autocommit: each refusal stands alone)."""
        return psycopg.connect(
            autocommit=True,
            host=self.host,
            port=self.port,
            dbname=self.dbname,
            user=pg_security.login_name(username),
            password=password,
        )

    def as_user(self, username: str, password: str = PASSWORD) -> Database:
        """The app's own Database, connected as the user's login (services end to end)."""
        url = pg_security.user_url(make_url(self.owner_url), username, password)
        return open_database(Target(None, url))

    def actor(self, role: Role) -> Actor:
        return acting_user(self.owner, self.logins[role])

    def owner_rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """What the owner (who bypasses row-level security) reads."""
        with self.owner.engine.connect() as conn:
            return [tuple(r) for r in conn.exec_driver_sql(sql, params).all()]

    def scope(self, role: Role) -> set[int]:
        """The app's scope of the role's login (services/scope.py); every pupil for None."""
        with self.owner.session() as s:
            found = pupils_in_scope(s, self.actor(role))
            return set(s.scalars(select(Pupil.id))) if found is None else set(found)


@pytest.fixture(scope="module")
def school(pg_server: Any) -> Iterator[School]:
    owned = owner_and_database(pg_server.admin_url)
    owner_url, dbname, host, port = owned.owner_url, owned.dbname, owned.host, owned.port
    owner = create_database(owner_url)
    write_demo_school(owner, pupils=150, seed=5, today=TODAY)
    pg_security.apply(owner.engine)
    # Every demo account gets its login; the test password for all of them.
    with owner.session() as s:
        accounts = s.execute(select(User.username, User.role).order_by(User.id)).all()
    pg_security.sync_all_logins(owner.engine, {u: PASSWORD for u, _r in accounts})
    senco = acting_user(owner, None)
    # The demo has no exams officer: the SENCo adds one, which makes the login too.
    users.create_user(owner, senco, "exams", "Exams Officer", Role.EXAMS_OFFICER, PASSWORD)
    # The demo's teachers each teach the whole small school: a new teacher with one small
    # class (a pupil with a live arrangement and four others) makes "only the pupils they
    # teach" a real test. That pupil also gets advice and a document for the SENCo only,
    # and one for staff.
    users.create_user(owner, senco, "tsmall", "Small Class", Role.TEACHER, PASSWORD)
    with owner.transaction() as s:
        teacher_id = s.scalar(select(User.id).where(User.username == "tsmall"))
        arrangement = next(
            a
            for a in s.scalars(select(AccessArrangement).order_by(AccessArrangement.id))
            if is_live(a.status, a.expires_on, TODAY) and a.status not in jcq.FINAL_STATUSES
        )
        subject = (split_subjects(arrangement.subjects) or ("Mathematics",))[0]
        others = s.scalars(
            select(Pupil.id).where(Pupil.id != arrangement.pupil_id).order_by(Pupil.id).limit(4)
        )
        group = TeachingGroup(code="T-SMALL", subject=subject, teacher_id=teacher_id)
        group.members = [TeachingGroupMember(pupil_id=p) for p in (arrangement.pupil_id, *others)]
        s.add(group)
        pid = arrangement.pupil_id
        camhs = AgencyInvolvement(
            pupil_id=pid, agency="CAMHS", advice="For the SENCo.", confidentiality="senco"
        )
        ep = AgencyInvolvement(pupil_id=pid, agency="EP", advice="For staff.")
        s.add_all([camhs, ep])
        for level in ("senco", "staff"):
            s.add(
                EvidenceDocument(
                    pupil_id=pid,
                    title=f"Letter ({level})",
                    filename="letter.txt",
                    media_type="text/plain",
                    size=5,
                    sha256="0" * 64,
                    content=b"hello",
                    confidentiality=level,
                )
            )
    logins = {Role.SENCO: senco.username, Role.EXAMS_OFFICER: "exams", Role.TEACHER: "tsmall"}
    with owner.session() as s:
        ls = s.execute(
            select(User.username)
            .join(InterventionGroup, InterventionGroup.staff_id == User.id)
            .join(Enrolment, Enrolment.group_id == InterventionGroup.id)
            .where(User.role == Role.LEARNING_SUPPORT.value)
            .group_by(User.username)
            .order_by(func.count().desc())
        ).first()
        ro = s.scalar(select(User.username).where(User.role == Role.READ_ONLY.value))
    assert ls and ro
    logins |= {Role.LEARNING_SUPPORT: ls[0], Role.READ_ONLY: ro}
    yield School(owner, host, port, dbname, owner_url, logins, arrangement.id, subject)
    owner.dispose()


def _one(conn: psycopg.Connection[Any], sql: str, *params: Any) -> Any:
    row = conn.execute(sql, params).fetchone()
    assert row is not None
    return row[0]


def _refused(conn: psycopg.Connection[Any], sql: str, *params: Any) -> None:
    with pytest.raises(errors.InsufficientPrivilege):
        conn.execute(sql, params)


def _pupil_ids(conn: psycopg.Connection[Any], table: str) -> list[int]:
    return [r[0] for r in conn.execute(f"SELECT pupil_id FROM {table}").fetchall()]


def test_every_table_is_in_the_table_of_grants() -> None:
    """A table missing from pg_security.TABLES is the owner's alone (fail closed), but a
    new table must be listed there to be usable: this fails first."""
    assert set(Base.metadata.tables) <= set(pg_security.TABLES)


NAMED = (Role.SENCO, Role.TEACHER, Role.LEARNING_SUPPORT)


@pytest.mark.parametrize("role", list(Role))
def test_each_login_reads_exactly_what_the_app_shows_it(school: School, role: Role) -> None:
    username = school.logins[role]
    scope = school.scope(role)
    everyone = school.scope(Role.SENCO)
    with school.connect(username) as conn:
        # The school's name is everyone's; the staff list's names too, never the hashes.
        assert _one(conn, "SELECT count(*) FROM school") == 1
        assert _one(conn, "SELECT count(*) FROM user_account") == len(
            school.owner_rows("SELECT id FROM user_account")
        )
        if role is not Role.SENCO:
            _refused(conn, "SELECT password_hash FROM user_account")
        # Pupils: the app's scope exactly; every pupil for the exams officer's list; none
        # for read-only.
        if role is Role.READ_ONLY:
            _refused(conn, "SELECT id FROM pupil")
        else:
            seen = {r[0] for r in conn.execute("SELECT id FROM pupil").fetchall()}
            assert seen == (everyone if role is Role.EXAMS_OFFICER else scope)
            if role in (Role.TEACHER, Role.LEARNING_SUPPORT):
                assert 0 < len(seen) < len(everyone)
        # Every pupil-linked table: the rows of the pupils in scope, all of them.
        for table in PUPIL_TABLES:
            exams_table = table in ("access_assessment", "access_arrangement", "exam_entry")
            if role is Role.READ_ONLY or (role is Role.EXAMS_OFFICER and not exams_table):
                _refused(conn, f"SELECT pupil_id FROM {table}")
                continue
            visible = everyone if role is Role.EXAMS_OFFICER else scope
            expected = sorted(
                p for (p,) in school.owner_rows(f"SELECT pupil_id FROM {table}") if p in visible
            )
            assert sorted(_pupil_ids(conn, table)) == expected, table
        # Advice and documents: staff-level only, within scope; the SENCo sees all.
        for table in ("agency_involvement", "evidence_document"):
            if role not in NAMED:
                _refused(conn, f"SELECT id FROM {table}")
                continue
            rows = school.owner_rows(f"SELECT id, pupil_id, confidentiality FROM {table}")
            expected_ids = sorted(
                i for i, p, level in rows if role is Role.SENCO or (level == "staff" and p in scope)
            )
            got = conn.execute(f"SELECT id, confidentiality FROM {table} ORDER BY id").fetchall()
            assert [i for i, _level in got] == expected_ids, table
            if role is not Role.SENCO:
                assert {level for _i, level in got} <= {"staff"}
                # …and no contents of a SENCo-only document, by any route.
                assert (
                    _one(
                        conn,
                        "SELECT count(*) FROM evidence_document WHERE confidentiality = 'senco'",
                    )
                    == 0
                )
        # EHC requests, where a case stands, the LA's contacts: the SENCo only.
        for table in EHC_TABLES:
            if role is Role.SENCO:
                assert _one(conn, f"SELECT count(*) FROM {table}") == len(
                    school.owner_rows(f"SELECT 1 FROM {table}")
                )
            else:
                _refused(conn, f"SELECT * FROM {table}")
        # Issued plans: the pupils they work with only; none for the exams officer.
        plans = school.owner_rows("SELECT id, pupil_id FROM ehc_plan")
        if role in (Role.TEACHER, Role.LEARNING_SUPPORT):
            got = conn.execute("SELECT id, pupil_id FROM ehc_plan").fetchall()
            assert sorted(got) == sorted(p for p in plans if p[1] in scope)
        elif role is not Role.SENCO:
            _refused(conn, "SELECT * FROM ehc_plan")
        # Classes: the memberships of the pupils in scope (their "subjects taught") and
        # those pupils' classes; for a teacher their own classes too.
        if role in (Role.TEACHER, Role.LEARNING_SUPPORT):
            members = school.owner_rows("SELECT group_id, pupil_id FROM teaching_group_member")
            got = conn.execute("SELECT group_id, pupil_id FROM teaching_group_member").fetchall()
            assert sorted(got) == sorted(m for m in members if m[1] in scope)
            codes = {r[0] for r in conn.execute("SELECT code FROM teaching_group")}
            assert codes == {
                c
                for (c,) in school.owner_rows(
                    "SELECT code FROM teaching_group g WHERE g.id IN"
                    " (SELECT group_id FROM teaching_group_member WHERE pupil_id = ANY(%s))",
                    sorted(scope),
                )
            }
            if role is Role.TEACHER:
                assert "T-SMALL" in codes
        elif role is not Role.SENCO:
            _refused(conn, "SELECT id FROM teaching_group")
        # The audit trail: the SENCo reads it all; everyone else only their own events.
        own = school.owner_rows(
            "SELECT count(*) FROM audit_event a JOIN user_account u ON u.id = a.user_id "
            "WHERE u.username = %s",
            username,
        )[0][0]
        total = school.owner_rows("SELECT count(*) FROM audit_event")[0][0]
        assert _one(conn, "SELECT count(*) FROM audit_event") == (
            total if role is Role.SENCO else own
        )


def test_the_sql_scope_is_the_apps_and_answers_only_for_oneself(school: School) -> None:
    teacher, senco = school.logins[Role.TEACHER], school.logins[Role.SENCO]
    with school.connect(teacher) as conn:
        mine = {r[0] for r in conn.execute("SELECT sendesk_pupils_in_scope()")}
        assert mine == school.scope(Role.TEACHER)
        some = next(iter(mine))
        assert _one(conn, "SELECT sendesk_pupil_visible(%s)", some) is True
        outside = min(school.scope(Role.SENCO) - mine)
        assert _one(conn, "SELECT sendesk_pupil_visible(%s)", outside) is False
        # Asking for the SENCo's scope from a teacher's login gives nothing.
        login = pg_security.login_name(senco)
        assert conn.execute("SELECT sendesk_pupils_of(%s)", (login,)).fetchall() == []
        # Only the SENCo manages logins.
        _refused(conn, "SELECT sendesk_sync_login(%s, 'senco', true, NULL)", teacher)
    with school.connect(senco) as conn:
        # …and only logins of accounts as the table has them: no hidden extra login, no
        # role the account does not have.
        _refused(conn, "SELECT sendesk_sync_login('ghost', 'senco', true, NULL)")
        _refused(conn, "SELECT sendesk_sync_login(%s, 'senco', true, NULL)", teacher)


def _taught_and_not(school: School) -> tuple[int, int]:
    """A live arrangement of a pupil the teacher teaches, and one of a pupil they do not."""
    taught = school.scope(Role.TEACHER)
    other = next(
        i
        for i, p in school.owner_rows("SELECT id, pupil_id FROM access_arrangement ORDER BY id")
        if p not in taught
    )
    return school.arrangement_id, other


def _user_id(school: School, role: Role) -> int:
    found = school.owner_rows(
        "SELECT id FROM user_account WHERE username = %s", school.logins[role]
    )
    return int(found[0][0])


def test_what_a_teacher_may_write(school: School) -> None:
    me = _user_id(school, Role.TEACHER)
    mine, other = _taught_and_not(school)
    insert = (
        "INSERT INTO nww_evidence (arrangement_id, subject, recorded_on, task_kind, task, used,"
        " note, recorded_by_id, recorded_at) "
        "VALUES (%s, %s, %s, 'classwork', '', true, '', %s, now())"
    )
    with school.connect(school.logins[Role.TEACHER]) as conn:
        with conn.transaction(force_rollback=True):
            conn.execute(insert, (mine, school.subject, TODAY, me))
            # …and takes their own slip back.
            conn.execute("DELETE FROM nww_evidence WHERE recorded_by_id = %s", (me,))
        _refused(conn, insert, other, school.subject, TODAY, me)  # not their pupil
        _refused(conn, insert, mine, school.subject, TODAY, me + 1)  # not in their name
        _refused(conn, "UPDATE pupil SET legal_surname = 'X'")
        _refused(
            conn,
            "INSERT INTO register_entry (pupil_id, provision, start_date, recorded_at)"
            " VALUES (%s, 'K', %s, now())",
            next(iter(school.scope(Role.TEACHER))),
            TODAY,
        )
        _refused(conn, "UPDATE access_arrangement SET notes = 'x'")
        _refused(conn, "UPDATE user_account SET role = 'senco' WHERE id = %s", me)
        # Their own sign-in counters, yes; someone else's, no row to change.
        assert (
            conn.execute(
                "UPDATE user_account SET failed_sign_ins = 0 WHERE id = %s", (me,)
            ).rowcount
            == 1
        )
        senco_id = _user_id(school, Role.SENCO)
        assert (
            conn.execute(
                "UPDATE user_account SET failed_sign_ins = 0 WHERE id = %s", (senco_id,)
            ).rowcount
            == 0
        )


def test_what_learning_support_may_write(school: School) -> None:
    me = _user_id(school, Role.LEARNING_SUPPORT)
    mine = school.owner_rows(
        "SELECT e.id, e.group_id FROM enrolment e JOIN intervention_group g ON g.id = e.group_id"
        " WHERE g.staff_id = %s ORDER BY e.id",
        me,
    )
    other_group = school.owner_rows(
        "SELECT id FROM intervention_group WHERE staff_id IS DISTINCT FROM %s ORDER BY id", me
    )[0][0]
    enrolment_id, group_id = mine[0]
    with school.connect(school.logins[Role.LEARNING_SUPPORT]) as conn:
        with conn.transaction(force_rollback=True):
            conn.execute(
                "INSERT INTO measurement (enrolment_id, taken_on, value) VALUES (%s, %s, 3)",
                (enrolment_id, TODAY),
            )
            conn.execute(
                "UPDATE enrolment SET exit_measure = 4, exit_date = %s WHERE id = %s",
                (TODAY, enrolment_id),
            )
            conn.execute(
                "UPDATE enrolment SET entry_measure = 2, entry_date = %s WHERE id = %s",
                (TODAY, enrolment_id),
            )
            # Another group's enrolment: no row of theirs to change.
            assert (
                conn.execute(
                    "UPDATE enrolment SET entry_measure = 2 WHERE group_id <> ALL(%s)",
                    ([g for _e, g in mine],),
                ).rowcount
                == 0
            )
            session_id = _one(
                conn,
                "INSERT INTO delivered_session (group_id, held_on, delivered, minutes,"
                " logged_by_id, logged_at) VALUES (%s, '2031-01-06', true, 30, %s, now())"
                " RETURNING id",
                group_id,
                me,
            )
            conn.execute(
                "INSERT INTO session_attendance (session_id, enrolment_id, attended, minutes,"
                " note) VALUES (%s, %s, true, 30, '')",
                (session_id, enrolment_id),
            )
        _refused(
            conn,
            "INSERT INTO delivered_session (group_id, held_on, delivered, minutes,"
            " logged_by_id, logged_at) VALUES (%s, '2031-01-06', true, 30, %s, now())",
            other_group,
            me,
        )
        _refused(conn, "UPDATE enrolment SET pupil_id = pupil_id")
        _refused(conn, "UPDATE enrolment SET group_id = group_id")
        _refused(conn, "UPDATE register_entry SET reason = 'x'")
        _refused(conn, "INSERT INTO nww_evidence (arrangement_id) VALUES (1)")


def test_exams_officer_and_read_only_write_nothing_but_the_audit_trail(school: School) -> None:
    for role in (Role.EXAMS_OFFICER, Role.READ_ONLY):
        with school.connect(school.logins[role]) as conn:
            for sql in (
                "UPDATE access_arrangement SET notes = 'x'",
                "DELETE FROM exam_entry",
                "UPDATE school SET name = 'x'",
                "UPDATE setting SET value = value",
                "UPDATE pupil SET legal_surname = 'x'",
            ):
                _refused(conn, sql)


def test_the_senco_writes_the_register_and_every_pupil_table(school: School) -> None:
    with school.connect(school.logins[Role.SENCO]) as conn, conn.transaction(force_rollback=True):
        assert conn.execute("UPDATE register_entry SET reason = reason").rowcount > 0
        assert conn.execute("UPDATE pupil SET preferred_forename = preferred_forename").rowcount
        assert conn.execute("DELETE FROM ehc_clock_exception").rowcount >= 0


@pytest.mark.parametrize("role", list(Role))
def test_nobody_but_the_owner_changes_or_deletes_audit_events(school: School, role: Role) -> None:
    me = _user_id(school, role)
    with school.connect(school.logins[role]) as conn:
        _refused(conn, "UPDATE audit_event SET action = 'edited'")
        _refused(conn, "DELETE FROM audit_event")
        _refused(conn, "TRUNCATE audit_event")
        # Appending is in one's own name only, and at the end of the chain.
        insert = (
            "INSERT INTO audit_event (at, user_id, action, entity, detail, prev_hash, hash)"
            " VALUES (now(), %s, 'forged', 'pupil', '{}', %s, '')"
        )
        head = _one(conn, "SELECT head FROM sendesk_audit_head()")
        _refused(conn, insert, me + 1000, head)
        _refused(conn, insert, me, "0" * 64)  # a fork from the start
        with conn.transaction(force_rollback=True):
            conn.execute(insert, (me, head))


def test_the_trigger_refuses_even_a_login_granted_update(school: School) -> None:
    """Belt and braces: were the owner to GRANT UPDATE and DELETE by mistake (and a
    policy letting them through), the trigger still refuses every login but the owner;
    the owner itself can."""
    group = pg_security.group_name(school.dbname, Role.SENCO)
    with school.owner.engine.begin() as conn:
        conn.exec_driver_sql(f'GRANT UPDATE, DELETE ON audit_event TO "{group}"')
        conn.exec_driver_sql(f'CREATE POLICY oops ON audit_event FOR ALL TO "{group}" USING (true)')
    try:
        with school.connect(school.logins[Role.SENCO]) as conn:
            _refused(conn, "UPDATE audit_event SET action = 'edited'")
            _refused(conn, "DELETE FROM audit_event")
    finally:
        with school.owner.engine.begin() as conn:
            conn.exec_driver_sql("DROP POLICY oops ON audit_event")
            conn.exec_driver_sql(f'REVOKE UPDATE, DELETE ON audit_event FROM "{group}"')
    with school.owner.engine.connect() as conn:
        trans = conn.begin()
        assert conn.exec_driver_sql("UPDATE audit_event SET action = action").rowcount > 0
        assert conn.exec_driver_sql("DELETE FROM audit_event").rowcount > 0
        trans.rollback()


def test_the_server_refuses_a_wrong_password(school: School) -> None:
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        school.connect(school.logins[Role.SENCO], "not-the-password")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        school.connect("nobody-at-all")


# --- the app's services, connected as the user's login ----------------------------------


def test_a_teacher_records_nww_evidence_through_the_app(school: School) -> None:
    from sendesk.services.access.nww import record_nww
    from sendesk.services.access.records import NwwData

    name = school.logins[Role.TEACHER]
    with school.as_user(name) as db:
        actor = users.sign_in(db, name, PASSWORD)
        assert actor.role is Role.TEACHER
        new_id = record_nww(
            db,
            actor,
            NwwData(school.arrangement_id, school.subject, TODAY, "classwork", "Unit test"),
            today=TODAY,
        )
    [(recorded_by,)] = school.owner_rows(
        "SELECT u.username FROM nww_evidence n JOIN user_account u ON u.id = n.recorded_by_id"
        " WHERE n.id = %s",
        new_id,
    )
    assert recorded_by == name
    with school.owner.session() as s:
        assert list(chain_problems(s)) == []


def test_a_teacher_raises_a_concern_and_adds_evidence_through_the_app(school: School) -> None:
    """A cause for concern with a work sample, the SENCo's question, the teacher's answer:
    each written connected as its own login (the row policies let exactly this through)."""
    from sendesk.rules.concerns import ConcernDraft
    from sendesk.services.graduated import concerns

    name = school.logins[Role.TEACHER]
    pupil = min(school.scope(Role.TEACHER))
    sample = concerns.WorkSample(b"%PDF-1.4\n%%EOF\n", "Writing sample", "writing.pdf")
    draft = ConcernDraft("Cognition and learning", "Letters reversed", "Word mat", 4, TODAY)
    with school.as_user(name) as db:
        teacher = users.sign_in(db, name, PASSWORD)
        cid = concerns.raise_concern(db, teacher, pupil, draft, (sample,), today=TODAY)
    senco_name = school.logins[Role.SENCO]
    with school.as_user(senco_name) as db:
        senco = users.sign_in(db, senco_name, PASSWORD)
        (item,) = [c for c in concerns.list_concerns(db, senco, pupil) if c.id == cid]
        version = concerns.ask_for_evidence(db, senco, cid, item.version, "More", on=TODAY)
    with school.as_user(name) as db:
        teacher = users.sign_in(db, name, PASSWORD)
        concerns.add_evidence(db, teacher, cid, version, "Two more weeks: no change", on=TODAY)
        (item,) = [c for c in concerns.list_concerns(db, teacher, pupil) if c.id == cid]
    assert [s.kind for s in item.steps] == ["raised", "evidence asked", "evidence added"]
    assert (
        item.steps[0].by
        == school.owner_rows("SELECT display_name FROM user_account WHERE username = %s", name)[0][
            0
        ]
    )
    assert len(item.document_ids) == 1
    with school.owner.session() as s:
        assert list(chain_problems(s)) == []


def test_the_senco_books_a_meeting_and_the_teacher_reads_who_came(
    school: School, tmp_path: Path
) -> None:
    """A review meeting booked, its letter written, who came recorded and the one-page
    profile written, each as the SENCo's login; read back as the teacher's (their pupil
    only): the grants and row policies of the meeting tables let exactly this through."""
    from datetime import time, timedelta

    from sendesk.errors import PermissionDeniedError
    from sendesk.operations.meeting_letter import write_invitation_letter
    from sendesk.rules.meetings import KIND_PLAN, AttendeeDraft, InviteeDraft, MeetingDraft
    from sendesk.services.graduated import meetings, one_page_profile, support_plans

    teacher_name, senco_name = school.logins[Role.TEACHER], school.logins[Role.SENCO]
    taught = school.scope(Role.TEACHER)
    pupil = min(taught)
    outside = min(school.scope(Role.SENCO) - taught)
    with school.as_user(senco_name) as db:
        senco = users.sign_in(db, senco_name, PASSWORD)
        if not support_plans.list_plans(db, senco, pupil):
            support_plans.create_plan(
                db,
                senco,
                pupil,
                support_plans.PlanDraft(
                    TODAY - timedelta(days=60),
                    TODAY + timedelta(days=20),
                    outcomes=(
                        support_plans.OutcomeDraft("Reads 40 words", "Cognition and learning"),
                        support_plans.OutcomeDraft("Asks for help", "Cognition and learning"),
                    ),
                ),
            )
        draft = MeetingDraft(
            KIND_PLAN,
            TODAY - timedelta(days=1),
            time(9, 0),
            "Library",
            (InviteeDraft("A Parent", "Parent", True), InviteeDraft("Ms Class", "Teacher")),
        )
        booked = meetings.schedule_meeting(
            db, senco, pupil, draft, today=TODAY - timedelta(days=20)
        )
        letter = write_invitation_letter(
            db, senco, booked.meeting_id, booked.version, tmp_path / "letter.pdf",
            today=TODAY - timedelta(days=20),
        )  # fmt: skip
        item = meetings.get_meeting(db, senco, booked.meeting_id)
        people = tuple(
            AttendeeDraft(p.name, p.role, True, f"{p.name} spoke", p.parent, p.id)
            for p in item.people
        )
        meetings.record_attendance(db, senco, item.id, letter.version, people, today=TODAY)
        one_page_profile.save_profile(
            db, senco, pupil, one_page_profile.profile_data(db, senco, pupil).version,
            one_page_profile.ProfileDraft("Kind", "My dog", "Tell me twice", TODAY, True),
            today=TODAY,
        )  # fmt: skip
    with school.as_user(teacher_name) as db:
        teacher = users.sign_in(db, teacher_name, PASSWORD)
        (read,) = [m for m in meetings.list_meetings(db, teacher, pupil) if m.id == item.id]
        assert [(p.name, p.attended, p.contribution) for p in read.people] == [
            ("A Parent", True, "A Parent spoke"),
            ("Ms Class", True, "Ms Class spoke"),
        ]
        assert one_page_profile.profile_data(db, teacher, pupil).parts[0].text == "Kind"
        with pytest.raises(PermissionDeniedError):
            meetings.list_meetings(db, teacher, outside)
    with school.connect(teacher_name) as conn:
        # the server itself: the teacher's login sees no meeting of a pupil outside scope
        assert _one(conn, "SELECT count(*) FROM review_meeting WHERE pupil_id = %s", outside) == 0
    with school.owner.session() as s:
        assert list(chain_problems(s)) == []


def test_the_senco_changes_the_register_and_manages_logins_through_the_app(
    school: School,
) -> None:
    from sendesk.services.register.register import change_status, load_current

    name = school.logins[Role.SENCO]
    with school.as_user(name) as db:
        senco = users.sign_in(db, name, PASSWORD)
        with db.session() as s:
            current = load_current(s)
            pupil = min(
                p
                for p in school.scope(Role.SENCO)
                if p not in current or current[p].provision not in ("K", "E")
            )
        change_status(db, senco, pupil, "K", ["SPLD"], TODAY, "Assessed by the SENCo")
        # A new member of staff: their login exists, with the first password, and reads
        # only what a teacher with no classes reads: no pupils.
        users.create_user(db, senco, "newstaff", "New Staff", Role.TEACHER, "first-password-1")
        with school.connect("newstaff", "first-password-1") as conn:
            assert _one(conn, "SELECT count(*) FROM pupil") == 0
        users.set_role(db, senco, "newstaff", Role.EXAMS_OFFICER)
        with school.connect("newstaff", "first-password-1") as conn:
            assert _one(conn, "SELECT count(*) FROM pupil") == len(school.scope(Role.SENCO))
        users.set_active(db, senco, "newstaff", False)
        with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
            school.connect("newstaff", "first-password-1")
        users.set_active(db, senco, "newstaff", True)
        users.set_password(db, senco, "newstaff", "second-password-2")
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            school.connect("newstaff", "first-password-1")
    [(provision,)] = school.owner_rows(
        "SELECT provision FROM register_entry WHERE pupil_id = %s AND end_date IS NULL"
        " AND voided_at IS NULL",
        pupil,
    )
    assert provision == "K"
    # The new user signs in as their login and chooses their own password.
    with school.as_user("newstaff", "second-password-2") as db:
        actor = users.sign_in(db, "newstaff", "second-password-2")
        assert actor.must_change_password
        with pytest.raises(SendeskError, match="different"):
            users.change_own_password(db, actor, "second-password-2", "second-password-2")
        users.change_own_password(db, actor, "my-own-password-3", "my-own-password-3")
        users.sign_in(db, "newstaff", "my-own-password-3")  # a new connection: new password
    with school.connect("newstaff", "my-own-password-3") as conn:
        assert _one(conn, "SELECT current_user") == "sendesk_newstaff"
    with school.owner.session() as s:
        assert list(chain_problems(s)) == []


def test_a_teacher_cannot_manage_logins_through_the_app_either(school: School) -> None:
    name = school.logins[Role.TEACHER]
    with school.as_user(name) as db:
        actor = users.sign_in(db, name, PASSWORD)
        # Pretend the app's own check were gone: the server still refuses.
        forged = Actor(actor.user_id, actor.username, actor.display_name, Role.SENCO)
        with pytest.raises(Exception, match=r"permission denied|row-level security"):
            users.set_role(db, forged, school.logins[Role.READ_ONLY], Role.SENCO)


def test_read_only_sees_the_schools_figures_and_no_pupil(school: School) -> None:
    """The anonymised figures come from the database's own function: the same counts the
    owner's full read gives, and read-only's login never reads a pupil row."""
    from sendesk.services.school.statistics import _figures, register_statistics

    name = school.logins[Role.READ_ONLY]
    with school.owner.session() as s:
        expected = _figures(s)
    owner_view = register_statistics(school.owner, school.actor(Role.SENCO))
    with school.as_user(name) as db:
        actor = users.sign_in(db, name, PASSWORD)
        figures = register_statistics(db, actor)
    assert figures == owner_view
    # …and the function counts what the Python reading of every pupil row counts.
    by_python: Counter[tuple[Any, ...]] = Counter()
    for year, provision, need, n in expected:
        by_python[(year, provision, need)] += n
    with school.owner.session() as s:
        by_sql = Counter({(y, p, n): c for y, p, n, c in pg_security.register_figures(s)})
    assert by_sql == by_python
    assert figures.pupils == len(expected) == len(school.scope(Role.SENCO))
    with school.connect(name) as conn:
        _refused(conn, "SELECT id FROM pupil")
        assert _one(conn, "SELECT sum(pupils) FROM sendesk_register_figures()") == len(expected)
    with school.connect(school.logins[Role.TEACHER]) as conn:
        _refused(conn, "SELECT * FROM sendesk_register_figures()")


def test_on_a_secured_server_only_the_senco_works_out_the_governors_figures(
    school: School,
) -> None:
    """Row-level security would show read-only (and a teacher) only some rows, or none:
    figures from those would be quietly short, so they are refused in one sentence."""
    from sendesk.errors import PermissionDeniedError
    from sendesk.services.school.figures import school_figures

    name = school.logins[Role.READ_ONLY]
    with school.as_user(name) as db:
        actor = users.sign_in(db, name, PASSWORD)
        with pytest.raises(PermissionDeniedError, match="only the SENCo"):
            school_figures(db, actor)
    name = school.logins[Role.SENCO]
    with school.as_user(name) as db:
        figures = school_figures(db, users.sign_in(db, name, PASSWORD))
    assert figures.register.pupils == len(school.scope(Role.SENCO))


def _reads(role: Role) -> list[str]:
    """The reading services each role's screens call (the permission table's cells that
    are not "—"), by name."""
    named = [
        "view_record",
        "register_rows",
        "due_items",
        "passport_data",
        "list_documents",
        "list_involvements",
        "list_plans",
        "list_attendance",
        "list_attainment",
        "pupil_enrolments",
        "pupil_access",
        "nww_for_pupil",
        "ehc_plans",
        "list_concerns",
        "list_meetings",
        "profile_data",
    ]
    return {
        Role.SENCO: [*named, "my_class_lists", "my_groups", "exams_officer_rows"],
        Role.TEACHER: [*named, "my_class_lists"],
        Role.LEARNING_SUPPORT: [*named, "my_groups"],
        Role.EXAMS_OFFICER: ["exams_officer_rows"],
        Role.READ_ONLY: [],
    }[role]


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.READ_ONLY])
def test_each_roles_screens_work_connected_as_its_login(school: School, role: Role) -> None:
    """Every reading service a role's screens call runs connected as that role's login:
    the server's grants never refuse what the app allows (a refusal would be a crash)."""
    from sendesk.services import due
    from sendesk.services.access import class_lists as access_class_lists
    from sendesk.services.access import nww as access_nww
    from sendesk.services.access import overviews as access_overviews
    from sendesk.services.access import pupil_access as access_pupil
    from sendesk.services.ehc import plans as ehc_plans
    from sendesk.services.evidence import agencies, evidence
    from sendesk.services.graduated import (
        concerns,
        meetings,
        one_page_profile,
        passport,
        progress_data,
        support_plans,
    )
    from sendesk.services.graduated import enrolments as intervention_enrolments
    from sendesk.services.graduated import sessions as intervention_sessions
    from sendesk.services.register import pupil_record, register_view

    name = school.logins[role]
    pupil = (
        min(school.scope(role))
        if role is not Role.EXAMS_OFFICER
        else school.scope(Role.TEACHER).pop()
    )
    [(upn,)] = school.owner_rows("SELECT upn FROM pupil WHERE id = %s", pupil)
    calls = {
        "view_record": lambda db, a: pupil_record.view_record(db, a, pupil),
        "register_rows": lambda db, a: register_view.register_rows(db, a, include_all=True),
        "due_items": lambda db, a: due.due_items(db, a, today=TODAY),
        "passport_data": lambda db, a: passport.passport_data(db, a, upn, today=TODAY),
        "list_documents": lambda db, a: evidence.list_documents(db, a, pupil),
        "list_involvements": lambda db, a: agencies.list_involvements(db, a, pupil),
        "list_plans": lambda db, a: support_plans.list_plans(db, a, pupil),
        "list_attendance": lambda db, a: progress_data.list_attendance(db, a, pupil),
        "list_attainment": lambda db, a: progress_data.list_attainment(db, a, pupil),
        "pupil_enrolments": lambda db, a: intervention_enrolments.pupil_enrolments(db, a, pupil),
        "pupil_access": lambda db, a: access_pupil.pupil_access(db, a, pupil, today=TODAY),
        "nww_for_pupil": lambda db, a: access_nww.nww_for_pupil(db, a, pupil),
        "my_class_lists": lambda db, a: access_class_lists.my_class_lists(db, a, today=TODAY),
        "my_groups": lambda db, a: intervention_sessions.my_groups(db, a, TODAY),
        "exams_officer_rows": lambda db, a: access_overviews.exams_officer_rows(db, a, today=TODAY),
        "ehc_plans": lambda db, a: ehc_plans.list_plans(db, a, pupil, today=TODAY),
        "list_concerns": lambda db, a: concerns.list_concerns(db, a, pupil),
        "list_meetings": lambda db, a: meetings.list_meetings(db, a, pupil),
        "profile_data": lambda db, a: one_page_profile.profile_data(db, a, pupil, today=TODAY),
    }
    failures: dict[str, str] = {}
    with school.as_user(name) as db:
        actor = users.sign_in(db, name, PASSWORD)
        for call in _reads(role):
            try:
                calls[call](db, actor)
            except Exception as exc:  # every screen's failure, not just the first
                failures[call] = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    assert failures == {}


def test_learning_support_logs_sessions_and_measures_through_the_app(school: School) -> None:
    """A session log with its attendance (replacing the demo's log of that day, so the
    update and delete paths run too), and a measure, for a group they lead: the writes
    the app makes for learning support, connected as their login."""
    from datetime import timedelta

    from sendesk.services.graduated.enrolments import add_measurement
    from sendesk.services.graduated.intervention_records import AttendanceEntry
    from sendesk.services.graduated.sessions import log_session, my_groups

    name = school.logins[Role.LEARNING_SUPPORT]
    with school.as_user(name) as db:
        actor = users.sign_in(db, name, PASSWORD)
        day, groups = next(
            (d, g)
            for d in (TODAY - timedelta(days=n) for n in range(7))
            if (g := [x for x in my_groups(db, actor, d) if x.pupils])
        )
        group = groups[0]
        lines = [AttendanceEntry(p.enrolment_id, True) for p in group.pupils]
        session_id = log_session(
            db, actor, group.group_id, day, True, None, group.minutes_per_session, lines
        )
        [(entry,)] = school.owner_rows(
            "SELECT entry_measure FROM enrolment WHERE id = %s", lines[0].enrolment_id
        )
        if entry is not None:
            add_measurement(db, actor, lines[0].enrolment_id, day, float(entry))
    [(logged_by,)] = school.owner_rows(
        "SELECT u.username FROM delivered_session d JOIN user_account u ON u.id = d.logged_by_id"
        " WHERE d.id = %s",
        session_id,
    )
    assert logged_by == name
    assert school.owner_rows(
        "SELECT count(*) FROM session_attendance WHERE session_id = %s", session_id
    ) == [(len(lines),)]
    with school.owner.session() as s:
        assert list(chain_problems(s)) == []


def test_setting_up_again_changes_nothing(school: School) -> None:
    """apply() runs after every migration: a second run leaves the same grants and
    policies (and the logins as they were)."""
    snapshot = (
        "SELECT (SELECT array_agg(p ORDER BY p) FROM (SELECT tablename || '.' || policyname"
        " || coalesce(qual, '') || coalesce(with_check, '') AS p FROM pg_policies) x),"
        " (SELECT array_agg(g ORDER BY g) FROM (SELECT table_name || privilege_type || grantee"
        " AS g FROM information_schema.role_table_grants) y),"
        " (SELECT array_agg(c ORDER BY c) FROM (SELECT table_name || column_name"
        " || privilege_type || grantee AS c FROM information_schema.column_privileges) z)"
    )
    before = school.owner_rows(snapshot)
    pg_security.apply(school.owner.engine)
    assert school.owner_rows(snapshot) == before
    with school.connect(school.logins[Role.TEACHER]) as conn:
        assert _one(conn, "SELECT count(*) FROM pupil") == len(school.scope(Role.TEACHER))


def test_the_lock_screen_still_checks_the_password_on_a_login(school: School) -> None:
    """Connected as the user's login the hash is not readable, so the password typed at
    the lock screen is compared with the one the server accepted: a wrong one is refused
    (and counted), the right one unlocks."""
    from sendesk.services.staff.session_lock import unlock

    name = school.logins[Role.TEACHER]
    with school.as_user(name) as db:
        actor = users.sign_in(db, name, PASSWORD)
        with pytest.raises(SendeskError, match="not the password of the person signed in"):
            unlock(db, actor, "not-the-password")
        unlock(db, actor, PASSWORD)
    [(failures,)] = school.owner_rows(
        "SELECT failed_sign_ins FROM user_account WHERE username = %s", name
    )
    assert failures == 0  # the right password reset the count
    events = school.owner_rows(
        "SELECT a.action FROM audit_event a JOIN user_account u ON u.id = a.user_id"
        " WHERE u.username = %s ORDER BY a.id DESC LIMIT 5",
        name,
    )
    assert {("sign_in_failed",), ("unlock_failed",), ("unlock",)} <= set(events)


def test_a_login_appends_several_events_in_one_transaction(school: School) -> None:
    """The append trigger sees the events written earlier in the same flush, and takes the
    same advisory lock as services/store/audit.py."""
    from sendesk.services.store import audit

    assert pg_security.AUDIT_LOCK_KEY == audit.AUDIT_LOCK_KEY
    name = school.logins[Role.LEARNING_SUPPORT]
    with school.as_user(name) as db:
        actor = users.sign_in(db, name, PASSWORD)
        with db.transaction() as s:
            writer = audit.AuditWriter(s, actor)
            for n in range(3):
                writer.record("test", "nothing", None, {"n": n})
    with school.owner.session() as s:
        assert list(chain_problems(s)) == []


def test_two_schools_on_one_server_keep_their_groups_and_logins_apart(
    school: School, pg_server: Any
) -> None:
    """Group roles are per database; login names are the server's, so a second school's
    account with a name the first school uses is refused in one sentence."""
    owned = owner_and_database(pg_server.admin_url)
    owner_url, dbname = owned.owner_url, owned.dbname
    with create_database(owner_url) as other:
        users_senco = f"other{secrets.token_hex(3)}"
        init_school(other, "Other School", senco_username=users_senco, senco_name="Other")
        pg_security.apply(other.engine)
        senco = acting_user(other, users_senco)
        assert pg_security.group_name(dbname, Role.TEACHER) != pg_security.group_name(
            school.dbname, Role.TEACHER
        )
        taken = school.logins[Role.TEACHER]
        with pytest.raises(ValidationError, match=f"already has a login called sendesk_{taken}"):
            users.create_user(other, senco, taken, "Same Name", Role.TEACHER, PASSWORD)
        with other.session() as s:  # nothing was written
            assert s.scalar(select(func.count()).where(User.username == taken)) == 0
    # The first school's teacher still reads their pupils, and nothing of the other school.
    with school.connect(taken) as conn:
        assert _one(conn, "SELECT count(*) FROM pupil") == len(school.scope(Role.TEACHER))
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        psycopg.connect(
            host=school.host,
            port=school.port,
            dbname=dbname,
            user=pg_security.login_name(taken),
            password=PASSWORD,
        )


DELETES: dict[Role, set[str]] = {
    Role.SENCO: set(Base.metadata.tables) - {"audit_event"},
    # their own slip, taken back the same day; a session log replaced (a group they lead)
    Role.TEACHER: {"nww_evidence", "session_attendance"},
    Role.LEARNING_SUPPORT: {"session_attendance"},  # a session log replaced
    Role.EXAMS_OFFICER: set(),
    Role.READ_ONLY: set(),
}
"""Which tables each role's login may DELETE from at all (the rows are then policed)."""


@pytest.mark.parametrize("role", list(Role))
def test_every_tables_update_and_delete_for_each_login(school: School, role: Role) -> None:
    """Table by table: only the SENCo rewrites any column of anything (never an audit
    event); the others delete only what their work takes back. The statements match no
    row, so the server's privilege check is all that is tested."""
    with school.connect(school.logins[role]) as conn:
        for table in sorted(Base.metadata.tables):
            key = next(iter(Base.metadata.tables[table].primary_key.columns)).name
            update = f"UPDATE {table} SET {key} = {key} WHERE false"
            delete = f"DELETE FROM {table} WHERE false"
            if role is Role.SENCO and table != "audit_event":
                conn.execute(update)
            else:
                _refused(conn, update)
            if table in DELETES[role]:
                conn.execute(delete)
            else:
                _refused(conn, delete)


_EVERYONE_READS = {"school", "setting", "user_account", "audit_event"}
_PUPIL_WORK = set(Base.metadata.tables) - set(EHC_TABLES)
READS: dict[Role, set[str]] = {
    Role.SENCO: set(Base.metadata.tables),
    Role.TEACHER: _PUPIL_WORK,
    Role.LEARNING_SUPPORT: _PUPIL_WORK,
    Role.EXAMS_OFFICER: _EVERYONE_READS
    | {
        "pupil",
        "access_assessment",
        "assessment_score",
        "access_arrangement",
        "exam_entry",
        "nww_evidence",
    },
    Role.READ_ONLY: _EVERYONE_READS,
}
"""Which tables each role's login may SELECT from at all (the rows are then policed:
see test_each_login_reads_exactly_what_the_app_shows_it)."""


@pytest.mark.parametrize("role", list(Role))
def test_every_tables_select_for_each_login(school: School, role: Role) -> None:
    with school.connect(school.logins[role]) as conn:
        for table in sorted(Base.metadata.tables):
            if table in READS[role]:
                conn.execute(f"SELECT count(*) FROM {table}")
            else:
                _refused(conn, f"SELECT count(*) FROM {table}")
