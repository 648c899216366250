"""Support plans on both backends: cycles, reviews, carry-over, refusals, roles, what's due."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, timedelta

import pytest

from sendesk.db import Database
from sendesk.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from sendesk.models import Intervention, Pupil, Role
from sendesk.rules.census import Area
from sendesk.services.actor import Actor
from sendesk.services.graduated.support_plans import (
    CONFLICT,
    DUE_KIND,
    OutcomeDraft,
    PlanDetail,
    PlanDraft,
    ProvisionDraft,
    create_plan,
    get_plan,
    intervention_choices,
    list_plans,
    new_cycle_draft,
    open_plan_reviews,
    plan_details,
    plan_review_items,
    plan_warnings,
    review_plan,
    update_plan,
)
from sendesk.services.store.audit import chain_problems
from tests.db_reads import audit_events
from tests.factories import add_test_pupil, make_user, works_with

CL = Area.COGNITION_LEARNING.value
CI = Area.COMMUNICATION_INTERACTION.value
SEMH = Area.SEMH.value
START = date(2025, 9, 8)
DUE = date(2025, 12, 1)
TODAY = date(2026, 1, 15)


def draft(**changes: object) -> PlanDraft:
    return dataclasses.replace(
        PlanDraft(
            start_date=START,
            review_due=DUE,
            assessment="Salford reading age 7y2m; phonics screen 21/40",
            outcomes=(
                OutcomeDraft("Reads 40 of the Year 2 common exception words", CL),
                OutcomeDraft("Asks an adult for help when stuck, 4 lessons in 5", SEMH),
                OutcomeDraft("Spells 15 of 20 taught words in a weekly check", CL),
            ),
            provisions=(
                ProvisionDraft("intervention", "Phonics catch-up, small group", 90),
                ProvisionDraft("strategy", "Pre-teach topic vocabulary"),
                ProvisionDraft("equipment", "Reading ruler"),
                ProvisionDraft("staff", "TA in English lessons", 120),
            ),
            pupil_views="I like reading with Mrs K.",
            parent_views="Mum reads with him at bedtime.",
        ),
        **changes,
    )


def next_review(db: Database, pupil_id: int) -> date | None:
    with db.session() as s:
        p = s.get(Pupil, pupil_id)
        assert p is not None
        return p.next_review_due


def reviewed_plan(db: Database, senco: Actor, pupil: int, results: tuple[str, ...]) -> int:
    """A first plan, reviewed on DUE with ``results`` for its outcomes in order."""
    plan_id = create_plan(db, senco, pupil, draft())
    plan = get_plan(db, senco, plan_id)
    review_plan(
        db,
        senco,
        plan_id,
        plan.version,
        DUE,
        {o.id: r for o, r in zip(plan.outcomes, results, strict=True)},
        {plan.outcomes[0].id: "Secure on 38"},
        "Good progress in reading; still reluctant to ask for help",
        "Keep the phonics group; add a help card",
        today=TODAY,
    )
    return plan_id


def review_all(
    db: Database,
    actor: Actor,
    plan: PlanDetail,
    result: str,
    *,
    on: date = DUE,
    comments: dict[int, str] | None = None,
    summary: str = "",
    next_steps: str = "Carry on",
    today: date = TODAY,
) -> int:
    """Review ``plan`` as it was opened (its version) with one ``result`` for every outcome;
    the new version."""
    return review_plan(
        db,
        actor,
        plan.id,
        plan.version,
        on,
        {o.id: result for o in plan.outcomes},
        comments,
        summary,
        next_steps,
        today=today,
    )


# --- create, read, review ------------------------------------------------------------------


def test_create_then_read_back(db, senco, pupil) -> None:
    plan_id = create_plan(db, senco, pupil, draft())
    plan = get_plan(db, senco, plan_id)
    assert (plan.cycle, plan.start_date, plan.review_due, plan.status) == (1, START, DUE, "open")
    assert plan.previous_plan_id is None
    assert [(o.position, o.area, o.result) for o in plan.outcomes] == [
        (1, CL, None),
        (2, SEMH, None),
        (3, CL, None),
    ]
    assert [(p.kind, p.minutes_per_week) for p in plan.provisions] == [
        ("intervention", 90),
        ("strategy", None),
        ("equipment", None),
        ("staff", 120),
    ]
    assert plan.provisions[3].kind_label == "Staff time"
    assert plan.pupil_views == "I like reading with Mrs K."
    assert plan.parent_views == "Mum reads with him at bedtime."
    assert plan.created_by == "Ms Senco"
    assert plan.draft() == draft(
        outcomes=tuple(OutcomeDraft(o.text, o.area, o.id) for o in plan.outcomes)
    )
    [summary] = list_plans(db, senco, pupil)
    assert (summary.id, summary.cycle, summary.outcomes, summary.achieved) == (plan_id, 1, 3, 0)
    assert summary.status == "open" and summary.version == plan.version
    [event] = audit_events(db, "support_plan")
    assert event.action == "create" and event.entity_id == plan_id
    assert json.loads(event.detail) == {
        "carried_over": False,
        "outcomes": 3,
        "previous_plan_id": None,
        "pupil_id": pupil,
    }


def test_texts_are_trimmed(db, senco, pupil) -> None:
    plan_id = create_plan(
        db,
        senco,
        pupil,
        draft(
            assessment="  EP report  \n",
            outcomes=(OutcomeDraft("  Reads\n 40 words ", CL), OutcomeDraft("Asks", SEMH)),
        ),
    )
    plan = get_plan(db, senco, plan_id)
    assert plan.assessment == "EP report"
    assert plan.outcomes[0].text == "Reads 40 words"


def test_creating_sets_the_next_review_and_reviewing_clears_it(db, senco, pupil) -> None:
    assert next_review(db, pupil) is None
    plan_id = create_plan(db, senco, pupil, draft())
    assert next_review(db, pupil) == DUE
    assert open_plan_reviews_of(db) == {pupil: DUE}
    plan = get_plan(db, senco, plan_id)
    new_version = review_all(
        db,
        senco,
        plan,
        "achieved",
        on=date(2025, 11, 28),
        summary="All met",
        next_steps="Leave SEN support; monitor",
    )
    assert next_review(db, pupil) is None  # the next date comes with the next cycle
    assert open_plan_reviews_of(db) == {}
    reviewed = get_plan(db, senco, plan_id)
    assert reviewed.version == new_version > plan.version
    assert reviewed.reviewed_on == date(2025, 11, 28) and reviewed.status == "reviewed"
    assert reviewed.achieved == 3
    assert reviewed.next_steps == "Leave SEN support; monitor"
    assert [e.action for e in audit_events(db, "support_plan")] == ["create", "review"]
    # Each pupil event carries the pupil's row seals (row_seals); the rest is the change.
    pupil_events = [
        {k: v for k, v in json.loads(e.detail).items() if k != "sealed"}
        for e in audit_events(db, "pupil")
    ]
    assert pupil_events[-2:] == [
        {"fields": ["next_review_due"], "support_plan_id": plan_id},
        {"fields": ["next_review_due"], "support_plan_id": plan_id},
    ]
    with db.session() as s:
        assert list(chain_problems(s)) == []


def open_plan_reviews_of(db: Database) -> dict[int, date]:
    with db.session() as s:
        return open_plan_reviews(s)


def test_review_keeps_a_date_the_senco_set_by_hand(db, senco, pupil) -> None:
    plan_id = create_plan(db, senco, pupil, draft())
    with db.transaction() as s:
        p = s.get(Pupil, pupil)
        assert p is not None
        p.next_review_due = date(2026, 2, 2)
    plan = get_plan(db, senco, plan_id)
    review_all(db, senco, plan, "partly")
    assert next_review(db, pupil) == date(2026, 2, 2)


def test_ehc_pupils_keep_their_annual_review_date(db, senco) -> None:
    pid = add_test_pupil(
        db, senco, 2, provision="E", needs=("ASD",), next_review_due=date(2026, 3, 1)
    )
    plan_id = create_plan(db, senco, pid, draft())
    assert next_review(db, pid) == date(2026, 3, 1)
    plan = get_plan(db, senco, plan_id)
    update_plan(db, senco, plan_id, plan.version, draft(review_due=date(2025, 12, 8)))
    assert next_review(db, pid) == date(2026, 3, 1)
    assert not [e for e in audit_events(db, "pupil") if "support_plan_id" in json.loads(e.detail)]


# --- a new cycle starts from the last review -----------------------------------------------


def test_new_cycle_carries_over_partly_and_not_achieved_outcomes(db, senco, pupil) -> None:
    first = reviewed_plan(db, senco, pupil, ("achieved", "not", "partly"))
    start = date(2025, 12, 3)
    second = create_plan(
        db, senco, pupil, draft(start_date=start, review_due=date(2026, 3, 2), outcomes=())
    )
    plan = get_plan(db, senco, second)
    assert plan.previous_plan_id == first and plan.cycle == 2
    assert [(o.text, o.area, o.result) for o in plan.outcomes] == [
        ("Asks an adult for help when stuck, 4 lessons in 5", SEMH, None),
        ("Spells 15 of 20 taught words in a weekly check", CL, None),
    ]
    assert next_review(db, pupil) == date(2026, 3, 2)
    summaries = list_plans(db, senco, pupil)
    assert [(p.id, p.cycle, p.status) for p in summaries] == [
        (second, 2, "open"),
        (first, 1, "reviewed"),
    ]
    assert (summaries[1].achieved, summaries[1].partly, summaries[1].not_achieved) == (1, 1, 1)
    assert json.loads(audit_events(db, "support_plan")[-1].detail)["carried_over"] is True


def test_own_outcomes_replace_the_carry_over(db, senco, pupil) -> None:
    reviewed_plan(db, senco, pupil, ("not", "not", "not"))
    own = (OutcomeDraft("Joins a lunchtime club weekly", SEMH), OutcomeDraft("Uses Clicker", CL))
    plan_id = create_plan(db, senco, pupil, draft(start_date=DUE, review_due=TODAY, outcomes=own))
    assert [o.text for o in get_plan(db, senco, plan_id).outcomes] == [o.text for o in own]


@pytest.mark.parametrize(
    ("results", "words"),
    [
        (("achieved", "achieved", "achieved"), "No outcome carries over"),
        (("achieved", "partly", "achieved"), "Only 1 outcome carries over"),
    ],
)
def test_too_few_carried_outcomes_say_so(db, senco, pupil, results, words) -> None:
    reviewed_plan(db, senco, pupil, results)
    with pytest.raises(ValidationError) as caught:
        create_plan(db, senco, pupil, draft(start_date=DUE, outcomes=(), review_due=TODAY))
    assert str(caught.value) == (
        f"{words} from the last review, and a plan needs 2 to 5: give this cycle's outcomes."
    )


def test_new_cycle_draft_starts_from_the_review(db, senco, pupil) -> None:
    assert new_cycle_draft(db, senco, pupil, today=START) == PlanDraft(
        START, START + timedelta(weeks=12)
    )
    reviewed_plan(db, senco, pupil, ("achieved", "partly", "not"))
    offered = new_cycle_draft(db, senco, pupil, today=TODAY)
    assert offered.start_date == TODAY and offered.review_due == TODAY + timedelta(weeks=12)
    assert [o.area for o in offered.outcomes] == [SEMH, CL]
    assert all(o.id is None for o in offered.outcomes)
    assert offered.provisions == draft().provisions
    assert offered.assessment == (
        "Review of 01/12/2025: Good progress in reading; still reluctant to ask for help\n"
        "What changes next: Keep the phonics group; add a help card"
    )
    assert offered.pupil_views == "" and offered.parent_views == ""
    # An offered draft is one create_plan accepts as it is.
    create_plan(db, senco, pupil, offered)
    # Reviewed later than "today" (a back-dated today): the cycle starts on the review day.
    assert new_cycle_draft(db, senco, add_test_pupil(db, senco, 3), today=START).outcomes == ()


def test_new_plan_refused_while_the_current_one_is_unreviewed(db, senco, pupil) -> None:
    create_plan(db, senco, pupil, draft())
    sentence = (
        "This pupil's current support plan (started 08/09/2025) has not been reviewed yet; "
        "review it before starting a new cycle."
    )
    with pytest.raises(ValidationError, match=r"^This pupil's current") as caught:
        create_plan(db, senco, pupil, draft(start_date=DUE, review_due=TODAY))
    assert str(caught.value) == sentence
    with pytest.raises(ValidationError) as caught:
        new_cycle_draft(db, senco, pupil, today=TODAY)
    assert str(caught.value) == sentence
    assert len(list_plans(db, senco, pupil)) == 1


def test_new_cycle_cannot_start_before_the_last_review(db, senco, pupil) -> None:
    reviewed_plan(db, senco, pupil, ("partly", "not", "not"))
    with pytest.raises(ValidationError) as caught:
        create_plan(db, senco, pupil, draft(start_date=date(2025, 11, 30), review_due=TODAY))
    assert str(caught.value) == (
        "The plan cannot start before the last cycle's review on 01/12/2025."
    )


# --- refusals --------------------------------------------------------------------------------


def test_invalid_draft_is_refused_in_one_sentence(db, senco, pupil) -> None:
    bad = draft(
        review_due=START,
        outcomes=(OutcomeDraft("Reads", CL),),
        provisions=(ProvisionDraft("therapy", ""),),
    )
    with pytest.raises(ValidationError) as caught:
        create_plan(db, senco, pupil, bad)
    assert str(caught.value) == (
        "The review is due 08/09/2025, which is not after the plan starts (08/09/2025); "
        "a plan needs at least 2 outcomes (it has 1); provision 1 is of no known kind "
        "(choose one of: intervention, in-class strategy, equipment, staff time); "
        "provision 1 has no description."
    )
    assert list_plans(db, senco, pupil) == [] and audit_events(db, "support_plan") == []


def test_plan_cannot_start_before_birth(db, senco, pupil) -> None:
    with pytest.raises(ValidationError, match="before the pupil was born"):
        create_plan(
            db, senco, pupil, draft(start_date=date(2011, 1, 1), review_due=date(2011, 3, 1))
        )


def test_unknown_pupil_and_plan(db, senco) -> None:
    with pytest.raises(NotFoundError, match=r"That pupil is not in this database\."):
        create_plan(db, senco, 999, draft())
    with pytest.raises(NotFoundError):
        list_plans(db, senco, 999)
    with pytest.raises(NotFoundError, match=r"That support plan is not in this database\."):
        get_plan(db, senco, 999)
    with pytest.raises(NotFoundError):
        update_plan(db, senco, 999, 1, draft())


def test_catalogue_interventions_are_checked_and_named(db, senco, pupil) -> None:
    with db.transaction() as s:
        lexia = Intervention(
            name="Lexia", area=CL, staff_role="TA", measure="reading age", measure_kind="age_months"
        )
        retired = Intervention(
            name="Old scheme",
            area=CL,
            staff_role="TA",
            measure="reading age",
            measure_kind="age_months",
            active=False,
        )
        s.add_all([lexia, retired])
        s.flush()
        lexia_id = lexia.id
    assert intervention_choices(db, senco) == [(lexia_id, "Lexia")]
    provisions = (ProvisionDraft("intervention", "Lexia 3 x 20 min", 60, lexia_id),)
    plan_id = create_plan(db, senco, pupil, draft(provisions=provisions))
    [item] = get_plan(db, senco, plan_id).provisions
    assert (item.intervention_id, item.intervention_name) == (lexia_id, "Lexia")
    with pytest.raises(ValidationError, match="not in the catalogue"):
        update_plan(
            db,
            senco,
            plan_id,
            get_plan(db, senco, plan_id).version,
            draft(provisions=(ProvisionDraft("intervention", "Gone", None, 9999),)),
        )


def test_every_cycle_in_full_reads_as_each_one_does(db, senco, pupil) -> None:
    first = reviewed_plan(db, senco, pupil, ("achieved", "partly", "not"))
    second = create_plan(
        db,
        senco,
        pupil,
        draft(start_date=DUE + timedelta(days=3), review_due=DUE + timedelta(days=80)),
    )
    details = plan_details(db, senco, pupil)
    assert details == [get_plan(db, senco, first), get_plan(db, senco, second)]
    assert [d.cycle for d in details] == [1, 2]
    assert details[0].outcomes[0].review_comment == "Secure on 38"
    assert [p.description for p in details[1].provisions][-1] == "TA in English lessons"
    assert plan_details(db, senco, add_test_pupil(db, senco, 2)) == []
    with pytest.raises(NotFoundError):
        plan_details(db, senco, 9999)


def test_review_needs_every_outcome_and_a_sensible_date(db, senco, pupil) -> None:
    plan_id = create_plan(db, senco, pupil, draft())
    plan = get_plan(db, senco, plan_id)
    first = plan.outcomes[0].id
    with pytest.raises(ValidationError) as caught:
        review_plan(
            db, senco, plan_id, plan.version, DUE, {first: "achieved"}, {}, "", "Go on", today=DUE
        )
    assert str(caught.value) == (
        "Say whether outcomes 2, 3 were achieved, partly achieved or not achieved."
    )
    all_results = {o.id: "partly" for o in plan.outcomes}
    with pytest.raises(ValidationError, match="cannot be in the future"):
        review_plan(db, senco, plan_id, plan.version, DUE, all_results, {}, "", "x", today=START)
    with pytest.raises(ValidationError, match="Say what changes next"):
        review_plan(db, senco, plan_id, plan.version, DUE, all_results, {}, "", " ", today=DUE)
    assert get_plan(db, senco, plan_id).reviewed_on is None
    assert [e.action for e in audit_events(db, "support_plan")] == ["create"]


def test_review_comments_and_correction(db, senco, pupil) -> None:
    plan_id = reviewed_plan(db, senco, pupil, ("achieved", "partly", "not"))
    plan = get_plan(db, senco, plan_id)
    assert [o.result for o in plan.outcomes] == ["achieved", "partly", "not"]
    assert [o.result_label for o in plan.outcomes] == [
        "Achieved",
        "Partly achieved",
        "Not achieved",
    ]
    assert plan.outcomes[0].review_comment == "Secure on 38"
    review_all(db, senco, plan, "achieved", summary="Corrected")
    corrected = get_plan(db, senco, plan_id)
    assert [o.result for o in corrected.outcomes] == ["achieved"] * 3
    assert corrected.outcomes[0].review_comment == ""
    assert [e.action for e in audit_events(db, "support_plan")] == [
        "create",
        "review",
        "correct_review",
    ]


def test_review_cannot_move_after_the_next_cycle_began(db, senco, pupil) -> None:
    first = reviewed_plan(db, senco, pupil, ("achieved", "partly", "not"))
    create_plan(db, senco, pupil, draft(start_date=DUE, review_due=TODAY, outcomes=()))
    plan = get_plan(db, senco, first)
    with pytest.raises(ValidationError, match=r"after the next cycle began \(01/12/2025\)"):
        review_plan(
            db,
            senco,
            first,
            plan.version,
            date(2025, 12, 10),
            {o.id: o.result or "" for o in plan.outcomes},
            {},
            "",
            "x",
            today=TODAY,
        )
    with pytest.raises(ValidationError, match=r"cannot start after the next cycle began"):
        update_plan(
            db,
            senco,
            first,
            plan.version,
            dataclasses.replace(plan.draft(), start_date=date(2025, 12, 2), review_due=TODAY),
        )


# --- editing -------------------------------------------------------------------------------


def test_update_edits_outcomes_in_place_and_moves_the_review_date(db, senco, pupil) -> None:
    plan_id = create_plan(db, senco, pupil, draft())
    plan = get_plan(db, senco, plan_id)
    a, b, c = plan.outcomes
    edited = draft(
        review_due=date(2025, 12, 8),
        outcomes=(
            OutcomeDraft(c.text, c.area, c.id),
            OutcomeDraft("Reads 45 words", CL, a.id),
            OutcomeDraft("Takes turns in a group game", CI),
        ),
        provisions=(ProvisionDraft("strategy", "Visual timetable"),),
    )
    version = update_plan(db, senco, plan_id, plan.version, edited)
    after = get_plan(db, senco, plan_id)
    assert after.version == version > plan.version
    assert [(o.id, o.text) for o in after.outcomes][:2] == [
        (c.id, c.text),
        (a.id, "Reads 45 words"),
    ]
    assert b.id not in {o.id for o in after.outcomes}
    assert [p.description for p in after.provisions] == ["Visual timetable"]
    assert next_review(db, pupil) == date(2025, 12, 8)
    detail = json.loads(audit_events(db, "support_plan")[-1].detail)
    assert detail == {"fields": ["outcomes", "provisions", "review_due"], "pupil_id": pupil}


def test_only_outcomes_changed_still_bumps_the_version(db, senco, pupil) -> None:
    plan_id = create_plan(db, senco, pupil, draft())
    plan = get_plan(db, senco, plan_id)
    changed = plan.draft().outcomes[:2]
    version = update_plan(
        db, senco, plan_id, plan.version, draft(outcomes=(*changed, OutcomeDraft("New", CI)))
    )
    assert version == plan.version + 1
    with pytest.raises(ConflictError):
        update_plan(db, senco, plan_id, plan.version, plan.draft())


def test_nothing_changed_writes_nothing(db, senco, pupil) -> None:
    plan_id = create_plan(db, senco, pupil, draft())
    plan = get_plan(db, senco, plan_id)
    assert update_plan(db, senco, plan_id, plan.version, plan.draft()) == plan.version
    assert [e.action for e in audit_events(db, "support_plan")] == ["create"]


def test_second_saver_is_told(db, senco, pupil) -> None:
    plan_id = create_plan(db, senco, pupil, draft())
    plan = get_plan(db, senco, plan_id)
    update_plan(db, senco, plan_id, plan.version, draft(assessment="Mine first"))
    with pytest.raises(ConflictError) as caught:
        update_plan(db, senco, plan_id, plan.version, draft(assessment="Theirs"))
    assert str(caught.value) == CONFLICT
    with pytest.raises(ConflictError):
        review_all(db, senco, plan, "achieved", next_steps="x")
    assert get_plan(db, senco, plan_id).assessment == "Mine first"


def test_reviewed_plan_outcomes_can_be_reworded_not_added(db, senco, pupil) -> None:
    plan_id = reviewed_plan(db, senco, pupil, ("achieved", "partly", "not"))
    plan = get_plan(db, senco, plan_id)
    reworded = tuple(OutcomeDraft(o.text + ".", o.area, o.id) for o in plan.outcomes)
    version = update_plan(db, senco, plan_id, plan.version, draft(outcomes=reworded))
    after = get_plan(db, senco, plan_id)
    assert [o.result for o in after.outcomes] == ["achieved", "partly", "not"]
    assert after.outcomes[0].text.endswith(".")
    assert next_review(db, pupil) is None  # a reviewed plan does not set the next date
    with pytest.raises(ValidationError, match="reworded but not added or removed"):
        update_plan(db, senco, plan_id, version, draft(outcomes=reworded[:2]))
    with pytest.raises(ValidationError, match="cannot start after its review on 01/12/2025"):
        update_plan(
            db,
            senco,
            plan_id,
            version,
            draft(outcomes=reworded, start_date=date(2025, 12, 2), review_due=TODAY),
        )


# --- who may do what -------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.LEARNING_SUPPORT, Role.TEACHER])
def test_staff_may_read_but_not_change(db, senco, pupil, role) -> None:
    plan_id = create_plan(db, senco, pupil, draft())
    staff = make_user(db, "staff", role)
    works_with(db, staff, pupil)
    assert [p.id for p in list_plans(db, staff, pupil)] == [plan_id]
    plan = get_plan(db, staff, plan_id)
    assert intervention_choices(db, staff) == []
    with pytest.raises(PermissionDeniedError, match="cannot write and review support plans"):
        create_plan(db, staff, pupil, draft())
    with pytest.raises(PermissionDeniedError):
        update_plan(db, staff, plan_id, plan.version, draft(assessment="x"))
    with pytest.raises(PermissionDeniedError):
        review_plan(db, staff, plan_id, plan.version, DUE, {}, {}, "", "x", today=TODAY)
    with pytest.raises(PermissionDeniedError):
        new_cycle_draft(db, staff, pupil)


def test_read_only_may_not_read(db, senco, pupil) -> None:
    plan_id = create_plan(db, senco, pupil, draft())
    governor = make_user(db, "governor", Role.READ_ONLY)
    with pytest.raises(PermissionDeniedError, match="cannot see support plans' outcomes"):
        list_plans(db, governor, pupil)
    with pytest.raises(PermissionDeniedError):
        get_plan(db, governor, plan_id)
    with pytest.raises(PermissionDeniedError):
        plan_details(db, governor, pupil)


# --- what's due -------------------------------------------------------------------------------


def test_plan_reviews_due_soon_or_overdue(db, senco) -> None:
    today = date(2026, 1, 15)
    overdue = add_test_pupil(db, senco, 11, forename="Ana")
    soon = add_test_pupil(db, senco, 12, forename="Ben")
    later = add_test_pupil(db, senco, 13, forename="Cai")
    beyond = add_test_pupil(db, senco, 14, forename="Dee")
    done = add_test_pupil(db, senco, 15, forename="Eve")
    left = add_test_pupil(db, senco, 16, forename="Fay", leaving_date=date(2026, 1, 1))
    for pid, due in (
        (overdue, date(2026, 1, 14)),
        (soon, date(2026, 1, 15)),
        (later, date(2026, 3, 1)),
        (beyond, date(2026, 6, 1)),
        (done, date(2026, 1, 1)),
        (left, date(2026, 1, 1)),
    ):
        create_plan(db, senco, pid, draft(start_date=date(2025, 11, 3), review_due=due))
    plan = get_plan(db, senco, list_plans(db, senco, done)[0].id)
    review_all(db, senco, plan, "achieved", on=date(2026, 1, 5), next_steps="Monitor", today=today)
    with db.session() as s:
        items = plan_review_items(s, today, 90)
    assert [(i.pupil_name, i.severity, i.due, i.kind) for i in items] == [
        ("Ana Pupil", "overdue", date(2026, 1, 14), DUE_KIND),
        ("Ben Pupil", "soon", date(2026, 1, 15), DUE_KIND),
        ("Cai Pupil", "later", date(2026, 3, 1), DUE_KIND),
    ]
    assert items[0].text == "Support plan review due 14/01/2026 (the cycle began 03/11/2025)"
    assert items[0].pupil_id == overdue and items[0].upn
    with db.session() as s:
        assert [i.pupil_name for i in plan_review_items(s, today, 30)] == ["Ana Pupil", "Ben Pupil"]


def test_a_review_more_than_a_term_away_is_saved_with_a_warning(db, senco, pupil) -> None:
    """CoP 6.65 (parents met at least three times a year): a review 20 weeks on is warned
    of, not refused; the service saves it."""
    long = draft(review_due=START + timedelta(weeks=20))
    assert plan_warnings(long) == [
        "The review is 20 weeks after the plan starts, more than a term (16 weeks): the Code "
        "of Practice (6.65) expects parents to be met at least three times a year, so a "
        "review each term."
    ]
    assert plan_warnings(draft()) == []  # twelve weeks: a term
    plan_id = create_plan(db, senco, pupil, long)
    assert get_plan(db, senco, plan_id).review_due == START + timedelta(weeks=20)
