"""EHC requests, plans, annual reviews and LA profiles: the case as the SENCo records it."""

from __future__ import annotations

import dataclasses
import re
from contextlib import AbstractContextManager
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from sendesk.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from sendesk.models import AuditEvent, EhcRequest, NeedProfile, Pupil, Role
from sendesk.rules.readiness import DEFAULT_SECTION_ORDER, LaRules
from sendesk.services.due import due_items
from sendesk.services.ehc import records as ehc_records
from sendesk.services.ehc import request_steps
from sendesk.services.ehc import requests as ehc_requests
from sendesk.services.ehc.due import ehc_items
from sendesk.services.ehc.la_profiles import (
    LaProfileData,
    la_rules,
    list_la_profiles,
    remove_la_profile,
    save_la_profile,
)
from sendesk.services.ehc.plans import (
    cease_plan,
    list_plans,
    record_plan,
    reinstate_plan,
    update_plan,
)
from sendesk.services.ehc.records import PlanData, RequestData, ReviewData
from sendesk.services.ehc.request_steps import available_steps
from sendesk.services.ehc.requests import (
    add_exception,
    clear_step,
    list_requests,
    open_request,
    record_step,
    remove_exception,
    update_request,
)
from sendesk.services.ehc.reviews import record_review, remove_review, update_review
from sendesk.services.store.audit import chain_problems
from tests.db_reads import audit_events
from tests.factories import add_test_contact, add_test_pupil, make_user, works_with
from tests.factories import ehc_plan_data as plan

TODAY = date(2026, 3, 2)
SENT = date(2026, 2, 16)  # week 3 of 20 on TODAY


def request(**changes: object) -> RequestData:
    values: dict[str, object] = {
        "requested_by": "school",
        "la_name": "Testshire",
        "sent_on": SENT,
        "caseworker": "Ms Case",
        "why_now": "Two reviewed cycles and little progress in reading.",
        "pupil_views": "I want to read to my sister.",
        "parent_views": "We want her to be happy at school.",
        "health_info": "Glue ear as a toddler.",
    }
    values.update(changes)
    sent = values["sent_on"]
    values.setdefault("consent_on", (sent if isinstance(sent, date) else TODAY) - timedelta(7))
    return RequestData(**values)  # type: ignore[arg-type]


def the_request(db, senco, pupil, today: date = TODAY) -> ehc_records.RequestItem:
    (item,) = list_requests(db, senco, pupil, today=today)
    return item


def step(db, senco, pupil, name: str, on: date, today: date = TODAY, **kw: object) -> int:
    item = the_request(db, senco, pupil, today)
    return record_step(db, senco, item.id, item.version, name, on, today=today, **kw)  # type: ignore[arg-type]


def audit_actions(db, entity: str) -> list[str]:
    return [e.action for e in audit_events(db, entity)]


def refused(message: str) -> AbstractContextManager[pytest.ExceptionInfo[ValidationError]]:
    """Expect the block to be refused with exactly this sentence."""
    return pytest.raises(ValidationError, match=re.escape(message))


# --- requests ------------------------------------------------------------------------------


def test_open_request_reads_back_with_its_milestones(db, senco, pupil) -> None:
    rid = open_request(db, senco, pupil, request(), today=TODAY)
    item = the_request(db, senco, pupil)
    assert item.id == rid
    assert (item.requested_by_label, item.la_name, item.caseworker) == (
        "The school",
        "Testshire",
        "Ms Case",
    )
    assert item.pupil_views == "I want to read to my sister."
    assert item.clock_start == SENT  # received not known: the date sent stands for it
    assert (item.stage, item.clock, item.late) == ("request sent", "week 3 of 20", False)
    dues = {m.key: (m.due, m.status) for m in item.milestones}
    assert dues["decide_to_assess"] == (date(2026, 3, 30), "green")
    assert dues["final_plan"] == (date(2026, 7, 6), "green")
    assert available_steps(item) == ("assess", "close")
    assert audit_actions(db, "ehc_request") == ["create"]


def test_request_being_prepared_has_no_clock(db, senco, pupil) -> None:
    open_request(db, senco, pupil, request(sent_on=None), today=TODAY)
    item = the_request(db, senco, pupil)
    assert (item.stage, item.clock, item.milestones, item.late) == (
        "preparing",
        "not started",
        [],
        False,
    )
    with pytest.raises(ValidationError, match="Record the date the request was sent before"):
        step(db, senco, pupil, "assess", TODAY, value=True)


def test_a_request_being_prepared_is_not_due_anywhere(db, senco, pupil) -> None:
    # No statutory date until the LA receives the request (reg 5(1)): nothing on what's due.
    open_request(db, senco, pupil, request(sent_on=None), today=TODAY)
    with db.session() as s:
        assert ehc_items(s, TODAY, 365) == []
    with pytest.raises(ValidationError, match=r"already has an open EHC request \(not sent yet\)"):
        open_request(db, senco, pupil, request(), today=TODAY)


def test_the_sign_off_and_aspirations_are_kept(db, senco, pupil) -> None:
    with pytest.raises(ValidationError) as refused:
        open_request(
            db,
            senco,
            pupil,
            request(signed_off_role="Head teacher", signed_off_on=date(2026, 3, 3)),
            today=TODAY,
        )
    assert str(refused.value) == (
        "Say who signed the request off (a role or date is recorded without); the date the "
        "request was signed off (03/03/2026) is in the future."
    )
    data = request(
        aspirations="  To read stories to my sister.  ",
        signed_off_by=" Mrs  Head ",
        signed_off_role="Head teacher",
        signed_off_on=date(2026, 2, 13),
    )
    open_request(db, senco, pupil, data, today=TODAY)
    item = the_request(db, senco, pupil)
    assert (item.aspirations, item.signed_off_by, item.signed_off_role, item.signed_off_on) == (
        "To read stories to my sister.",
        "Mrs Head",
        "Head teacher",
        date(2026, 2, 13),
    )


def test_received_date_starts_the_clock(db, senco, pupil) -> None:
    open_request(db, senco, pupil, request(received_on=date(2026, 2, 23)), today=TODAY)
    item = the_request(db, senco, pupil)
    assert item.clock == "week 2 of 20"
    assert item.milestones[0].due == date(2026, 4, 6)


def test_bad_request_is_refused_in_one_sentence(db, senco, pupil) -> None:
    bad = request(
        requested_by="teacher",
        la_name="  ",
        sent_on=date(2026, 3, 3),
        received_on=date(2026, 3, 1),
        health_none_known=True,
    )
    with pytest.raises(ValidationError) as caught:
        open_request(db, senco, pupil, bad, today=TODAY)
    message = str(caught.value)
    assert message == (
        "Say who made the request: the school or a parent; the local authority is missing; "
        "the date the request was sent (03/03/2026) is in the future; the LA cannot have "
        "received the request (01/03/2026) before it was sent (03/03/2026); health "
        "information is written, so it cannot also be recorded as none known."
    )
    assert list_requests(db, senco, pupil, today=TODAY) == []


def test_one_open_request_per_pupil(db, senco, pupil) -> None:
    open_request(db, senco, pupil, request(), today=TODAY)
    with pytest.raises(
        ValidationError, match=r"already has an open EHC request \(sent 16/02/2026\)"
    ):
        open_request(db, senco, pupil, request(), today=TODAY)
    step(db, senco, pupil, "close", TODAY, note="Withdrawn: the family moved away.")
    open_request(db, senco, pupil, request(sent_on=TODAY), today=TODAY)
    newest, closed = list_requests(db, senco, pupil, today=TODAY)
    assert (newest.sent_on, closed.stage, closed.next_steps) == (
        TODAY,
        "closed",
        "Withdrawn: the family moved away.",
    )


def test_unknown_pupil(db, senco) -> None:
    with pytest.raises(NotFoundError):
        open_request(db, senco, 999, request(), today=TODAY)
    with pytest.raises(NotFoundError):
        list_requests(db, senco, 999)


def test_the_whole_path_to_a_final_plan(db, senco, pupil) -> None:
    sent = date(2025, 9, 1)
    today = date(2026, 3, 2)
    open_request(db, senco, pupil, request(sent_on=sent), today=today)
    step(db, senco, pupil, "assess", date(2025, 10, 6), today, value=True)
    assert the_request(db, senco, pupil, today).stage == "decision to assess"
    step(db, senco, pupil, "issue", date(2025, 12, 15), today, value=True)
    step(db, senco, pupil, "draft", date(2025, 12, 22), today, setting="Riverside Academy")
    step(db, senco, pupil, "final", date(2026, 1, 12), today)
    item = the_request(db, senco, pupil, today)
    assert item.stage == "final plan issued"
    assert item.draft_setting == "Riverside Academy"
    assert item.clock == "week 20 of 20"  # stopped when the plan was issued (day 133)
    assert not item.late and not item.is_open
    statuses = {m.key: m.status for m in item.milestones}
    assert statuses["decide_to_assess"] == "done"
    assert statuses["final_plan"] == "done"
    assert statuses["notify_no_plan"] == "not applicable"
    assert audit_actions(db, "ehc_request") == ["create"] + ["record_step"] * 4
    with db.session() as s:
        assert list(chain_problems(s)) == []


@pytest.mark.parametrize(
    ("recorded", "name", "on", "kw", "message"),
    [
        (
            [],
            "issue",
            date(2026, 2, 20),
            {"value": True},
            "Record the decision whether to assess before",
        ),
        ([], "final", date(2026, 2, 20), {}, "Record the draft plan before the final plan."),
        ([], "assess", date(2026, 2, 10), {"value": True}, "the request was received (16/02/2026)"),
        ([], "assess", date(2026, 3, 3), {"value": True}, "(03/03/2026) is in the future"),
        ([], "assess", date(2026, 2, 20), {}, "Say whether the LA said yes or no to the decision"),
        ([], "way_forward", date(2026, 2, 20), {}, "follows a refusal, and the LA has not refused"),
        ([], "appeal", date(2026, 2, 20), {}, "follows a refusal or the final plan"),
        (
            [("assess", date(2026, 2, 27), {"value": False})],
            "issue",
            date(2026, 2, 28),
            {"value": True},
            "The LA decided not to assess, so there is no decision whether to issue",
        ),
        (
            [("assess", date(2026, 2, 20), {"value": True})],
            "issue",
            date(2026, 2, 19),
            {"value": True},
            "is before the decision to assess (20/02/2026)",
        ),
        (
            [("close", date(2026, 2, 20), {})],
            "assess",
            date(2026, 2, 21),
            {"value": True},
            "This request was closed on 20/02/2026; undo the closing",
        ),
        (
            [("assess", date(2026, 2, 25), {"value": True})],
            "close",
            date(2026, 2, 24),
            {},
            "The closing of the request (24/02/2026) is before the decision whether to assess",
        ),
    ],
)
def test_steps_out_of_order_are_refused(db, senco, pupil, recorded, name, on, kw, message) -> None:
    open_request(db, senco, pupil, request(), today=TODAY)
    for earlier, when, extra in recorded:
        step(db, senco, pupil, earlier, when, **extra)
    before = the_request(db, senco, pupil)
    with refused(message):
        step(db, senco, pupil, name, on, **kw)
    assert the_request(db, senco, pupil) == before


def test_refused_to_assess_then_way_forward_mediation_and_appeal(db, senco, pupil) -> None:
    open_request(db, senco, pupil, request(sent_on=date(2025, 11, 3)), today=TODAY)
    step(db, senco, pupil, "assess", date(2025, 12, 8), value=False)
    item = the_request(db, senco, pupil)
    assert (item.stage, item.clock) == ("refused", "week 6 of 20")
    assert available_steps(item) == (
        "assess",
        "way_forward",
        "mediation",
        "mediation_certificate",
        "appeal",
        "close",
    )
    step(db, senco, pupil, "way_forward", date(2025, 12, 18), note="More evidence first.")
    step(db, senco, pupil, "mediation", date(2026, 1, 12))
    with pytest.raises(ValidationError, match=r"is before mediation \(12/01/2026\)"):
        step(db, senco, pupil, "mediation_certificate", date(2026, 1, 5))
    step(db, senco, pupil, "mediation_certificate", date(2026, 1, 20))
    item = the_request(db, senco, pupil)
    appeal = next(m for m in item.milestones if m.key == "appeal")
    # 2 months after the decision (08/02) or 1 month after the certificate, the later
    assert (appeal.due, appeal.status) == (date(2026, 2, 20), "not applicable")
    step(db, senco, pupil, "appeal", date(2026, 2, 18))
    item = the_request(db, senco, pupil)
    appeal = next(m for m in item.milestones if m.key == "appeal")
    assert (appeal.done_on, appeal.status) == (date(2026, 2, 18), "done")
    assert item.next_steps == "More evidence first."
    assert (item.way_forward_on, item.mediation_on) == (date(2025, 12, 18), date(2026, 1, 12))


def test_clearing_a_step_others_depend_on_is_refused(db, senco, pupil) -> None:
    open_request(db, senco, pupil, request(sent_on=date(2025, 9, 1)), today=TODAY)
    step(db, senco, pupil, "assess", date(2025, 10, 6), value=True)
    step(db, senco, pupil, "issue", date(2025, 12, 15), value=True)
    step(db, senco, pupil, "draft", date(2025, 12, 22), setting="Hill School")
    item = the_request(db, senco, pupil)
    with refused(
        "The decision whether to assess cannot be cleared while the decision whether "
        "to issue a plan and the draft plan depend on it; clear those first."
    ):
        clear_step(db, senco, item.id, item.version, "assess")
    version = clear_step(db, senco, item.id, item.version, "draft")
    version = clear_step(db, senco, item.id, version, "issue")
    item = the_request(db, senco, pupil)
    assert item.version == version
    assert (item.draft_sent_on, item.draft_setting, item.decided_to_issue) == (None, "", None)
    assert item.stage == "decision to assess"
    assert clear_step(db, senco, item.id, version, "final") == version  # nothing to clear
    assert audit_actions(db, "ehc_request").count("clear_step") == 2


def test_moving_the_request_date_after_a_decision_is_refused(db, senco, pupil) -> None:
    open_request(db, senco, pupil, request(), today=TODAY)
    step(db, senco, pupil, "assess", date(2026, 2, 20), value=True)
    item = the_request(db, senco, pupil)
    with pytest.raises(ValidationError, match="is before the request was received"):
        update_request(
            db, senco, item.id, item.version, request(sent_on=date(2026, 2, 23)), today=TODAY
        )
    version = update_request(
        db, senco, item.id, item.version, request(caseworker="Mr New"), today=TODAY
    )
    assert version == item.version + 1
    assert the_request(db, senco, pupil).caseworker == "Mr New"
    assert (
        update_request(db, senco, item.id, version, request(caseworker="Mr New"), today=TODAY)
        == version
    )


def test_second_saver_is_told(db, senco, pupil) -> None:
    open_request(db, senco, pupil, request(), today=TODAY)
    item = the_request(db, senco, pupil)
    step(db, senco, pupil, "assess", date(2026, 2, 20), value=True)
    with pytest.raises(ConflictError, match="Someone else changed this EHC record"):
        update_request(db, senco, item.id, item.version, request(caseworker="X"), today=TODAY)
    with pytest.raises(ConflictError):
        record_step(db, senco, item.id, item.version, "close", TODAY, today=TODAY)
    assert the_request(db, senco, pupil).caseworker == "Ms Case"


def test_a_late_la_shows_at_a_glance(db, senco, pupil) -> None:
    received = TODAY - timedelta(weeks=22, days=3)
    open_request(db, senco, pupil, request(sent_on=received), today=TODAY)
    step(db, senco, pupil, "assess", received + timedelta(weeks=6), value=True)
    step(db, senco, pupil, "issue", received + timedelta(weeks=15), value=True)
    item = the_request(db, senco, pupil)
    assert (item.clock, item.late) == ("week 23 of 20", True)
    with db.session() as s:
        (due,) = ehc_items(s, TODAY, 90)
    assert (due.severity, due.kind, due.due, due.pupil_name) == (
        "overdue",
        "EHC request",
        received + timedelta(weeks=20),
        "Zoë Pupil",
    )
    assert due.text.startswith("Final plan issued due ")
    assert "(Testshire, week 23 of 20): the LA is late" in due.text


def test_an_exception_extends_the_clock_rather_than_red(db, senco, pupil) -> None:
    received = date(2025, 7, 7)
    today = date(2025, 8, 25)  # the decision to assess was due 18/08
    open_request(db, senco, pupil, request(sent_on=received), today=today)
    item = the_request(db, senco, pupil, today)
    assert item.milestones[0].status == "red" and item.late
    with pytest.raises(ValidationError, match="Choose which exception"):
        add_exception(db, senco, item.id, "holiday", "x", today, today=today)
    with pytest.raises(ValidationError, match=r"before the request was received \(07/07/2025\)"):
        add_exception(
            db, senco, item.id, "summer_closure", "Closed.", date(2025, 7, 1), today=today
        )
    exc_id = add_exception(
        db,
        senco,
        item.id,
        "summer_closure",
        "Advice was asked of the school while it was closed for the summer.",
        date(2025, 7, 25),
        today=today,
    )
    item = the_request(db, senco, pupil, today)
    first = item.milestones[0]
    assert (first.key, first.status, item.late) == ("decide_to_assess", "extended", False)
    assert "while it was closed for the summer" in first.note
    assert [e.kind_label for e in item.exceptions] == [
        "School or setting closed for 4+ weeks (the summer holiday)"
    ]
    with db.session() as s:
        (due,) = ehc_items(s, today, 90)
    assert (due.severity, due.due) == ("soon", date(2025, 8, 18))
    assert "extended: School or setting closed" in due.text
    remove_exception(db, senco, exc_id)
    assert the_request(db, senco, pupil, today).milestones[0].status == "red"
    assert audit_actions(db, "ehc_clock_exception") == ["create", "delete"]


def test_closed_case_is_seen_as_it_stood(db, senco, pupil) -> None:
    open_request(db, senco, pupil, request(sent_on=date(2025, 6, 2)), today=TODAY)
    step(db, senco, pupil, "close", date(2025, 6, 20), note="Withdrawn by the family.")
    item = the_request(db, senco, pupil)
    assert (item.stage, item.clock, item.late) == ("closed", "week 3 of 20", False)
    assert item.milestones[0].status == "green"
    assert available_steps(item) == ("close",)
    with db.session() as s:
        assert ehc_items(s, TODAY, 90) == []


# --- health and social care advice (reg 8) ----------------------------------------------------

ADVICE_SENT = date(2025, 12, 1)  # week 14 of 20 on TODAY: the 16 weeks not yet up
ASSESSED = date(2026, 1, 5)


def advice_mark(item: ehc_records.RequestItem) -> tuple[date, date | None, str, str]:
    m = next(m for m in item.milestones if m.key == "advice")
    return m.due, m.done_on, m.status, m.note


def test_advice_asked_and_received_are_steps_after_the_decision_to_assess(db, senco, pupil) -> None:
    open_request(db, senco, pupil, request(sent_on=ADVICE_SENT), today=TODAY)
    assert "advice_asked" not in available_steps(the_request(db, senco, pupil))
    with refused(
        "Record the LA's decision to assess before asking for health and social care advice."
    ):
        step(db, senco, pupil, "advice_asked", ASSESSED)
    step(db, senco, pupil, "assess", ASSESSED, value=True)
    item = the_request(db, senco, pupil)
    assert available_steps(item) == ("assess", "advice_asked", "issue", "close")
    # Nothing recorded 8 weeks after the decision: the advice is counted from it, and late.
    assert advice_mark(item) == (
        date(2026, 2, 16),
        None,
        "red",
        "counted from the decision to assess: the date advice was asked is not recorded",
    )
    assert (item.stage, item.late) == ("decision to assess", True)
    with db.session() as s:
        (due,) = ehc_items(s, TODAY, 90)
    assert (due.kind, due.severity, due.due) == ("EHC request", "overdue", date(2026, 2, 16))
    assert due.text.startswith(
        "Health and social care advice due 16/02/2026 (Testshire, week 14 of 20): the advice "
        "is late; counted from the decision to assess"
    )

    for on, message in (
        (
            date(2026, 1, 2),
            "Asking for health and social care advice (02/01/2026) is before "
            "the decision to assess (05/01/2026).",
        ),
        (
            date(2026, 3, 3),
            "Asking for health and social care advice (03/03/2026) is in the future.",
        ),
    ):
        with refused(message):
            step(db, senco, pupil, "advice_asked", on)
    with refused(
        "Record when health and social care advice was asked for before the advice received."
    ):
        step(db, senco, pupil, "advice_received", date(2026, 2, 10))

    step(db, senco, pupil, "advice_asked", date(2026, 1, 7))
    item = the_request(db, senco, pupil)
    assert item.advice_asked_on == date(2026, 1, 7)
    assert (item.stage, item.late) == ("assessment and advice", True)
    assert advice_mark(item) == (date(2026, 2, 18), None, "red", "")
    assert available_steps(item) == ("assess", "advice_asked", "advice_received", "issue", "close")
    with db.session() as s:
        (due,) = ehc_items(s, TODAY, 90)
    assert due.text == (
        "Health and social care advice due 18/02/2026 (Testshire, week 14 of 20): the advice "
        "is late"
    )

    with refused(
        "The health and social care advice received (06/01/2026) is before it was asked "
        "for (07/01/2026)."
    ):
        step(db, senco, pupil, "advice_received", date(2026, 1, 6))
    step(db, senco, pupil, "advice_received", date(2026, 2, 20))
    item = the_request(db, senco, pupil)
    assert item.advice_received_on == date(2026, 2, 20)
    assert advice_mark(item)[1:3] == (date(2026, 2, 20), "done late")
    assert not item.late
    with db.session() as s:
        (due,) = ehc_items(s, TODAY, 90)
    assert due.text.startswith("Decision not to issue a plan due 23/03/2026")
    with refused(
        "The closing of the request (19/02/2026) is before the health and social care "
        "advice received (20/02/2026)."
    ):
        step(db, senco, pupil, "close", date(2026, 2, 19))
    with db.session() as s:
        steps = list(
            s.scalars(
                select(AuditEvent.detail).where(
                    AuditEvent.entity == "ehc_request", AuditEvent.action == "record_step"
                )
            )
        )
    assert ['"step": "advice_asked"' in d for d in steps] == [False, True, False]
    assert '"step": "advice_received"' in steps[-1]


def test_advice_steps_follow_a_yes_and_are_cleared_last_first(db, senco, pupil) -> None:
    open_request(db, senco, pupil, request(sent_on=ADVICE_SENT), today=TODAY)
    step(db, senco, pupil, "assess", ASSESSED, value=False)
    with refused("The LA decided not to assess, so no health and social care advice is asked for."):
        step(db, senco, pupil, "advice_asked", date(2026, 1, 7))
    step(db, senco, pupil, "assess", ASSESSED, value=True)
    step(db, senco, pupil, "advice_asked", date(2026, 1, 7))
    step(db, senco, pupil, "advice_received", date(2026, 2, 13))
    item = the_request(db, senco, pupil)
    assert advice_mark(item)[1:3] == (date(2026, 2, 13), "done")
    with refused(
        "The decision whether to assess cannot be cleared while asking for health and "
        "social care advice and the health and social care advice received depend on "
        "it; clear those first."
    ):
        clear_step(db, senco, item.id, item.version, "assess")
    with refused(
        "Asking for health and social care advice cannot be cleared while the health "
        "and social care advice received depends on it; clear that first."
    ):
        clear_step(db, senco, item.id, item.version, "advice_asked")
    version = clear_step(db, senco, item.id, item.version, "advice_received")
    version = clear_step(db, senco, item.id, version, "advice_asked")
    item = the_request(db, senco, pupil)
    assert (item.advice_asked_on, item.advice_received_on) == (None, None)
    # A refusal now would strand nothing: the advice steps are gone.
    step(db, senco, pupil, "assess", ASSESSED, value=False)
    assert the_request(db, senco, pupil).stage == "refused"
    with db.session() as s:
        row = s.scalars(select(EhcRequest)).one()
        case = {name: getattr(row, name) for name in request_steps.CASE_FIELDS}
    assert request_steps.case_problems(case, TODAY) == []
    assert request_steps.STEP_DATES["advice_asked"] == "advice_asked_on"
    case |= {"advice_asked_on": date(2026, 1, 7)}
    assert request_steps.case_problems(case, TODAY) == [
        "the LA decided not to assess, so no health and social care advice is asked for"
    ]


def test_missed_appointment_extends_the_advice_but_summer_closure_does_not(
    db, senco, pupil
) -> None:
    open_request(db, senco, pupil, request(sent_on=ADVICE_SENT), today=TODAY)
    step(db, senco, pupil, "assess", ASSESSED, value=True)
    step(db, senco, pupil, "advice_asked", date(2026, 1, 7))
    rid = the_request(db, senco, pupil).id
    add_exception(db, senco, rid, "summer_closure", "Closed for a fortnight.", TODAY, today=TODAY)
    item = the_request(db, senco, pupil)
    assert (advice_mark(item)[2], item.late) == ("red", True)  # reg 8(2) does not list it
    add_exception(
        db,
        senco,
        rid,
        "missed_appointment",
        "The family missed the paediatric appointment on 28/01.",
        date(2026, 2, 2),
        today=TODAY,
    )
    item = the_request(db, senco, pupil)
    due_on, _, status, note = advice_mark(item)
    assert (due_on, status, item.late) == (date(2026, 2, 18), "extended", False)
    assert note.startswith("extended: Missed appointment for an examination or test: The family")
    with db.session() as s:
        (due,) = ehc_items(s, TODAY, 90)
    assert (due.severity, due.due) == ("soon", date(2026, 2, 18))
    assert "the advice is late" not in due.text
    assert "extended: Missed appointment" in due.text


def test_projected_advice_does_not_make_an_undecided_case_late(db, senco, pupil) -> None:
    """Before the LA decides to assess, the advice date is a projection: a case whose
    decision is excused by a summer closure is not late because of it."""
    received, today = date(2025, 6, 2), date(2025, 9, 1)
    open_request(db, senco, pupil, request(sent_on=received), today=today)
    rid = the_request(db, senco, pupil, today).id
    add_exception(
        db,
        senco,
        rid,
        "summer_closure",
        "Advice asked in the holiday.",
        date(2025, 7, 25),
        today=today,
    )
    item = the_request(db, senco, pupil, today)
    assert advice_mark(item)[2] == "red"  # projected from 14/07 + 6 weeks: shown on the case
    assert item.milestones[0].status == "extended"
    assert not item.late
    with db.session() as s:
        (due,) = ehc_items(s, today, 90)
    assert due.text.startswith("Decision whether to assess due 14/07/2025")


# --- plans and reviews ------------------------------------------------------------------------


def review(**changes: object) -> ReviewData:
    return dataclasses.replace(
        ReviewData(
            meeting_on=date(2026, 2, 2),
            invitations_sent_on=date(2026, 1, 12),
            attendees="Parent, SENCo, class teacher",
            summary="Good progress in reading.",
            recommendation="keep",
        ),
        **changes,
    )


def next_review_of(db, pupil_id: int) -> date | None:
    with db.session() as s:
        return s.get(Pupil, pupil_id).next_review_due


def test_plan_reads_back_with_its_annual_review_due(db, senco, pupil) -> None:
    plan_id = record_plan(db, senco, pupil, plan(), today=TODAY)
    (item,) = list_plans(db, senco, pupil, today=TODAY)
    assert item.id == plan_id
    assert (item.hours_per_week, item.top_up_pence, item.named_setting) == (
        12.5,
        450_000,
        "Test Academy",
    )
    assert item.provision == "F: 1:1 reading with a TA, 3 × 20 minutes a week."
    # CFA s44(1): within the 12 months starting with 10/03/2025, so by 09/03/2026; the
    # meeting 4 weeks before that so the LA's decision fits (reg 20; CoP 9.176): late now.
    assert (item.next_review_due, item.next_meeting_by, item.next_review_status) == (
        date(2026, 3, 9),
        date(2026, 2, 9),
        "red",
    )
    assert next_review_of(db, pupil) == date(2026, 3, 9)


def test_bad_plan_is_refused_in_one_sentence(db, senco, pupil) -> None:
    with pytest.raises(ValidationError) as caught:
        record_plan(
            db,
            senco,
            pupil,
            plan(issued_on=date(2026, 3, 3), la_name="", hours_per_week=50, top_up_pence=-1),
            today=TODAY,
        )
    assert str(caught.value) == (
        "The plan's date (03/03/2026) is in the future; the local authority is missing; the "
        "hours a week must be from 0 to 40 (not 50); the top-up funding must be from £0 to "
        "£100,000 a year."
    )
    other = add_test_pupil(db, senco, 2, provision="K", needs=("ASD",))
    rid = open_request(db, senco, other, request(), today=TODAY)
    with pytest.raises(ValidationError, match="not one of this pupil's EHC requests"):
        record_plan(db, senco, pupil, plan(request_id=rid), today=TODAY)
    assert list_plans(db, senco, pupil, today=TODAY) == []


def test_one_live_plan_per_pupil(db, senco, pupil) -> None:
    plan_id = record_plan(db, senco, pupil, plan(), today=TODAY)
    with pytest.raises(ValidationError, match=r"already has an EHC plan \(issued 10/03/2025\)"):
        record_plan(db, senco, pupil, plan(issued_on=date(2026, 1, 5)), today=TODAY)
    (item,) = list_plans(db, senco, pupil, today=TODAY)
    with pytest.raises(ValidationError, match="cannot cease"):
        cease_plan(db, senco, plan_id, item.version, date(2025, 1, 1), today=TODAY)
    cease_plan(db, senco, plan_id, item.version, date(2026, 2, 1), today=TODAY)
    assert next_review_of(db, pupil) is None
    (item,) = list_plans(db, senco, pupil, today=TODAY)
    assert (item.ceased_on, item.next_review_due, item.next_review_status) == (
        date(2026, 2, 1),
        None,
        "",
    )
    with pytest.raises(ValidationError, match="ceased on 01/02/2026, before this meeting"):
        record_review(db, senco, plan_id, review(meeting_on=date(2026, 2, 20)), today=TODAY)
    record_plan(db, senco, pupil, plan(issued_on=date(2026, 2, 10)), today=TODAY)
    assert [p.issued_on for p in list_plans(db, senco, pupil, today=TODAY)] == [
        date(2026, 2, 10),
        date(2025, 3, 10),
    ]


def test_a_plan_cannot_cease_before_its_review_meetings(db, senco, pupil) -> None:
    plan_id = record_plan(db, senco, pupil, plan(), today=TODAY)
    record_review(db, senco, plan_id, review(meeting_on=date(2026, 2, 2)), today=TODAY)
    (item,) = list_plans(db, senco, pupil, today=TODAY)
    with pytest.raises(ValidationError) as refused:
        cease_plan(db, senco, plan_id, item.version, date(2026, 1, 30), today=TODAY)
    assert str(refused.value) == (
        "The plan cannot cease (30/01/2026) before its last review meeting (02/02/2026); "
        "give a later date, or correct that meeting's date first."
    )
    (unchanged,) = list_plans(db, senco, pupil, today=TODAY)
    assert (unchanged.ceased_on, unchanged.version) == (None, item.version)
    assert audit_actions(db, "ehc_plan") == ["create"]
    cease_plan(db, senco, plan_id, item.version, date(2026, 2, 2), today=TODAY)  # the same day
    (ceased,) = list_plans(db, senco, pupil, today=TODAY)
    assert ceased.ceased_on == date(2026, 2, 2)


def test_a_review_recorded_by_mistake_is_removed_and_the_due_date_moves_back(
    db, senco, pupil
) -> None:
    plan_id = record_plan(db, senco, pupil, plan(), today=TODAY)
    held_id = record_review(db, senco, plan_id, review(), today=TODAY)
    booked = review(
        meeting_on=date(2026, 3, 20), invitations_sent_on=None, summary="", recommendation=""
    )
    booked_id = record_review(db, senco, plan_id, booked, today=TODAY)
    (item,) = list_plans(db, senco, pupil, today=TODAY)
    held, booked = item.reviews
    assert (held.id, booked.id) == (held_id, booked_id)
    # The meeting booked ahead will not happen: gone, and the held review still counts.
    remove_review(db, senco, booked_id, booked.version, today=TODAY)
    (item,) = list_plans(db, senco, pupil, today=TODAY)
    assert [r.meeting_on for r in item.reviews] == [date(2026, 2, 2)]
    assert next_review_of(db, pupil) == date(2027, 2, 1)
    with pytest.raises(ConflictError, match="has been removed since you opened it"):
        remove_review(db, senco, booked_id, booked.version, today=TODAY)
    # A second saver changed the held review: the remover is told, nothing is removed.
    update_review(db, senco, held_id, held.version, review(summary="Changed."), today=TODAY)
    with pytest.raises(ConflictError, match="Someone else changed this EHC record"):
        remove_review(db, senco, held_id, held.version, today=TODAY)
    (item,) = list_plans(db, senco, pupil, today=TODAY)
    (held,) = item.reviews
    assert held.summary == "Changed."
    remove_review(db, senco, held_id, held.version, today=TODAY)
    (item,) = list_plans(db, senco, pupil, today=TODAY)
    assert (item.reviews, item.next_review_due) == ([], date(2026, 3, 9))
    assert next_review_of(db, pupil) == date(2026, 3, 9)
    with db.session() as s:
        (due,) = ehc_items(s, TODAY, 90)
    assert due.text == (
        "EHC plan annual review: hold the meeting by 09/02/2026, so the LA can decide by "
        "09/03/2026 (within 12 months of the plan issued on 10/03/2025)"
    )
    assert audit_actions(db, "annual_review") == ["create", "create", "delete", "update", "delete"]
    with db.session() as s:
        assert list(chain_problems(s)) == []


def test_a_ceased_plan_is_reinstated_unless_another_is_live(db, senco, pupil) -> None:
    plan_id = record_plan(db, senco, pupil, plan(), today=TODAY)
    (item,) = list_plans(db, senco, pupil, today=TODAY)
    with pytest.raises(ValidationError, match="has not ceased, so there is nothing to undo"):
        reinstate_plan(db, senco, plan_id, item.version, today=TODAY)
    cease_plan(db, senco, plan_id, item.version, date(2026, 2, 1), today=TODAY)
    assert next_review_of(db, pupil) is None
    with pytest.raises(ConflictError):
        reinstate_plan(db, senco, plan_id, item.version, today=TODAY)
    (ceased,) = list_plans(db, senco, pupil, today=TODAY)
    version = reinstate_plan(db, senco, plan_id, ceased.version, today=TODAY)
    (item,) = list_plans(db, senco, pupil, today=TODAY)
    assert (item.ceased_on, item.version) == (None, version)
    assert (item.next_review_due, item.next_review_status) == (date(2026, 3, 9), "red")
    assert next_review_of(db, pupil) == date(2026, 3, 9)
    assert audit_actions(db, "ehc_plan") == ["create", "cease", "reinstate"]
    # Ceased again and replaced by a new plan: the old one may not come back beside it.
    cease_plan(db, senco, plan_id, version, date(2026, 2, 1), today=TODAY)
    new_id = record_plan(db, senco, pupil, plan(issued_on=date(2026, 2, 10)), today=TODAY)
    _new, old = list_plans(db, senco, pupil, today=TODAY)
    with pytest.raises(ValidationError) as refused:
        reinstate_plan(db, senco, plan_id, old.version, today=TODAY)
    assert str(refused.value) == (
        "This pupil has another live EHC plan (issued 10/02/2026); record when that one "
        "ceased before reinstating this one."
    )
    assert [(p.id, p.ceased_on) for p in list_plans(db, senco, pupil, today=TODAY)] == [
        (new_id, None),
        (plan_id, date(2026, 2, 1)),
    ]
    assert next_review_of(db, pupil) == date(2027, 2, 9)


def test_plan_linked_to_its_request(db, senco, pupil) -> None:
    rid = open_request(db, senco, pupil, request(sent_on=date(2024, 10, 1)), today=TODAY)
    with pytest.raises(ValidationError, match=r"before its request was received \(01/10/2024\)"):
        record_plan(db, senco, pupil, plan(issued_on=date(2024, 9, 1), request_id=rid), today=TODAY)
    plan_id = record_plan(db, senco, pupil, plan(request_id=rid), today=TODAY)
    (item,) = list_plans(db, senco, pupil, today=TODAY)
    assert (item.id, item.request_id) == (plan_id, rid)


def test_review_sets_the_next_due_date_and_its_own(db, senco, pupil) -> None:
    plan_id = record_plan(db, senco, pupil, plan(), today=TODAY)
    review_id = record_review(db, senco, plan_id, review(), today=TODAY)
    (item,) = list_plans(db, senco, pupil, today=TODAY)
    (r,) = item.reviews
    assert r.id == review_id
    assert (r.invitations_by, r.report_due, r.la_decision_due) == (
        date(2026, 1, 19),
        date(2026, 2, 16),
        date(2026, 3, 2),
    )
    assert {m.key: m.status for m in r.milestones} == {
        "invitations": "done",
        "meeting": "done",
        "report": "red",
        "la_decision": "amber",
    }
    # Reviewed on 02/02/2026: the next within the 12 months starting then (CFA s44(1)).
    assert (item.next_review_due, item.next_meeting_by) == (date(2027, 2, 1), date(2027, 1, 4))
    assert item.next_review_status == "green"
    assert next_review_of(db, pupil) == date(2027, 2, 1)
    version = update_review(
        db,
        senco,
        review_id,
        r.version,
        review(report_sent_on=date(2026, 2, 12), la_decision="Keep", la_decision_on=TODAY),
        today=TODAY,
    )
    (item,) = list_plans(db, senco, pupil, today=TODAY)
    assert item.reviews[0].version == version
    assert [m.status for m in item.reviews[0].milestones] == ["done"] * 4
    assert item.reviews[0].la_decision == "keep"
    with pytest.raises(ConflictError):
        update_review(db, senco, review_id, r.version, review(summary="x"), today=TODAY)
    assert audit_actions(db, "annual_review") == ["create", "update"]


def test_bad_review_is_refused_in_one_sentence(db, senco, pupil) -> None:
    plan_id = record_plan(db, senco, pupil, plan(), today=TODAY)
    with pytest.raises(ValidationError) as caught:
        record_review(
            db,
            senco,
            plan_id,
            review(
                invitations_sent_on=date(2026, 2, 3),
                report_sent_on=date(2026, 1, 30),
                recommendation="maybe",
                la_decision="cease",
            ),
            today=TODAY,
        )
    assert str(caught.value) == (
        "The invitations (03/02/2026) are after the meeting (02/02/2026); the report "
        "(30/01/2026) is before the meeting (02/02/2026); the review's recommendation must "
        "be keep, amend or cease; give the date of the LA's decision."
    )
    with pytest.raises(ValidationError, match="before the plan was issued"):
        record_review(
            db,
            senco,
            plan_id,
            review(meeting_on=date(2025, 3, 1), invitations_sent_on=None),
            today=TODAY,
        )
    record_review(db, senco, plan_id, review(), today=TODAY)
    with pytest.raises(ValidationError, match="already has a review meeting on 02/02/2026"):
        record_review(db, senco, plan_id, review(), today=TODAY)
    with pytest.raises(ValidationError, match="is after its first review meeting"):
        (item,) = list_plans(db, senco, pupil, today=TODAY)
        update_plan(db, senco, plan_id, item.version, plan(issued_on=date(2026, 2, 5)), today=TODAY)


def test_booked_meeting_brings_its_invitations_to_whats_due(db, senco, pupil) -> None:
    # Issued 10/05/2025: the review by 09/05/2026 (CFA s44(1)), the meeting by 11/04/2026 so
    # the LA's decision, 4 weeks after it (reg 20), falls within the 12 months.
    plan_id = record_plan(db, senco, pupil, plan(issued_on=date(2025, 5, 10)), today=TODAY)
    with db.session() as s:
        (due,) = ehc_items(s, TODAY, 90)
    assert (due.kind, due.due, due.severity) == ("EHC annual review", date(2026, 4, 11), "later")
    assert due.text == (
        "EHC plan annual review: hold the meeting by 11/04/2026, so the LA can decide by "
        "09/05/2026 (within 12 months of the plan issued on 10/05/2025)"
    )
    record_review(
        db,
        senco,
        plan_id,
        review(meeting_on=date(2026, 3, 9), invitations_sent_on=None),
        today=TODAY,
    )
    with db.session() as s:
        (due,) = ehc_items(s, TODAY, 90)
    assert (due.due, due.severity) == (date(2026, 2, 23), "overdue")
    assert due.text == (
        "Annual review meeting on 09/03/2026: invitations and advice out by 23/02/2026 "
        "(2 weeks before)"
    )
    (item,) = list_plans(db, senco, pupil, today=TODAY)
    assert item.next_review_due == date(2026, 5, 9)  # a booked meeting is not yet held
    meeting = item.reviews[0].milestones[1]
    assert (meeting.key, meeting.due, meeting.done_on, meeting.note) == (
        "meeting",
        date(2026, 4, 11),
        None,
        "booked for 09/03/2026; the LA's decision by 09/05/2026, within 12 months",
    )


def test_a_meeting_booked_too_near_the_anniversary_is_flagged(db, senco, pupil) -> None:
    # Plan 10/03/2025: the LA's decision is due by 09/03/2026, so a meeting on 20/02/2026
    # leaves it 4 weeks to 20/03/2026, outside the 12 months (CFA s44(1); CoP 9.176).
    plan_id = record_plan(db, senco, pupil, plan(), today=date(2026, 1, 5))
    booked = review(meeting_on=date(2026, 2, 20), invitations_sent_on=None)
    record_review(db, senco, plan_id, booked, today=date(2026, 1, 5))
    with db.session() as s:
        (due,) = ehc_items(s, date(2026, 1, 5), 90)
    assert (due.kind, due.due) == ("EHC annual review", date(2026, 2, 9))
    assert due.text.endswith("; the meeting booked for 20/02/2026 is too late")


def test_after_a_meeting_the_paperwork_and_decision_are_due(db, senco, pupil) -> None:
    plan_id = record_plan(db, senco, pupil, plan(), today=TODAY)
    record_review(db, senco, plan_id, review(), today=TODAY)
    with db.session() as s:
        items = sorted(ehc_items(s, TODAY, 90), key=lambda i: i.due)
    assert [(i.kind, i.due, i.severity) for i in items] == [
        ("EHC review paperwork", date(2026, 2, 16), "overdue"),
        ("EHC review decision", date(2026, 3, 2), "soon"),
    ]
    assert items[0].text == (
        "Annual review report to the LA due 16/02/2026 (2 weeks after the meeting on 02/02/2026)"
    )
    with db.session() as s:  # the next annual review is a year off: beyond the horizon
        assert len(ehc_items(s, TODAY, 400)) == 3


AMEND_ON = date(2026, 2, 20)  # the LA decided to amend after the 02/02 meeting


def amended(**changes: object) -> ReviewData:
    values: dict[str, object] = {
        "report_sent_on": date(2026, 2, 12),
        "recommendation": "amend",
        "la_decision": "amend",
        "la_decision_on": AMEND_ON,
        "amendments_proposed_on": AMEND_ON,
    }
    values.update(changes)
    return review(**values)


def test_amendments_after_a_review_bring_the_amended_plan_due(db, senco, pupil) -> None:
    plan_id = record_plan(db, senco, pupil, plan(), today=TODAY)
    review_id = record_review(db, senco, plan_id, amended(), today=TODAY)
    (item,) = list_plans(db, senco, pupil, today=TODAY)
    (r,) = item.reviews
    assert (r.amendments_proposed_on, r.amended_plan_on) == (AMEND_ON, None)
    assert (r.amendment_response_ends, r.amended_plan_due) == (date(2026, 3, 6), date(2026, 4, 17))
    marks = {m.key: (m.label, m.due, m.done_on, m.status) for m in r.milestones}
    assert list(marks)[4:] == ["amendment_response", "amended_plan"]
    assert marks["amendment_response"] == (
        "Family's 15 days on the proposed amendments",
        date(2026, 3, 6),
        None,
        "amber",
    )
    assert marks["amended_plan"] == ("Final amended plan issued", date(2026, 4, 17), None, "green")
    with db.session() as s:
        (due,) = [i for i in ehc_items(s, TODAY, 90) if i.kind == "EHC amended plan"]
    assert (due.due, due.severity, due.pupil_name) == (date(2026, 4, 17), "later", "Zoë Pupil")
    assert due.text == (
        "Final amended EHC plan due 17/04/2026 (8 weeks after the amendments proposed on "
        "20/02/2026, reg 22)"
    )

    # Eight weeks on, nothing: the LA is late, on the review and on what's due.
    later = date(2026, 5, 4)
    (item,) = list_plans(db, senco, pupil, today=later)
    marks = {m.key: (m.done_on, m.status) for m in item.reviews[0].milestones}
    assert marks["amendment_response"] == (date(2026, 3, 6), "done")  # the 15 days are over
    assert marks["amended_plan"] == (None, "red")
    with db.session() as s:
        (due,) = [i for i in ehc_items(s, later, 90) if i.kind == "EHC amended plan"]
    assert due.severity == "overdue"
    assert due.text.endswith("reg 22): the LA is late")

    update_review(
        db, senco, review_id, r.version, amended(amended_plan_on=date(2026, 4, 20)), today=later
    )
    (item,) = list_plans(db, senco, pupil, today=later)
    (r,) = item.reviews
    assert r.amended_plan_on == date(2026, 4, 20)
    assert r.data().amended_plan_on == date(2026, 4, 20)
    assert r.milestones[-1].status == "done late"
    with db.session() as s:
        assert [i for i in ehc_items(s, later, 90) if i.kind == "EHC amended plan"] == []
    assert audit_actions(db, "annual_review") == ["create", "update"]


def test_amended_plan_inside_the_15_days_ends_them(db, senco, pupil) -> None:
    plan_id = record_plan(db, senco, pupil, plan(), today=TODAY)
    record_review(db, senco, plan_id, amended(amended_plan_on=date(2026, 3, 2)), today=TODAY)
    (item,) = list_plans(db, senco, pupil, today=TODAY)
    response, final = item.reviews[0].milestones[4:]
    assert (response.done_on, response.status) == (date(2026, 3, 2), "done")
    assert response.note.endswith("the amended plan was issued before the 15 days ended")
    assert (final.done_on, final.status) == (date(2026, 3, 2), "done")


def test_a_review_without_amendments_has_no_amendment_steps(db, senco, pupil) -> None:
    plan_id = record_plan(db, senco, pupil, plan(), today=TODAY)
    record_review(
        db, senco, plan_id, amended(amendments_proposed_on=None), today=TODAY
    )  # the LA decided to amend; its proposals have not come yet
    (item,) = list_plans(db, senco, pupil, today=TODAY)
    (r,) = item.reviews
    assert [m.key for m in r.milestones] == ["invitations", "meeting", "report", "la_decision"]
    assert (r.amendment_response_ends, r.amended_plan_due) == (None, None)
    with db.session() as s:
        assert [i for i in ehc_items(s, TODAY, 90) if i.kind == "EHC amended plan"] == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"la_decision": "keep"},
            "The dates of proposed amendments and an amended plan only follow an LA decision "
            "to amend the plan, and the LA's decision recorded is to keep it.",
        ),
        (
            {
                "la_decision": "",
                "la_decision_on": None,
                "amendments_proposed_on": None,
                "amended_plan_on": date(2026, 2, 27),
            },
            "The dates of proposed amendments and an amended plan only follow an LA decision "
            "to amend the plan, and no decision to amend is recorded.",
        ),
        (
            {"amendments_proposed_on": None, "amended_plan_on": date(2026, 2, 27)},
            "Give the date the amendments were proposed before the amended plan.",
        ),
        (
            {"amendments_proposed_on": date(2026, 2, 19)},
            "The amendments proposed (19/02/2026) are before the LA's decision (20/02/2026).",
        ),
        (
            {"la_decision_on": date(2026, 1, 30), "amendments_proposed_on": date(2026, 1, 31)},
            "The LA's decision (30/01/2026) is before the meeting (02/02/2026); the amendments "
            "proposed (31/01/2026) are before the meeting (02/02/2026).",
        ),
        (
            {"amended_plan_on": date(2026, 2, 19)},
            "The amended plan (19/02/2026) is before the amendments were proposed (20/02/2026).",
        ),
        (
            {"amended_plan_on": date(2026, 3, 3)},
            "The date of the amended plan (03/03/2026) is in the future.",
        ),
        (
            {"amendments_proposed_on": date(2026, 3, 3), "la_decision_on": date(2026, 3, 3)},
            "The date of the LA's decision (03/03/2026) is in the future; the date the "
            "amendments were proposed (03/03/2026) is in the future.",
        ),
    ],
)
def test_bad_amendment_dates_are_refused(db, senco, pupil, changes, message) -> None:
    plan_id = record_plan(db, senco, pupil, plan(), today=TODAY)
    with pytest.raises(ValidationError) as caught:
        record_review(db, senco, plan_id, amended(**changes), today=TODAY)
    assert str(caught.value) == message
    review_id = record_review(db, senco, plan_id, review(), today=TODAY)
    (item,) = list_plans(db, senco, pupil, today=TODAY)
    with refused(message):
        update_review(
            db, senco, review_id, item.reviews[0].version, amended(**changes), today=TODAY
        )
    (item,) = list_plans(db, senco, pupil, today=TODAY)
    assert item.reviews[0].data() == review()


def test_no_duplicate_review_line_for_a_pupil_with_a_plan(db, senco) -> None:
    with_plan = add_test_pupil(
        db, senco, 3, provision="E", needs=("SLCN",), forename="Ana", since=date(2025, 3, 10)
    )
    without = add_test_pupil(
        db, senco, 4, provision="E", needs=("SLCN",), forename="Ben", since=date(2025, 3, 20)
    )
    for pid in (with_plan, without):
        add_test_contact(db, pid)
        with db.transaction() as s:
            s.add(NeedProfile(pupil_id=pid, area="Communication and interaction", difficulties="x"))
    plan_id = record_plan(db, senco, with_plan, plan(issued_on=date(2025, 3, 12)), today=TODAY)
    items = due_items(db, senco, today=TODAY)
    assert [(i.pupil_name, i.kind, i.due) for i in items] == [
        ("Ana Pupil", "EHC annual review", date(2026, 2, 11)),
        ("Ben Pupil", "annual review", date(2026, 3, 20)),
    ]
    # Once the plan has ceased it says nothing, so the register speaks for the pupil again.
    (item,) = list_plans(db, senco, with_plan, today=TODAY)
    cease_plan(db, senco, plan_id, item.version, date(2026, 2, 1), today=TODAY)
    items = due_items(db, senco, today=TODAY)
    assert [(i.pupil_name, i.kind, i.due) for i in items] == [
        ("Ana Pupil", "annual review", date(2026, 3, 10)),
        ("Ben Pupil", "annual review", date(2026, 3, 20)),
    ]


def test_only_a_recorded_phase_transfer_is_due(db, senco) -> None:
    # reg 18: only a pupil actually moving gets the deadline; the year group guesses none.
    year11 = add_test_pupil(db, senco, 6, provision="E", needs=("ASD",), year=11)
    staying = add_test_pupil(db, senco, 7, provision="E", needs=("ASD",), year=11)
    year6 = add_test_pupil(db, senco, 8, provision="E", needs=("ASD",), year=6)
    issued = date(2025, 9, 15)
    college = plan(
        issued_on=issued,
        transfer_kind="secondary_to_post16",
        transfer_destination="Town FE College",
        transfer_on=date(2026, 9, 7),
    )
    record_plan(db, senco, year11, college, today=TODAY)
    sixth = plan(issued_on=issued, transfer_kind="own_sixth_form")
    record_plan(db, senco, staying, sixth, today=TODAY)
    record_plan(db, senco, year6, plan(issued_on=issued), today=TODAY)  # none recorded
    with db.session() as s:
        (item,) = [i for i in ehc_items(s, TODAY, 90) if i.kind == "EHC phase transfer"]
        assert [i for i in ehc_items(s, date(2026, 3, 31), 90) if i.kind == item.kind] == []
    # reg 18(1): "before 31st March" from secondary school to a post-16 institution.
    assert (item.pupil_id, item.due, item.severity) == (year11, date(2026, 3, 30), "soon")
    assert item.text == (
        "Phase transfer: the plan must be reviewed and amended to name Town FE College by "
        "30/03/2026 before the move on 07/09/2026 (reg 18(1))"
    )
    plans = {p: list_plans(db, senco, p, today=TODAY)[0] for p in (year11, staying, year6)}
    assert plans[year11].transfer_deadline == date(2026, 3, 30)
    assert (
        plans[staying].transfer_label == "Staying on in the school's own sixth form (no transfer)"
    )
    assert (plans[staying].transfer_deadline, plans[year6].transfer_deadline) == (None, None)


def test_phase_transfer_kinds_and_their_deadlines(db, senco, pupil) -> None:
    record_plan(
        db,
        senco,
        pupil,
        plan(transfer_kind="school_phase", transfer_on=date(2026, 9, 3)),
        today=TODAY,
    )
    (item,) = list_plans(db, senco, pupil, today=TODAY)
    assert item.transfer_deadline == date(2026, 2, 14)  # reg 18(1): before 15 February
    version = update_plan(
        db,
        senco,
        item.id,
        item.version,
        plan(transfer_kind="post16_to_post16", transfer_on=date(2027, 1, 4)),
        today=TODAY,
    )
    (item,) = list_plans(db, senco, pupil, today=TODAY)
    assert (item.version, item.transfer_deadline) == (version, date(2026, 8, 4))  # reg 18
    with db.session() as s:
        (due,) = [i for i in ehc_items(s, date(2026, 6, 1), 90) if i.kind == "EHC phase transfer"]
    assert due.text.endswith("by 04/08/2026 before the move on 04/01/2027 (reg 18)")


def test_a_transfer_without_its_kind_or_date_is_refused(db, senco, pupil) -> None:
    with pytest.raises(ValidationError) as refused:
        record_plan(db, senco, pupil, plan(transfer_kind="secondary_to_post16"), today=TODAY)
    assert str(refused.value) == (
        "The date of the phase transfer is missing (reg 18 counts from it)."
    )
    with pytest.raises(ValidationError, match="Say what kind of phase transfer"):
        record_plan(db, senco, pupil, plan(transfer_destination="Hill School"), today=TODAY)
    with pytest.raises(ValidationError, match="'year_7' is not a kind of phase transfer"):
        record_plan(db, senco, pupil, plan(transfer_kind="year_7"), today=TODAY)
    assert list_plans(db, senco, pupil, today=TODAY) == []


def test_pupils_who_left_are_not_due(db, senco) -> None:
    gone = add_test_pupil(
        db, senco, 5, provision="K", needs=("SPLD",), leaving_date=date(2026, 1, 1)
    )
    record_plan(db, senco, gone, plan(), today=TODAY)
    open_request(db, senco, gone, request(sent_on=date(2025, 6, 2)), today=TODAY)
    with db.session() as s:
        assert ehc_items(s, TODAY, 90) == []


# --- who may do what ------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.LEARNING_SUPPORT, Role.TEACHER])
def test_staff_may_read_but_not_change(db, senco, pupil, role) -> None:
    rid = open_request(db, senco, pupil, request(), today=TODAY)
    plan_id = record_plan(db, senco, pupil, plan(), today=TODAY)
    staff = make_user(db, "staff", role)
    works_with(db, staff, pupil)
    # EHC requests are the SENCo's only (issue 13); the issued plan is read by staff.
    with pytest.raises(PermissionDeniedError, match="cannot see EHC requests"):
        list_requests(db, staff, pupil, today=TODAY)
    with pytest.raises(PermissionDeniedError, match="cannot see EHC requests"):
        ehc_requests.get_request(db, staff, rid, today=TODAY)
    assert [p.id for p in list_plans(db, staff, pupil, today=TODAY)] == [plan_id]
    with pytest.raises(PermissionDeniedError, match="cannot record EHC requests, plans and"):
        open_request(db, staff, pupil, request(), today=TODAY)
    with pytest.raises(PermissionDeniedError):
        record_step(db, staff, rid, 1, "assess", TODAY, value=True, today=TODAY)
    with pytest.raises(PermissionDeniedError):
        add_exception(db, staff, rid, "summer_closure", "x", TODAY, today=TODAY)
    with pytest.raises(PermissionDeniedError):
        record_review(db, staff, plan_id, review(), today=TODAY)
    (item,) = list_plans(db, staff, pupil, today=TODAY)
    with pytest.raises(PermissionDeniedError):
        reinstate_plan(db, staff, plan_id, item.version, today=TODAY)
    review_id = record_review(db, senco, plan_id, review(), today=TODAY)
    with pytest.raises(PermissionDeniedError):
        remove_review(db, staff, review_id, 1, today=TODAY)
    assert [r.id for r in list_plans(db, senco, pupil, today=TODAY)[0].reviews] == [review_id]
    with pytest.raises(PermissionDeniedError, match="cannot record EHC requests"):
        save_la_profile(db, staff, None, None, LaProfileData("Kent"))


REASON = "Mum was in hospital with her second stroke; dad is caring for her."


def confidential_case(db, senco, pupil) -> int:
    """A request whose health, social care, views and exception reason are all recorded,
    with the decision to assess excused (extended) by that exception."""
    received, today = date(2025, 7, 7), date(2025, 8, 25)
    rid = open_request(
        db,
        senco,
        pupil,
        request(
            sent_on=received,
            social_care_info="Child in need plan since May.",
            aspirations="To be a vet.",
        ),
        today=today,
    )
    add_exception(db, senco, rid, "personal_circumstances", REASON, date(2025, 7, 25), today=today)
    return rid


@pytest.mark.parametrize("role", [Role.LEARNING_SUPPORT, Role.TEACHER])
def test_only_the_senco_reads_health_social_care_views_and_reasons(db, senco, pupil, role) -> None:
    rid = confidential_case(db, senco, pupil)
    today = date(2025, 8, 25)
    staff = make_user(db, "staff", role)
    works_with(db, staff, pupil)
    label = "Exceptional personal circumstances"
    full = ehc_requests.get_request(db, senco, rid, today=today)
    assert (full.why_now, full.pupil_views, full.parent_views, full.health_info) == (
        "Two reviewed cycles and little progress in reading.",
        "I want to read to my sister.",
        "We want her to be happy at school.",
        "Glue ear as a toddler.",
    )
    assert (full.social_care_info, full.aspirations) == (
        "Child in need plan since May.",
        "To be a vet.",
    )
    assert [e.reason for e in full.exceptions] == [REASON]
    assert full.milestones[0].note == f"extended: {label}: {REASON}"
    # Nobody else reads the request at all, nor where the case stands (issue 13).
    with pytest.raises(PermissionDeniedError):
        list_requests(db, staff, pupil, today=today)
    with pytest.raises(PermissionDeniedError):
        ehc_requests.get_request(db, staff, rid, today=today)


@pytest.mark.parametrize("role", [Role.SENCO, Role.TEACHER])
def test_whats_due_names_the_exception_never_its_reason(db, senco, pupil, role) -> None:
    confidential_case(db, senco, pupil)
    today = date(2025, 8, 25)
    with db.session() as s:
        (due,) = ehc_items(s, today, 90)
    assert due.text.endswith("; extended: Exceptional personal circumstances")
    reader = senco if role is Role.SENCO else make_user(db, "staff", role)
    shown = [d for d in due_items(db, reader, today=today) if d.kind == ehc_records.KIND_REQUEST]
    if role is Role.SENCO:
        assert [d.text for d in shown] == [due.text] and "hospital" not in shown[0].text
    else:  # a teacher's what's due carries no EHC request news (issue 13)
        assert shown == []


def test_read_only_may_not_read(db, senco, pupil) -> None:
    open_request(db, senco, pupil, request(), today=TODAY)
    governor = make_user(db, "governor", Role.READ_ONLY)
    with pytest.raises(PermissionDeniedError, match="cannot see EHC requests"):
        list_requests(db, governor, pupil)
    with pytest.raises(PermissionDeniedError):
        list_plans(db, governor, pupil)


# --- LA profiles ----------------------------------------------------------------------------


def test_la_rules_default_then_saved_profile(db, senco) -> None:
    assert la_rules(db, "Kent") == LaRules(name="Kent")
    order = ("views", *(k for k in DEFAULT_SECTION_ORDER if k != "views"))
    pid = save_la_profile(
        db,
        senco,
        None,
        None,
        LaProfileData(
            "Kent",
            reviewed_cycles=3,
            report_max_age_months=18,
            notional_threshold_pence=600_050,
            staff_rate_per_hour_pence=2_250,
            section_order=order,
        ),
    )
    rules = la_rules(db, "  kent ")
    assert rules == LaRules(
        name="Kent",
        reviewed_cycles=3,
        report_max_age_months=18,
        notional_threshold=Decimal("6000.50"),
        staff_rate_per_hour=Decimal("22.50"),
        section_order=order,
    )
    (item,) = list_la_profiles(db, senco)
    assert (item.id, item.section_order, item.rules) == (pid, order, rules)
    save_la_profile(db, senco, pid, item.version, LaProfileData("Kent", reviewed_cycles=2))
    assert la_rules(db, "KENT").reviewed_cycles == 2
    assert la_rules(db, "KENT").section_order == DEFAULT_SECTION_ORDER
    with pytest.raises(ConflictError, match="LA profile"):
        save_la_profile(db, senco, pid, item.version, LaProfileData("Kent"))
    (item,) = list_la_profiles(db, senco)
    remove_la_profile(db, senco, pid, item.version)
    assert la_rules(db, "Kent") == LaRules(name="Kent")
    assert audit_actions(db, "la_profile") == ["create", "update", "delete"]


def test_bad_la_profile_is_refused(db, senco) -> None:
    save_la_profile(db, senco, None, None, LaProfileData("Essex"))
    with refused("There is already a profile for Essex."):
        save_la_profile(db, senco, None, None, LaProfileData("ESSEX"))
    with pytest.raises(ValidationError) as caught:
        save_la_profile(
            db,
            senco,
            None,
            None,
            LaProfileData("Herts", reviewed_cycles=0, weeks_per_year=60, section_order=("views",)),
        )
    message = str(caught.value)
    assert message.startswith("Reviewed cycles must be a whole number from 1 to 6 (not 0);")
    assert "weeks a year must be a whole number from 1 to 52 (not 60)" in message
    assert "the order leaves out: about, needs" in message
    assert [p.name for p in list_la_profiles(db, senco)] == ["Essex"]


def test_stored_request_rows_match_the_rules(db, senco, pupil) -> None:
    """What the service wrote passes its own whole-case check (the demo uses it too)."""
    open_request(db, senco, pupil, request(sent_on=date(2025, 9, 1)), today=TODAY)
    step(db, senco, pupil, "assess", date(2025, 10, 6), value=False)
    step(db, senco, pupil, "way_forward", date(2025, 10, 20))
    with db.session() as s:
        row = s.scalars(select(EhcRequest)).one()
        case = {name: getattr(row, name) for name in request_steps.CASE_FIELDS}
    assert request_steps.case_problems(case, TODAY) == []
    case["way_forward_on"] = date(2025, 10, 1)
    assert request_steps.case_problems(case, TODAY) == [
        "the way-forward meeting (01/10/2025) is before the refusal (06/10/2025)"
    ]


# --- editors start from what was saved -------------------------------------------------------


def same_as_saved(saved: object, item: object) -> set[str]:
    """``item.data()`` gives back what was saved, field by field, and each field equals the
    item's own value. Returns the fields saved with something other than their default:
    only those would show a field that ``data()`` forgot (it would come back as the
    default)."""
    data = item.data()  # type: ignore[attr-defined]
    assert type(data) is type(saved)
    for f in dataclasses.fields(data):
        assert (f.name, getattr(data, f.name)) == (f.name, getattr(saved, f.name))
        assert (f.name, getattr(data, f.name)) == (f.name, getattr(item, f.name))
    return {
        f.name
        for f in dataclasses.fields(data)
        if f.default is dataclasses.MISSING or getattr(saved, f.name) != f.default
    }


def every_field(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def test_editors_get_back_every_field_saved(db, senco, pupil) -> None:
    first = request(
        requested_by="parent",
        sent_on=date(2025, 1, 6),
        received_on=date(2025, 1, 8),
        consent_on=date(2025, 1, 3),
        young_person_consent_on=date(2025, 1, 4),
        health_info="",
        health_none_known=True,
        social_care_info="Known to early help since 2023.",
        aspirations="To work with animals, and to have friends at my next school.",
        signed_off_by="Mrs Head",
        signed_off_role="Head teacher",
        signed_off_on=date(2025, 1, 5),
    )
    rid = open_request(db, senco, pupil, first, today=TODAY)
    shown = same_as_saved(first, the_request(db, senco, pupil))
    # Health information and "none known" exclude each other: save the other way round too.
    second = dataclasses.replace(
        first, health_info="Glue ear as a toddler.", health_none_known=False
    )
    update_request(db, senco, rid, the_request(db, senco, pupil).version, second, today=TODAY)
    shown |= same_as_saved(second, the_request(db, senco, pupil))
    assert shown == every_field(RequestData)

    issued = plan(
        request_id=rid,
        transfer_kind="school_phase",
        transfer_destination="Hill Secondary School",
        transfer_on=date(2026, 9, 3),
    )
    record_plan(db, senco, pupil, issued, today=TODAY)
    (item,) = list_plans(db, senco, pupil, today=TODAY)
    assert same_as_saved(issued, item) == every_field(PlanData)

    held = amended(
        amended_plan_on=date(2026, 2, 27),
        pupil_views="I like my reading group.",
        parent_views="Reading at home has improved.",
    )
    record_review(db, senco, item.id, held, today=TODAY)
    (item,) = list_plans(db, senco, pupil, today=TODAY)
    assert same_as_saved(held, item.reviews[0]) == every_field(ReviewData)

    order = (*DEFAULT_SECTION_ORDER[1:], DEFAULT_SECTION_ORDER[0])
    profile = LaProfileData(
        "Kent",
        reviewed_cycles=3,
        report_max_age_months=18,
        notional_threshold_pence=600_050,
        staff_rate_per_hour_pence=2_250,
        weeks_per_year=39,
        section_order=order,
    )
    save_la_profile(db, senco, None, None, profile)
    (saved,) = list_la_profiles(db, senco)
    assert same_as_saved(profile, saved) == every_field(LaProfileData)
