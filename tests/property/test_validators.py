"""Every form's validator with generated hostile input (issue 12): a list of problems or a
ValidationError in one sentence, never a crash.

The services check a form in a pure function before they open a transaction (``_clean*``
and the rules' ``*_problems``); these tests call those directly, so thousands of cases
run in memory. test_db_imports.py sends a smaller share through the database.
"""

from __future__ import annotations

from datetime import date

from cases import check, counted, examples
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import DATES, INTS, NASTY, TEXT, full

from sendesk.rules import support_plans as plan_rules
from sendesk.rules.timeline import TRANSFER_KINDS
from sendesk.services.access import arrangements as access_arrangements
from sendesk.services.ehc import casework as ehc
from sendesk.services.evidence import agencies, evidence
from sendesk.services.graduated import interventions, progress_data
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


@settings(max_examples=examples(400))
@given(data=full(ehc.RequestData), today=TODAY)
@counted
def test_ehc_request_form(data: ehc.RequestData, today: date) -> None:
    check(ehc._clean_request, data, today)


@settings(max_examples=examples(400))
@given(
    data=full(
        ehc.PlanData,
        transfer_kind=st.sampled_from(["", *TRANSFER_KINDS]) | TEXT,
    ),
    today=TODAY,
)
@counted
def test_ehc_plan_form(data: ehc.PlanData, today: date) -> None:
    check(ehc._clean_plan, data, today)


@settings(max_examples=examples(400))
@given(data=full(ehc.ReviewData), today=TODAY)
@counted
def test_ehc_review_form(data: ehc.ReviewData, today: date) -> None:
    check(ehc._clean_review, data, today)


@settings(max_examples=examples(300))
@given(data=full(ehc.LaProfileData))
@counted
def test_la_profile_form(data: ehc.LaProfileData) -> None:
    check(ehc._clean_profile, data)


@settings(max_examples=examples(400))
@given(data=full(access_arrangements.ArrangementData), today=TODAY)
@counted
def test_access_arrangement_form(data: access_arrangements.ArrangementData, today: date) -> None:
    check(access_arrangements._clean_arrangement, data, today)


@settings(max_examples=examples(400))
@given(data=full(access_arrangements.AssessmentData), today=TODAY)
@counted
def test_access_assessment_form(data: access_arrangements.AssessmentData, today: date) -> None:
    check(access_arrangements._clean_assessment, data, today)


@settings(max_examples=examples(300))
@given(data=full(access_arrangements.NwwData), today=TODAY)
@counted
def test_normal_way_of_working_form(data: access_arrangements.NwwData, today: date) -> None:
    check(access_arrangements._clean_nww, data, today)


@settings(max_examples=examples(400))
@given(data=full(agencies.InvolvementData), today=TODAY)
@counted
def test_agency_involvement_form(data: agencies.InvolvementData, today: date) -> None:
    check(agencies._clean, data, today)


@settings(max_examples=examples(300))
@given(data=full(interventions.InterventionData))
@counted
def test_intervention_form(data: interventions.InterventionData) -> None:
    check(interventions._clean_intervention, data)


@settings(max_examples=examples(300))
@given(data=full(progress_data.AttainmentData), today=TODAY)
@counted
def test_attainment_form(data: progress_data.AttainmentData, today: date) -> None:
    assert check(progress_data._attainment_problems, data, today) is not None


@settings(max_examples=examples(300))
@given(data=full(pupil_record.ContactData))
@counted
def test_contact_form(data: pupil_record.ContactData) -> None:
    check(pupil_record._clean_contact, data)


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
