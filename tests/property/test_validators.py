"""Every form's validator with generated hostile input (issue 12): a list of problems or a
ValidationError in one sentence, never a crash.

The services check a form in a pure function before they open a transaction (``_clean*``
and the rules' ``*_problems``); these tests call those directly, so thousands of cases
run in memory. test_db_imports.py sends a smaller share through the database.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from cases import check, counted, examples
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import DATES, INTS, NASTY, TEXT, full

from sendesk.rules import support_plans as plan_rules
from sendesk.rules.timeline import TRANSFER_KINDS
from sendesk.services.access import arrangement_edits
from sendesk.services.access import assessments as access_assessments
from sendesk.services.access import nww as access_nww
from sendesk.services.access import records as access_records
from sendesk.services.ehc import la_profiles
from sendesk.services.ehc import plans as ehc_plans
from sendesk.services.ehc import records as ehc_records
from sendesk.services.ehc import requests as ehc_requests
from sendesk.services.ehc import reviews as ehc_reviews
from sendesk.services.evidence import agencies, evidence
from sendesk.services.graduated import intervention_records, intervention_setup, progress_data
from sendesk.services.register import pupil_record
from sendesk.services.register.pupils import PupilData, validate_pupil

TODAY = st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31))
"""The clock's date: not something a person types, so always a real school day's year.
The dates in the forms are anything a date field lets a person type (years 1 to 9999)."""


@settings(max_examples=examples(500))
@given(data=full(PupilData), today=TODAY)
@counted
def test_pupil_validator(data: PupilData, today: date) -> None:
    problems = check(validate_pupil, data, today=today)
    assert problems is not None  # validate_pupil lists problems, it never refuses
    assert all(p.field in PupilData.__dataclass_fields__ and p.reason for p in problems)


@settings(max_examples=examples(500))
@given(
    draft=full(
        plan_rules.PlanDraft,
        outcomes=st.lists(
            full(plan_rules.OutcomeDraft, area=st.sampled_from(plan_rules.AREAS) | TEXT),
            max_size=7,
        ).map(tuple),
        provisions=st.lists(
            full(
                plan_rules.ProvisionDraft,
                kind=st.sampled_from(list(plan_rules.PROVISION_KINDS)) | TEXT,
            ),
            max_size=5,
        ).map(tuple),
    ),
    not_before=st.none() | DATES,
)
@counted
def test_support_plan_rules(draft: plan_rules.PlanDraft, not_before: date | None) -> None:
    problems = check(plan_rules.plan_problems, draft, not_before=not_before)
    assert problems is not None
    if problems:
        assert check(plan_rules.sentence, problems)


@settings(max_examples=examples(300))
@given(
    review=full(
        plan_rules.ReviewDraft,
        results=st.dictionaries(INTS, st.sampled_from(list(plan_rules.RESULTS)) | TEXT),
        comments=st.dictionaries(INTS, TEXT),
    ),
    outcome_ids=st.lists(INTS, max_size=6, unique=True),
    start=DATES,
    today=TODAY,
)
@counted
def test_support_plan_review_rules(
    review: plan_rules.ReviewDraft, outcome_ids: list[int], start: date, today: date
) -> None:
    assert check(plan_rules.review_problems, review, outcome_ids, start, today) is not None


FORMS = [
    pytest.param(full(ehc_records.RequestData), ehc_requests._clean_request, 400, id="ehc_request"),
    pytest.param(
        full(ehc_records.PlanData, transfer_kind=st.sampled_from(["", *TRANSFER_KINDS]) | TEXT),
        ehc_plans.clean_plan,
        400,
        id="ehc_plan",
    ),
    pytest.param(full(ehc_records.ReviewData), ehc_reviews._clean_review, 400, id="ehc_review"),
    pytest.param(
        full(la_profiles.LaProfileData),
        lambda data, today: la_profiles._clean_profile(data),
        300,
        id="la_profile",
    ),
    pytest.param(
        full(access_records.ArrangementData),
        arrangement_edits.clean_arrangement,
        400,
        id="access_arrangement",
    ),
    pytest.param(
        full(access_records.AssessmentData),
        access_assessments.clean_assessment,
        400,
        id="access_assessment",
    ),
    pytest.param(
        full(access_records.NwwData), access_nww.clean_nww, 300, id="normal_way_of_working"
    ),
    pytest.param(
        full(agencies.InvolvementData), agencies.clean_involvement, 400, id="agency_involvement"
    ),
    pytest.param(
        full(intervention_records.InterventionData),
        lambda data, today: intervention_setup._clean_intervention(data),
        300,
        id="intervention",
    ),
    pytest.param(
        full(progress_data.AttainmentData),
        progress_data._attainment_problems,
        300,
        id="attainment",
    ),
    pytest.param(
        full(pupil_record.ContactData),
        lambda data, today: pupil_record.clean_contact(data),
        300,
        id="contact",
    ),
]
"""Each form's pure check (``_clean*``, or a ``*_problems`` that lists what is wrong), what it
is fed, and how many examples. Forms without a date rule ignore ``today``."""


@pytest.mark.parametrize(("forms", "clean", "n"), FORMS)
def test_form_validator(forms: st.SearchStrategy[Any], clean: Callable[..., Any], n: int) -> None:
    """Cleaned data or one sentence refusing it, never a crash; a check that lists problems
    (attainment) never refuses, it answers with the list."""

    @settings(max_examples=examples(n))
    @given(data=forms, today=TODAY)
    @counted
    def run(data: Any, today: date) -> None:
        result = check(clean, data, today)
        if clean is progress_data._attainment_problems:
            assert result is not None

    run()


DOCUMENT_BYTES = st.one_of(
    st.binary(max_size=600),
    st.sampled_from([b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"PK\x03\x04"]).flatmap(
        lambda head: st.binary(max_size=400).map(lambda tail: head + tail)
    ),
)
FILENAMES = st.one_of(
    TEXT,
    st.tuples(TEXT, st.sampled_from(["", ".pdf", ".PDF", ".docx", ".png", ".jpg", ".exe"])).map(
        "".join
    ),
    st.sampled_from(["../../etc/passwd.pdf", "C:\\x\\report.pdf", "CON.pdf", *NASTY]),
)


@settings(max_examples=examples(600))
@given(name=FILENAMES, content=DOCUMENT_BYTES, title=TEXT)
@counted
def test_document_checks(name: str, content: bytes, title: str) -> None:
    """What add_document checks before it opens a transaction: the kind (by name and by
    contents) and the stored file name (no folders, no reserved characters)."""
    check(evidence.sniff_media_type, content)
    media_type = check(evidence.media_type_for, name, content)
    if media_type is not None:
        stored = check(evidence._safe_filename, name, media_type, title)
        assert stored and "/" not in stored and "\\" not in stored
        assert len(stored) <= evidence.FILENAME_MAX
