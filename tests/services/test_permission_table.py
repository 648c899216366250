"""Every role × every action of the permission table, through the real services (issue 13).

For each role, each action is tried on a pupil the user works with ("inside") and on one
they do not ("outside"). Allowed: it succeeds. Refused (by role, or by scope): a
PermissionDeniedError, and the database is byte-for-byte what it was (every row of every
table, the audit chain included). A test also checks each action has a probe here, so a new
action cannot be added to the table without being walked.
"""

from __future__ import annotations

import hashlib
import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from sendesk.db import Database
from sendesk.errors import PermissionDeniedError
from sendesk.models import Base, Role
from sendesk.rules.census import Area
from sendesk.rules.concerns import ConcernDraft
from sendesk.rules.meetings import KIND_PLAN, InviteeDraft, MeetingDraft
from sendesk.rules.permissions import (
    FIGURES_ONLY,
    PERMISSIONS,
    ROLE_SCOPES,
    Action,
    Scope,
    markdown_table,
    scope_of,
)
from sendesk.services import due
from sendesk.services.access import arrangement_edits
from sendesk.services.access import exam_entries as access_entries
from sendesk.services.access import nww as access_nww
from sendesk.services.access import overviews as access_overviews
from sendesk.services.access import pupil_access as access_pupil
from sendesk.services.access import records as access_records
from sendesk.services.actor import Actor, acting_user
from sendesk.services.ehc import la_profiles, pack
from sendesk.services.ehc import plans as ehc_plans
from sendesk.services.ehc import requests as ehc_requests
from sendesk.services.evidence import agencies, evidence
from sendesk.services.graduated import (
    concerns,
    intervention_records,
    intervention_setup,
    meetings,
    one_page_profile,
    passport,
    progress_data,
    provision_map,
    support_plans,
)
from sendesk.services.graduated import enrolments as intervention_enrolments
from sendesk.services.graduated import sessions as intervention_sessions
from sendesk.services.register import census_check, pupil_record, register, register_view
from sendesk.services.school import settings, statistics
from sendesk.services.staff import teaching_groups, users
from sendesk.services.store import audit_log
from sendesk.services.transfer import leavers
from tests.factories import add_test_pupil

TODAY = date.today()
START = TODAY - timedelta(days=120)


@dataclass
class World:
    """A small school: pupils A (worked with by every member of staff) and B (by nobody
    but the SENCo), with something of every kind recorded for each."""

    db: Database
    tmp: Path
    senco: Actor
    staff: dict[Role, Actor]
    pupil: dict[bool, int]  # inside -> pupil id
    group: dict[tuple[int, bool], int] = field(default_factory=dict)  # (user, inside) -> group
    enrolment: dict[tuple[int, bool], int] = field(default_factory=dict)
    arrangement: dict[bool, int] = field(default_factory=dict)
    involvement: dict[bool, int] = field(default_factory=dict)
    document: dict[bool, int] = field(default_factory=dict)
    plan: dict[bool, int] = field(default_factory=dict)
    concern: dict[bool, int] = field(default_factory=dict)
    days: itertools.count = field(default_factory=lambda: itertools.count(1))


def _world(db: Database, tmp: Path) -> World:
    senco = acting_user(db, "senco")
    staff = {Role.SENCO: senco}
    for role in (Role.TEACHER, Role.LEARNING_SUPPORT, Role.EXAMS_OFFICER, Role.READ_ONLY):
        users.create_user(db, senco, role.value, f"A {role.value}", role, "first-password-1")
        staff[role] = acting_user(db, role.value)
    inside = add_test_pupil(db, senco, 1, provision="K", needs=("SPLD",), forename="Amy")
    outside = add_test_pupil(db, senco, 2, provision="K", needs=("SPLD",), forename="Ben")
    w = World(db, tmp, senco, staff, {True: inside, False: outside})
    teacher, ls = staff[Role.TEACHER], staff[Role.LEARNING_SUPPORT]
    teaching_groups.save_group(
        db,
        senco,
        None,
        None,
        teaching_groups.GroupData(
            "8E1", "English", teacher_id=teacher.user_id, pupil_ids=(inside,)
        ),
    )
    teaching_groups.save_group(
        db, senco, None, None, teaching_groups.GroupData("8E2", "English", pupil_ids=(outside,))
    )
    users.set_assigned_pupils(db, senco, ls.username, [inside])
    intervention = intervention_setup.add_intervention(
        db,
        senco,
        intervention_records.InterventionData(
            name="Reading boost",
            area="Cognition and learning",
            staff_role="Teaching assistant",
            measure="Reading score",
            measure_kind="standardised",
        ),
    )
    for leader in (teacher, ls, senco):
        for is_inside in (True, False):
            # each member of staff leads a group holding A; B is in the SENCo's groups only
            if leader is senco and is_inside:
                continue
            owner = leader if is_inside else senco
            gid = intervention_setup.add_group(
                db,
                senco,
                intervention_records.GroupData(
                    intervention_id=intervention,
                    name=f"G {leader.username} {is_inside}",
                    staff_id=owner.user_id,
                    weekdays=(0, 1, 2, 3, 4, 5, 6),
                    start_date=START,
                ),
            )
            pupil = w.pupil[is_inside]
            w.group[(leader.user_id, is_inside)] = gid
            w.enrolment[(leader.user_id, is_inside)] = intervention_enrolments.enrol(
                db, senco, gid, pupil, START, None, 85.0
            )
    for is_inside in (True, False):
        pid = w.pupil[is_inside]
        w.arrangement[is_inside] = arrangement_edits.propose_arrangement(
            db,
            senco,
            pid,
            access_records.ArrangementData(
                "word_processor", "picture_of_need", TODAY, subjects=("English",)
            ),
        )
        w.involvement[is_inside] = agencies.add_involvement(
            db,
            senco,
            pid,
            agencies.InvolvementData("Educational psychology", advice="Chunk tasks."),
        )
        w.document[is_inside] = evidence.add_document(
            db,
            senco,
            pid,
            b"%PDF-1.4\n%%EOF\n",
            "EP report",
            TODAY,
            filename="ep.pdf",
            confidentiality="staff",
        )
        w.plan[is_inside] = support_plans.create_plan(
            db,
            senco,
            pid,
            _draft("Reading age 7y2m"),
        )
        w.concern[is_inside] = concerns.raise_concern(
            db, senco, pid, _concern(TODAY - timedelta(days=200)), today=TODAY
        )
    return w


def _concern(on: date) -> ConcernDraft:
    return ConcernDraft(Area.SEMH.value, "Withdrawn in group work", "Seating plan", 3, on)


def _meeting(w: World, actor: Actor, inside: bool) -> object:
    """Book a support-plan review for the pupil (each probe books another)."""
    return meetings.schedule_meeting(
        w.db,
        actor,
        w.pupil[inside],
        MeetingDraft(
            KIND_PLAN,
            TODAY + timedelta(days=20),
            time(15, 30),
            "Library",
            (InviteeDraft("A Parent", "Parent", parent=True),),
        ),
        today=TODAY,
    )


def _profile(w: World, actor: Actor, inside: bool) -> int:
    """Write the pupil's one-page profile at the version stored (none the first time)."""
    pupil = w.pupil[inside]
    version = one_page_profile.profile_data(w.db, w.senco, pupil).version
    draft = one_page_profile.ProfileDraft("Kind to others", "My dog", "Tell me twice", TODAY)
    return one_page_profile.save_profile(w.db, actor, pupil, version, draft, today=TODAY)


def _ask_again(w: World, actor: Actor, inside: bool) -> int:
    """The SENCo's step on the concern: ask for more evidence (again), at its version."""
    (item,) = [
        c
        for c in concerns.list_concerns(w.db, w.senco, w.pupil[inside])
        if c.id == w.concern[inside]
    ]
    return concerns.ask_for_evidence(
        w.db, actor, item.id, item.version, "Two work samples, please", on=TODAY
    )


def _draft(assessment: str) -> support_plans.PlanDraft:
    cl = Area.COGNITION_LEARNING.value
    return support_plans.PlanDraft(
        start_date=START,
        review_due=TODAY + timedelta(days=60),
        assessment=assessment,
        outcomes=(
            support_plans.OutcomeDraft("Reads 40 common words", cl),
            support_plans.OutcomeDraft("Asks for help when stuck", cl),
        ),
    )


def _next_day(w: World) -> date:
    return TODAY - timedelta(days=next(w.days))


Probe = Callable[[World, Actor, bool], object]


def _group_of(w: World, actor: Actor, inside: bool) -> int:
    """Inside: a group the actor leads (the teacher's, for those who lead none); outside:
    one they do not (the SENCo's)."""
    teacher = w.staff[Role.TEACHER].user_id
    return w.group.get((actor.user_id, inside)) or w.group[(teacher, inside)]


def _enrolment_of(w: World, actor: Actor, inside: bool) -> int:
    teacher = w.staff[Role.TEACHER].user_id
    return w.enrolment.get((actor.user_id, inside)) or w.enrolment[(teacher, inside)]


def _pupil(w: World, inside: bool) -> int:
    return w.pupil[inside]


PROBES: dict[Action, Probe] = {
    Action.VIEW_REGISTER: lambda w, a, i: _must_list(
        register_view.register_rows(w.db, a), w.pupil[i], lambda r: r.pupil_id
    ),
    Action.VIEW_RECORD: lambda w, a, i: pupil_record.view_record(w.db, a, _pupil(w, i)),
    Action.VIEW_PASSPORT: lambda w, a, i: passport.passport_data(
        w.db, a, pupil_record.get_record(w.db, w.senco, _pupil(w, i)).upn
    ),
    Action.VIEW_SUPPORT_PLANS: lambda w, a, i: support_plans.get_plan(w.db, a, w.plan[i]),
    Action.VIEW_INTERVENTIONS: lambda w, a, i: intervention_enrolments.pupil_enrolments(
        w.db, a, _pupil(w, i)
    ),
    Action.VIEW_PROGRESS: lambda w, a, i: progress_data.list_attainment(w.db, a, _pupil(w, i)),
    Action.VIEW_AGENCY_ADVICE: lambda w, a, i: agencies.get_involvement(w.db, a, w.involvement[i]),
    Action.OPEN_DOCUMENTS: lambda w, a, i: evidence.document_bytes(w.db, a, w.document[i]),
    Action.VIEW_ACCESS_ARRANGEMENTS: lambda w, a, i: access_pupil.pupil_access(
        w.db, a, _pupil(w, i)
    ),
    Action.VIEW_EXAMS_LIST: lambda w, a, i: access_overviews.exams_officer_rows(w.db, a),
    Action.VIEW_EHC_REQUESTS: lambda w, a, i: ehc_requests.list_requests(w.db, a, _pupil(w, i)),
    Action.VIEW_EHC_PLANS: lambda w, a, i: ehc_plans.list_plans(w.db, a, _pupil(w, i)),
    Action.VIEW_PROVISION_COSTS: lambda w, a, i: provision_map.pupil_provision(
        w.db, a, _pupil(w, i), provision_map.academic_year_of(TODAY)
    ),
    Action.VIEW_DUE: lambda w, a, i: _must_list(
        due.due_items(w.db, a), w.pupil[i], lambda d: d.pupil_id
    ),
    Action.VIEW_CLASSES: lambda w, a, i: _must_list(
        [p for g in teaching_groups.list_groups(w.db, a) for p in g.pupil_ids],
        w.pupil[i],
        lambda p: p,
    ),
    Action.VIEW_CONCERNS: lambda w, a, i: concerns.list_concerns(w.db, a, _pupil(w, i)),
    Action.RAISE_CONCERN: lambda w, a, i: concerns.raise_concern(
        w.db, a, _pupil(w, i), _concern(_next_day(w)), today=TODAY
    ),
    Action.DECIDE_CONCERNS: _ask_again,
    Action.VIEW_MEETINGS: lambda w, a, i: meetings.list_meetings(w.db, a, _pupil(w, i)),
    Action.MANAGE_MEETINGS: _meeting,
    Action.WRITE_PROFILES: _profile,
    Action.VIEW_SCHOOL_FIGURES: lambda w, a, i: statistics.register_statistics(w.db, a),
    Action.VIEW_SCHOOL_COSTS: lambda w, a, i: provision_map.school_provision(
        w.db, a, provision_map.academic_year_of(TODAY)
    ),
    Action.RECORD_NWW: lambda w, a, i: access_nww.record_nww(
        w.db,
        a,
        access_records.NwwData(w.arrangement[i], "English", TODAY, "classwork", "Essay typed"),
    ),
    Action.LOG_SESSIONS: lambda w, a, i: intervention_sessions.log_session(
        w.db, a, _group_of(w, a, i), _next_day(w), False, "Staff absent", 0, ()
    ),
    Action.RECORD_MEASURES: lambda w, a, i: intervention_enrolments.add_measurement(
        w.db, a, _enrolment_of(w, a, i), TODAY, 90.0
    ),
    Action.CHANGE_REGISTER: lambda w, a, i: register.change_status(
        w.db, a, _pupil(w, i), "K", ("MLD",), TODAY, "Reassessed"
    ),
    Action.EDIT_PUPILS: lambda w, a, i: pupil_record.add_contact(
        w.db, a, _pupil(w, i), pupil_record.ContactData("A Parent")
    ),
    Action.IMPORT_DATA: lambda w, a, i: teaching_groups.save_group(
        w.db, a, None, None, teaching_groups.GroupData(f"X{next(w.days)}", "Maths")
    ),
    Action.TRANSFER_RECORDS: lambda w, a, i: leavers.record_leaving(
        w.db, a, _pupil(w, i), TODAY + timedelta(days=30), "Brook High", "802/4100"
    ),
    Action.EDIT_SUPPORT_PLANS: lambda w, a, i: support_plans.update_plan(
        w.db,
        a,
        w.plan[i],
        support_plans.get_plan(w.db, w.senco, w.plan[i]).version,
        _draft(f"Reading age 7y{next(w.days) % 12}m"),
    ),
    Action.MANAGE_INTERVENTIONS: lambda w, a, i: intervention_setup.add_intervention(
        w.db,
        a,
        intervention_records.InterventionData(
            name=f"Maths boost {next(w.days)}",
            area="Cognition and learning",
            staff_role="Teaching assistant",
            measure="Maths score",
            measure_kind="standardised",
        ),
    ),
    Action.RECORD_PROGRESS: lambda w, a, i: progress_data.add_attainment(
        w.db,
        a,
        _pupil(w, i),
        progress_data.AttainmentData("Maths", "Teacher assessment", "4", "5", TODAY),
    ),
    Action.EDIT_AGENCY_ADVICE: lambda w, a, i: agencies.add_involvement(
        w.db, a, _pupil(w, i), agencies.InvolvementData("Specialist teacher")
    ),
    Action.MANAGE_DOCUMENTS: lambda w, a, i: evidence.set_document_confidentiality(
        w.db, a, w.document[i], "senco" if next(w.days) % 2 else "staff"
    ),
    Action.MANAGE_ACCESS_ARRANGEMENTS: lambda w, a, i: access_entries.add_exam_entry(
        w.db, a, _pupil(w, i), f"Subject {next(w.days)}"
    ),
    Action.MANAGE_EHC: lambda w, a, i: la_profiles.save_la_profile(
        w.db, a, None, None, la_profiles.LaProfileData(name=f"Shire {next(w.days)}")
    ),
    Action.BUILD_PACK: lambda w, a, i: pack.gather(w.db, a, _pupil(w, i)),
    Action.CHECK_CENSUS: lambda w, a, i: census_check.census_check(w.db, a),
    Action.MANAGE_STAFF: lambda w, a, i: users.list_users(w.db, a),
    Action.CHANGE_SETTINGS: lambda w, a, i: settings.set_setting(
        w.db, a, "lock_after_minutes", str(5 + next(w.days) % 20)
    ),
    Action.READ_AUDIT: lambda w, a, i: audit_log.audit_listing(w.db, a),
}


def _must_list(rows: list, pupil_id: int, key: Callable) -> None:  # type: ignore[type-arg]
    """A list read: the pupil outside the actor's scope is simply not in it."""
    if pupil_id not in {key(r) for r in rows}:
        raise PermissionDeniedError("not listed")


def snapshot(db: Database) -> str:
    """Every row of every table, hashed: "changed nothing" means this is the same."""
    digest = hashlib.sha256()
    with db.session() as s:
        for table in Base.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            for row in s.execute(select(table).order_by(*order)):
                buf = io.StringIO()
                print(table.name, tuple(row), file=buf)
                digest.update(buf.getvalue().encode())
    return digest.hexdigest()


@pytest.fixture
def world(db: Database, tmp_path: Path) -> World:
    return _world(db, tmp_path)


def test_every_action_has_a_probe_and_every_cell_fits_its_role() -> None:
    assert set(PROBES) == set(Action)
    for action, permission in PERMISSIONS.items():
        assert set(permission.scopes) == set(Role), action
        for role, scope in permission.scopes.items():
            if action in FIGURES_ONLY:
                continue
            assert scope in ROLE_SCOPES[role], (action, role, scope)


def test_the_readme_roles_table_is_the_permission_table() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- roles-table:start -->\n") + len("<!-- roles-table:start -->\n")
    end = readme.index("\n<!-- roles-table:end -->")
    assert readme[start:end] == markdown_table(), "run: python -m sendesk.rules.permissions"


@pytest.mark.parametrize("role", list(Role))
def test_every_role_walks_every_action(world: World, role: Role) -> None:
    actor = world.staff[role]
    walked: list[str] = []
    for action in Action:
        scope = scope_of(role, action)
        probe = PROBES[action]
        for inside in (True, False):
            expect = scope is Scope.ALL or (scope is not Scope.NONE and inside)
            before = None if expect else snapshot(world.db)
            try:
                probe(world, actor, inside)
            except PermissionDeniedError as refused:
                assert not expect, f"{role} {action} inside={inside}: refused: {refused}"
                assert str(refused).endswith("ask the SENCo.") or str(refused) == "not listed"
                assert snapshot(world.db) == before, f"{role} {action} changed the database"
            else:
                assert expect, f"{role} {action} inside={inside}: allowed but should not be"
            walked.append(f"{action}:{inside}")
    assert len(walked) == 2 * len(Action)
