"""A small school whose figures were counted by hand: the governors' figures tests and the
governors' report tests both read it.

Today is 7 December 2026; the period is 1 September 2025 to 20 July 2026. The three
academic years are 2023–24, 2024–25 and 2025–26, with spring census days 18/01/2024,
16/01/2025 and 15/01/2026. The expected figures are worked out beside each pupil, and
collected in the tests that read them.
"""

from __future__ import annotations

from datetime import date, timedelta

from sendesk.db import Database
from sendesk.models import AccessArrangement, EhcClockException, EhcRequest, Pupil
from sendesk.services.actor import Actor
from sendesk.services.graduated.progress_data import (
    AttainmentData,
    add_attainment,
    add_attendance,
)
from sendesk.services.register.register import change_status
from tests.factories import add_test_pupil
from tests.services.effect_school import _enrol, _intervention, _log

TODAY = date(2026, 12, 7)
START = date(2025, 9, 1)
END = date(2026, 7, 20)
AUTUMN, SPRING = date(2025, 9, 1), date(2026, 1, 5)
FORENAMES = (
    "Amelia",
    "Bartholomew",
    "Cressida",
    "Dmitri",
    "Eluned",
    "Florian",
    "Gwendolyn",
    "Hamish",
    "Ignatius",
    "Jolyon",
    "Kassandra",
    "Leopold",
    "Marigold",
    "Nikolai",
    "Ottoline",
    "Peregrine",
    "Quentin",
    "Rosalind",
    "Sebastian",
    "Theodora",
    "Ulrika",
)
SURNAME = "Fennimore-Quigley"


def build(db: Database, senco: Actor) -> dict[str, int]:
    """The school; returns the pupils' ids by forename (for the tests' own reading).

    Register (on roll 20 July 2026: everyone but Ignatius, who left 30 June 2025):

    - Amelia…Florian (6): K, SPLD, from 1 Sept 2023, year 8 (year 7 in 2025–26).
    - Gwendolyn: E, ASD, plan from 1 March 2024 (no admission date: on roll from then).
    - Hamish: N from 1 Sept 2023; K SEMH from 1 Oct 2024; N again from 3 Nov 2025.
    - Ignatius: K, MLD, from 1 Sept 2023; left 30 June 2025.
    - Jolyon: N throughout.
    - Kassandra: admitted 1 Sept 2025 on K, SLCN.
    - Leopold…Peregrine (5): N from 1 Sept 2023, K SEMH from 1 Oct 2025.
    - Quentin…Ulrika (5): E, ASD, plans from 1 March 2024.
    """
    ids: dict[str, int] = {}
    serial = iter(range(1, 100))

    def pupil(name: str, **kw: object) -> int:
        ids[name] = add_test_pupil(db, senco, next(serial), forename=name, surname=SURNAME, **kw)
        return ids[name]

    sept23 = date(2023, 9, 1)
    for name in FORENAMES[:6]:
        pupil(name, provision="K", needs=("SPLD",), since=sept23)
    pupil("Gwendolyn", provision="E", needs=("ASD",), since=date(2024, 3, 1), plan=True, year=9)
    pupil("Hamish", since=sept23)
    change_status(db, senco, ids["Hamish"], "K", ["SEMH"], date(2024, 10, 1), "concern")
    change_status(db, senco, ids["Hamish"], "N", [], date(2025, 11, 3), "caught up")
    pupil(
        "Ignatius",
        provision="K",
        needs=("MLD",),
        since=sept23,
        year=11,
        leaving_date=date(2025, 6, 30),
    )
    pupil("Jolyon", since=sept23)
    pupil("Kassandra", provision="K", needs=("SLCN",), since=START, admission_date=START)
    for name in FORENAMES[11:16]:
        pupil(name, since=sept23, year=7)
        change_status(db, senco, ids[name], "K", ["SEMH"], date(2025, 10, 1), "concern")
    for name in FORENAMES[16:]:
        pupil(name, provision="E", needs=("ASD",), since=date(2024, 3, 1), plan=True, year=9)

    _attendance(db, senco, ids)
    _attainment(db, senco, ids)
    _access(db, ids)
    _requests(db, ids)
    _interventions(db, ids)
    return ids


def _attendance(db: Database, senco: Actor, ids: dict[str, int]) -> None:
    """K (6 pupils, autumn): 90/100 each. E (6, autumn): 80/100 each. Hamish was K on the
    autumn term's first day: 70/100 then; N in spring: 95/100. Jolyon (N): 95/100 in
    spring. An older term (2024-25 summer) is outside the period and not counted."""
    for name in FORENAMES[:6]:
        add_attendance(db, senco, ids[name], "2025-26 autumn", AUTUMN, 100, 90)
    for name in ("Gwendolyn", *FORENAMES[16:]):
        add_attendance(db, senco, ids[name], "2025-26 autumn", AUTUMN, 100, 80)
    add_attendance(db, senco, ids["Hamish"], "2025-26 autumn", AUTUMN, 100, 70)
    add_attendance(db, senco, ids["Hamish"], "2025-26 spring", SPRING, 100, 95)
    add_attendance(db, senco, ids["Jolyon"], "2025-26 spring", SPRING, 100, 95)
    add_attendance(db, senco, ids["Amelia"], "2024-25 summer", date(2025, 4, 22), 100, 10)


def _attainment(db: Database, senco: Actor, ids: dict[str, int]) -> None:
    """Reading scores for the K six: 92 in October, then 100 (Amelia…Cressida) or 96 in
    June, against 100 expected: 3 of 6 at expected, 6 of 6 moved up. Grades for the E six:
    "3-" in October, "3+" in June (Gwendolyn: "3+" then "3-"), against "4": none at
    expected, 5 of 6 moved up. Jolyon's words cannot be put in order: not counted."""

    def snap(name: str, subject: str, value: str, expected: str, on: date) -> None:
        data = AttainmentData(subject, "Termly", value, expected, on)
        add_attainment(db, senco, ids[name], data, today=TODAY)

    for n, name in enumerate(FORENAMES[:6]):
        snap(name, "Reading", "92", "100", date(2025, 10, 1))
        snap(name, "Reading", "100" if n < 3 else "96", "100", date(2026, 6, 1))
    for name in ("Gwendolyn", *FORENAMES[16:]):
        first, last = ("3+", "3-") if name == "Gwendolyn" else ("3-", "3+")
        snap(name, "Maths", first, "4", date(2025, 10, 1))
        snap(name, "Maths", last, "4", date(2026, 6, 1))
    snap("Jolyon", "Writing", "Working towards", "Expected", date(2026, 6, 1))


def _access(db: Database, ids: dict[str, int]) -> None:
    """In place on 20 July 2026: 25% extra time for the K six; a reader for Gwendolyn
    (approved by the awarding body); rest breaks for Leopold, Marigold and Nikolai (3: the
    count the report must show as "fewer than 5"): 10 pupils. Not counted: Hamish's (only
    proposed), Ignatius's (he left), Jolyon's (expired on 1 July 2026), Kassandra's
    (withdrawn)."""
    rows = [
        *((name, "extra_time_25", "approved in centre", None) for name in FORENAMES[:6]),
        ("Gwendolyn", "reader", "approved by awarding body", date(2027, 6, 30)),
        *((name, "rest_breaks", "approved in centre", None) for name in FORENAMES[11:14]),
        ("Hamish", "reader", "proposed", None),
        ("Ignatius", "scribe", "approved in centre", None),
        ("Jolyon", "scribe", "approved by awarding body", date(2026, 7, 1)),
        ("Kassandra", "word_processor", "withdrawn", None),
    ]
    with db.transaction() as s:
        for name, key, status, expires in rows:
            s.add(
                AccessArrangement(
                    pupil_id=ids[name],
                    arrangement=key,
                    status=status,
                    evidence_route="picture_of_need",
                    proposed_on=date(2025, 9, 15),
                    approved_on=date(2025, 10, 1) if "approved" in status else None,
                    expires_on=expires,
                )
            )


def _interventions(db: Database, ids: dict[str, int]) -> None:
    """Reading catch-up (reading age, £24 an hour) for the K six: 8:00 on 2/9/2025, 9:00 on
    2/12/2025 — 12 months gained in 3, ratio gain 4.0, 9 months of catch-up each (54 in
    all); one 60-minute session on 1/10/2025 with all six: £24.00, £4.00 a pupil, £24.00 ÷
    54 = £0.44 per month of catch-up. ELSA (self-rating, £20 an hour) for Hamish and
    Jolyon: one 45-minute session, £15.00; 2 pupils, so only the pupils ("fewer than 5")
    and the cost are shown. All interventions: 8 pupils, £39.00."""
    reading = _intervention(
        db, "Reading catch-up", "Cognition and learning", 2400, "reading age", "age_months", "R1"
    )
    elsa = _intervention(
        db, "ELSA", "Social, emotional and mental health", 2000, "self-rating", "rating", "E1"
    )
    start, end = date(2025, 9, 2), date(2025, 12, 2)
    enrolled = [
        _enrol(db, reading, ids[name], (96, start), (108, end), start=start)
        for name in FORENAMES[:6]
    ]
    _log(db, reading, date(2025, 10, 1), 60, dict.fromkeys(enrolled, True))
    pair = [
        _enrol(db, elsa, ids[name], (3, start), (5, end), start=start)
        for name in ("Hamish", "Jolyon")
    ]
    _log(db, elsa, date(2025, 10, 2), 45, dict.fromkeys(pair, True))


DEADLINE = timedelta(weeks=20)


def _requests(db: Database, ids: dict[str, int]) -> None:
    """EHC requests, as the LA's letters recorded them (received → 20-week deadline).

    Counted in the period:
    - six final plans issued on time, one of them on the deadline day itself;
    - three issued late (one a day late; one with an exception recorded);
    - two with no plan whose deadline day passed in the period (one with an exception);
    - so 11 deadlines: 6 met, 5 missed, 2 of the missed with an exception.
    Not counted for the 20 weeks: a refusal to assess, a refusal to issue, one whose
    deadline is after the period, one closed before its deadline, one issued before the
    period.

    Requests made in the period: all but the one issued before it (received December
    2024) and one received in August 2025 (issued in the period): 14. Decisions to assess
    in the period (five weeks after receipt): 14 agreed, 1 refused; refused to issue: 1;
    plans issued: 9.
    """
    on_time = [
        (date(2025, 9, 3), date(2026, 1, 14)),
        (date(2025, 9, 8), date(2026, 1, 26)),  # the deadline day itself
        (date(2025, 10, 1), date(2026, 2, 1)),
        (date(2025, 10, 6), date(2026, 2, 20)),
        (date(2025, 11, 3), date(2026, 3, 2)),
        (date(2026, 1, 5), date(2026, 5, 20)),
    ]
    late = [
        (date(2025, 9, 15), date(2026, 2, 3)),  # deadline 2 Feb: a day late
        (date(2025, 8, 18), date(2026, 1, 30)),  # received before the period
        (date(2025, 10, 20), date(2026, 4, 1)),  # late, with an exception
    ]
    rows: list[dict[str, object]] = []
    for received, issued in on_time + late:
        rows.append(_issued(received, issued))
    rows[-1]["exception"] = "personal_circumstances"
    rows += [
        # Agreed to assess; no plan by the deadline (1 June 2026): missed.
        _agreed(date(2026, 1, 12)),
        # Agreed; no plan by 18 May 2026; an exception recorded in March.
        {**_agreed(date(2025, 12, 29)), "exception": "away_from_area"},
        # Refused to assess: no 20-week deadline.
        {
            "received_on": date(2025, 11, 10),
            "decided_to_assess": False,
            "decision_to_assess_on": date(2025, 12, 15),
        },
        # Assessed, refused to issue: no 20-week deadline.
        {
            **_agreed(date(2025, 9, 22)),
            "decided_to_issue": False,
            "decision_to_issue_on": date(2026, 1, 12),
        },
        # Deadline (20 Aug 2026) after the period: not yet counted.
        _agreed(date(2026, 4, 2)),
        # Closed (the family moved away) before its deadline: no deadline.
        {**_agreed(date(2026, 1, 19)), "closed_on": date(2026, 3, 1)},
        # Issued before the period: not counted at all.
        _issued(date(2024, 12, 2), date(2025, 4, 14)),
    ]
    people = list(ids.values())
    with db.transaction() as s:
        for n, values in enumerate(rows):
            kind = values.pop("exception", None)
            values.setdefault("sent_on", values["received_on"])
            request = EhcRequest(
                pupil_id=people[n % len(people)],
                requested_by="school",
                la_name="Testshire",
                **values,
            )
            s.add(request)
            s.flush()
            if kind:
                s.add(
                    EhcClockException(
                        request_id=request.id,
                        kind=str(kind),
                        reason="(test)",
                        recorded_on=date(2026, 3, 1),
                    )
                )
        assert s.get(Pupil, people[0]) is not None


def _agreed(received: date) -> dict[str, object]:
    return {
        "received_on": received,
        "decided_to_assess": True,
        "decision_to_assess_on": received + timedelta(weeks=5),
    }


def _issued(received: date, issued: date) -> dict[str, object]:
    return {
        **_agreed(received),
        "decided_to_issue": True,
        "decision_to_issue_on": received + timedelta(weeks=14),
        "draft_sent_on": received + timedelta(weeks=15),
        "final_issued_on": issued,
    }
