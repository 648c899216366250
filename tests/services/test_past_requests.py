"""A school's past and open EHC requests recorded in one call (issue 14): read back through
the EHC service exactly as if opened and stepped one by one, checked by the same rules
(the order of the steps, one open request a pupil, the exceptions' dates), refused whole
in one sentence and audited once."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from sendesk.db import Database
from sendesk.errors import PermissionDeniedError, ValidationError
from sendesk.models import EhcClockException, EhcRequest, Role
from sendesk.services.actor import Actor
from sendesk.services.ehc.records import RequestData, RequestItem
from sendesk.services.ehc.request_steps import CASE_FIELDS
from sendesk.services.ehc.requests import (
    PastException,
    PastRequest,
    RequestSteps,
    add_exception,
    list_requests,
    open_request,
    record_past_requests,
    record_step,
)
from sendesk.services.store.audit import AuditWriter, chain_problems
from tests.db_reads import audit_events, count_rows
from tests.factories import add_test_pupil, make_user

TODAY = date(2025, 3, 14)
DATA = RequestData(
    requested_by="school",
    la_name="Testshire",
    sent_on=date(2024, 7, 1),
    caseworker="  Ann   Lee ",
    received_on=date(2024, 7, 2),
    consent_on=date(2024, 6, 20),
    why_now="Two reviewed cycles of support and still far behind.\n",
    pupil_views="I want to read on my own.",
    health_none_known=True,
)
STEPS = RequestSteps(
    decided_to_assess=True,
    decision_to_assess_on=date(2024, 8, 12),
    advice_asked_on=date(2024, 8, 14),
    decided_to_issue=True,
    decision_to_issue_on=date(2024, 11, 4),
    draft_sent_on=date(2024, 11, 11),
    draft_setting="Test Academy",
)
SUMMER = PastException("summer_closure", " Asked while the school was closed. ", date(2024, 7, 25))


def record(db: Database, actor: Actor, requests: list[PastRequest]) -> list[int]:
    with db.transaction() as s:
        return record_past_requests(s, AuditWriter(s, actor), requests, today=TODAY)


def as_typed(item: RequestItem) -> dict[str, object]:
    """What the SENCo sees of a request, less what says which row it is."""
    seen = dataclasses.asdict(item)
    for name in ("id", "pupil_id", "created_by_id", "created_at", "version"):
        del seen[name]
    seen["exceptions"] = [(e["kind"], e["reason"], e["recorded_on"]) for e in seen["exceptions"]]
    return seen


def test_the_steps_are_the_fields_the_step_rules_read() -> None:
    names = {f.name for f in dataclasses.fields(RequestSteps)}
    assert names == set(CASE_FIELDS) - {"sent_on", "received_on"}


def test_past_requests_read_back_as_if_recorded_one_by_one(db: Database, senco: Actor) -> None:
    batch_pupil = add_test_pupil(db, senco, 1, provision="K")
    by_hand = add_test_pupil(db, senco, 2, provision="K")
    ids = record(db, senco, [PastRequest(batch_pupil, DATA, STEPS, (SUMMER,))])
    # The same request as the SENCo records it, a change at a time.
    request_id = open_request(db, senco, by_hand, DATA, today=TODAY)
    version = 1
    for step, on, value, setting in (
        ("assess", STEPS.decision_to_assess_on, True, ""),
        ("advice_asked", STEPS.advice_asked_on, None, ""),
        ("issue", STEPS.decision_to_issue_on, True, ""),
        ("draft", STEPS.draft_sent_on, None, "Test Academy"),
    ):
        assert on is not None
        version = record_step(
            db, senco, request_id, version, step, on, value=value, setting=setting, today=TODAY
        )
    add_exception(
        db, senco, request_id, SUMMER.kind, SUMMER.reason, SUMMER.recorded_on, today=TODAY
    )
    [batch] = list_requests(db, senco, batch_pupil, today=TODAY)
    [hand] = list_requests(db, senco, by_hand, today=TODAY)
    assert batch.id == ids[0]
    assert as_typed(batch) == as_typed(hand)
    assert batch.caseworker == "Ann Lee" and batch.stage == hand.stage
    assert [e.reason for e in batch.exceptions] == ["Asked while the school was closed."]
    assert batch.created_by_id is None  # not opened in SENDesk: the batch's event says who
    # The batch once; by hand, the opening and each step.
    actions = [e.action for e in audit_events(db, "ehc_request")]
    assert actions == ["record_past_requests", "create", *["record_step"] * 4]
    with db.session() as s:
        assert list(chain_problems(s)) == []


def test_a_completed_request_and_an_open_one_for_the_same_pupil(db: Database, senco: Actor) -> None:
    pupil = add_test_pupil(db, senco, 1, provision="K")
    done = dataclasses.replace(STEPS, final_issued_on=date(2024, 12, 2))
    later = dataclasses.replace(DATA, sent_on=None, received_on=None, health_none_known=False)
    record(db, senco, [PastRequest(pupil, DATA, done), PastRequest(pupil, later)])
    stages = sorted(r.stage for r in list_requests(db, senco, pupil, today=TODAY))
    assert stages == ["final plan issued", "preparing"]


@pytest.mark.parametrize(
    ("past", "problem"),
    [
        (
            PastRequest(0, dataclasses.replace(DATA, received_on=date(2024, 6, 28))),
            "the LA cannot have received the request (28/06/2024) before it was sent (01/07/2024)",
        ),
        (
            PastRequest(0, DATA, RequestSteps(decision_to_assess_on=date(2024, 8, 12))),
            "say whether the LA said yes or no to the decision whether to assess",
        ),
        (
            PastRequest(0, DATA, dataclasses.replace(STEPS, decided_to_assess=None)),
            "say whether the LA said yes or no to the decision whether to assess; record the "
            "LA's decision to assess before asking for health and social care advice; record "
            "the decision whether to assess before the decision whether to issue",
        ),
        (
            PastRequest(0, DATA, dataclasses.replace(STEPS, draft_sent_on=None)),
            "a setting is named without the draft plan",
        ),
        (
            PastRequest(
                0, DATA, STEPS, (dataclasses.replace(SUMMER, recorded_on=date(2024, 6, 3)),)
            ),
            "the exception's date (03/06/2024) is before the request was received (02/07/2024)",
        ),
        (
            PastRequest(
                0,
                dataclasses.replace(DATA, sent_on=None, received_on=None),
                RequestSteps(),
                (SUMMER,),
            ),
            "this request has not been sent, so no time limit is running yet",
        ),
        (
            PastRequest(0, DATA, STEPS, (PastException("holiday", "", date(2025, 4, 1)),)),
            "choose which exception to the time limits applies; say why the time limit cannot "
            "be met; the exception's date (01/04/2025) is in the future",
        ),
    ],
)
def test_a_bad_request_refuses_the_whole_batch(
    db: Database, senco: Actor, past: PastRequest, problem: str
) -> None:
    good = add_test_pupil(db, senco, 1, provision="K")
    bad = add_test_pupil(db, senco, 2, provision="K")
    with pytest.raises(ValidationError) as refused:
        record(db, senco, [PastRequest(good, DATA, STEPS), dataclasses.replace(past, pupil_id=bad)])
    expected = f"Request 2 (pupil {bad}): {problem}. Nothing was recorded."
    assert str(refused.value) == expected
    assert count_rows(db, EhcRequest) == count_rows(db, EhcClockException) == 0


def test_one_open_request_a_pupil(db: Database, senco: Actor) -> None:
    pupil = add_test_pupil(db, senco, 1, provision="K")
    other = add_test_pupil(db, senco, 2, provision="K")
    open_request(db, senco, pupil, DATA, today=TODAY)
    with pytest.raises(ValidationError) as refused:
        record(
            db,
            senco,
            [PastRequest(pupil, DATA), PastRequest(other, DATA), PastRequest(other, DATA)],
        )
    assert str(refused.value) == (
        f"Request 1 (pupil {pupil}): the pupil already has an open EHC request; request 3 "
        f"(pupil {other}): the pupil already has an open EHC request. Nothing was recorded."
    )
    assert count_rows(db, EhcRequest) == 1


def test_a_pupil_not_in_the_database_is_named(db: Database, senco: Actor) -> None:
    with pytest.raises(ValidationError, match=r"^Request 1 \(pupil 999\): the pupil is not in"):
        record(db, senco, [PastRequest(999, DATA)])


def test_only_the_senco_records_past_requests(db: Database, senco: Actor) -> None:
    pupil = add_test_pupil(db, senco, 1, provision="K")
    teacher = make_user(db, "teacher", Role.TEACHER)
    with pytest.raises(PermissionDeniedError):
        record(db, teacher, [PastRequest(pupil, DATA)])
    assert count_rows(db, EhcRequest) == 0
