"""EHC request readiness: each item ticked and flagged, LA differences, vague wording."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from sendesk.rules.census import Area
from sendesk.rules.readiness import (
    DEFAULT_SECTION_ORDER,
    ITEM_KEYS,
    SECTION_TITLES,
    VAGUE_PHRASES,
    CycleFact,
    InterventionFact,
    LaRules,
    PackFacts,
    ReadinessItem,
    ReportFact,
    add_months,
    advice,
    age_on,
    annual_cost,
    current_until,
    excerpt,
    la_rules_problems,
    missing,
    money,
    readiness,
    suggestion,
    vague_phrases,
)

TODAY = date(2026, 3, 15)
LA = LaRules("Cumbria")
CL = Area.COGNITION_LEARNING
SEMH = Area.SEMH


def cycle(start: date, reviewed: date | None, **changes: object) -> CycleFact:
    return replace(
        CycleFact(
            started_on=start,
            reviewed_on=reviewed,
            outcomes=("By the review, Sam will read 40 of the 50 Year 2 exception words",),
            provision=("Phonics catch-up with a teaching assistant, 3 × 20 minutes a week",),
        ),
        **changes,
    )


def complete(**changes: object) -> PackFacts:
    """A pack a panel would find nothing missing in, on TODAY under LA."""
    return replace(
        PackFacts(
            date_of_birth=date(2016, 4, 2),
            consent_recorded_on=date(2026, 2, 20),
            pupil_views="I like building things. Reading is hard when the words move.",
            parent_views="We want Sam to be able to read for fun.",
            need_areas=(CL, SEMH),
            need_descriptions={CL: "Reading age 6y1m at 9y10m.", SEMH: "Anxious at transitions."},
            cycles=(
                cycle(date(2025, 4, 22), date(2025, 7, 14)),
                cycle(date(2025, 9, 8), date(2025, 12, 5)),
                cycle(date(2026, 1, 5), None),
            ),
            interventions=(
                InterventionFact("Lexia", entry_measure=True, exit_measure=True),
                InterventionFact("Precision teaching", entry_measure=True, exit_measure=True),
            ),
            attendance_percent=94.0,
            attendance_to=date(2026, 2, 13),
            attainment_dates=(date(2026, 2, 27), date(2025, 9, 20), date(2025, 3, 20)),
            reports=(
                ReportFact(
                    "Educational psychology", "Cognitive assessment", date(2025, 11, 3), True
                ),
                ReportFact("Speech and language therapy", "", date(2025, 6, 1), True),
            ),
            provision_cost_per_year=Decimal("7250"),
            health_info="Sees the community paediatrician yearly.",
            senco_name="Ms Priya Shah",
            senco_phone="01632 960 123",
            senco_email="senco@school.example",
            signed_off_by="Mr Tom Reed",
            signed_off_role="Head teacher",
            signed_off_on=date(2026, 3, 10),
        ),
        **changes,
    )


def check(key: str, facts: PackFacts, la: LaRules = LA, today: date = TODAY) -> ReadinessItem:
    (item,) = [i for i in readiness(facts, la, today) if i.key == key]
    return item


# --- the whole check ---------------------------------------------------------------------


def test_items_come_in_the_fixed_order_with_labels() -> None:
    items = readiness(complete(), LA, TODAY)
    assert [i.key for i in items] == list(ITEM_KEYS)
    assert ITEM_KEYS[0] == "consent"
    assert ITEM_KEYS[-1] == "vague_wording"
    assert all(i.label and i.reason.endswith(".") for i in items)


def test_a_complete_pack_misses_nothing() -> None:
    items = readiness(complete(), LA, TODAY)
    assert [(i.key, i.reason) for i in missing(items)] == []


def test_an_empty_pack_misses_everything_it_can() -> None:
    items = readiness(PackFacts(date_of_birth=date(2016, 4, 2)), LA, TODAY)
    flagged = [i.key for i in missing(items)]
    # Nothing to date-check or word-check is not itself a fault; the other items say so.
    assert flagged == [k for k in ITEM_KEYS if k not in ("report_age", "vague_wording")]
    assert check("report_age", PackFacts(date(2016, 4, 2))).reason == "No reports to check."
    assert check("vague_wording", PackFacts(date(2016, 4, 2))).reason == (
        "No outcomes or provision to check."
    )


@pytest.mark.parametrize(
    "facts",
    [
        complete(),
        PackFacts(date(2016, 4, 2)),
        complete(
            date_of_birth=date(2010, 1, 1),
            attendance_to=None,
            attainment_dates=(date(2026, 3, 1),),
            interventions=(InterventionFact("Lexia", True, False),),
            reports=(ReportFact("CAMHS", "Letter", None, False),),
            provision_cost_per_year=Decimal("100"),
            health_info="",
            health_none_known=True,
        ),
    ],
)
def test_label_then_reason_reads_without_saying_it_twice(facts: PackFacts) -> None:
    """Items are shown as "label — reason": the reason adds to the label, never repeats it
    ("The pupil's views — The pupil's views are recorded.")."""
    for item in readiness(facts, LA, TODAY):
        assert item.label.casefold() not in item.reason.casefold(), item
        assert item.reason.split()[0].casefold() != item.label.split()[0].casefold(), item
        assert item.reason[0].isupper() or item.reason[0].isdigit() or item.reason[0] == "£"


def test_missing_keeps_the_order() -> None:
    items = [
        ReadinessItem("a", "A", False, "x."),
        ReadinessItem("b", "B", True, "y."),
        ReadinessItem("c", "C", False, "z."),
    ]
    assert [i.key for i in missing(items)] == ["a", "c"]
    assert missing([]) == []


# --- consent -----------------------------------------------------------------------------


def test_parental_consent() -> None:
    item = check("consent", complete())
    assert (item.ok, item.label) == (True, "Parental consent")
    assert item.reason == "Recorded on 20/02/2026."
    item = check("consent", complete(consent_recorded_on=None))
    assert (item.ok, item.reason) == (False, "Not recorded; LA request forms ask for it.")


def test_a_young_person_past_compulsory_school_age_needs_their_own_consent() -> None:
    # Born 31 August 2009: compulsory school age ended on Friday 27 June 2025 (Education
    # Act 1996 s8(3)); a young person from then (CFA 2014 s83(2)).
    grown = complete(date_of_birth=date(2009, 8, 31))
    item = check("consent", grown)
    assert (item.ok, item.label) == (False, "Young person's consent")
    assert item.reason == (
        "Compulsory school age ended on 27/06/2025, so the young person's own consent is "
        "needed, and none is recorded."
    )
    assert item.detail == (
        "A parent's consent was recorded on 20/02/2026; after compulsory school age the "
        "young person consents for themselves.",
    )
    item = check("consent", replace(grown, young_person_consent_on=date(2026, 3, 15)))
    assert item.ok
    assert item.reason == "Recorded on 15/03/2026."


def test_at_16_a_parent_still_consents_until_the_end_of_compulsory_school_age() -> None:
    sixteen = complete(date_of_birth=date(2010, 3, 15))  # 16 today; school age ends 26/06/2026
    item = check("consent", sixteen)
    assert (item.ok, item.label) == (True, "Parental consent")
    # The pupil's own consent alone is not enough before the end of compulsory school age.
    item = check(
        "consent", replace(sixteen, consent_recorded_on=None, young_person_consent_on=TODAY)
    )
    assert not item.ok


def test_age_on() -> None:
    assert age_on(date(2010, 3, 15), date(2026, 3, 14)) == 15
    assert age_on(date(2010, 3, 15), date(2026, 3, 15)) == 16
    # Born on 29 February: a year older on 1 March in years without one.
    assert age_on(date(2008, 2, 29), date(2024, 2, 28)) == 15
    assert age_on(date(2008, 2, 29), date(2024, 2, 29)) == 16
    assert age_on(date(2008, 2, 29), date(2025, 2, 28)) == 16
    assert age_on(date(2009, 2, 28), date(2025, 2, 28)) == 16


# --- views, needs, health ----------------------------------------------------------------


def test_views() -> None:
    # What was recorded is quoted (its opening, when long), not just said to be there.
    assert check("pupil_views", complete()).reason == (
        'Recorded: "I like building things. Reading is hard when the words move." (11 words).'
    )
    assert check("parent_views", complete()).reason == (
        'Recorded: "We want Sam to be able to read for fun." (10 words).'
    )
    long = (
        "I  like art and PE best.\nI find reading out loud hard and I don't like it when it's loud."
    )
    item = check("pupil_views", complete(pupil_views=long))
    assert item.reason == (
        'Recorded: "I like art and PE best. I find reading out loud hard and I…" (20 words).'
    )
    # Cut after a full stop, the opening does not end ".…".
    fifty_nine = "I like maths and PE. Reading aloud is hard for me in class."
    assert check("pupil_views", complete(pupil_views=fifty_nine + " More.")).reason == (
        'Recorded: "I like maths and PE. Reading aloud is hard for me in class…" (14 words).'
    )
    item = check("pupil_views", complete(pupil_views=" \n "))
    assert not item.ok
    assert item.reason == (
        'None recorded; panels look for the child\'s own views ("all about me").'
    )
    item = check("parent_views", complete(parent_views=""))
    assert not item.ok
    assert item.reason == (
        "None recorded; panels look for what the parents or carers want for the child."
    )


def test_needs_described_in_every_area() -> None:
    item = check("needs", complete())
    assert item.ok
    assert item.reason == (
        "Described for both areas of need: Cognition and learning; "
        "Social, emotional and mental health."
    )
    one = complete(need_areas=(CL,), need_descriptions={CL: "Reading age 6y1m."})
    assert (
        check("needs", one).reason == "Described for the one area of need: Cognition and learning."
    )


def test_needs_names_each_area_without_a_description() -> None:
    facts = complete(
        need_areas=(SEMH, Area.SENSORY_PHYSICAL, CL),
        need_descriptions={
            CL: "Reading age 6y1m.",
            SEMH: "   ",
            Area.COMMUNICATION_INTERACTION: "x",
        },
    )
    item = check("needs", facts)
    assert not item.ok
    assert item.reason == (
        "No description yet for: Social, emotional and mental health; Sensory and/or physical."
    )
    assert item.detail == ("Social, emotional and mental health", "Sensory and/or physical")


def test_needs_take_area_names_as_strings() -> None:
    facts = complete(need_areas=(CL.value,), need_descriptions={CL.value: "Reading age 6y1m."})
    assert check("needs", facts).ok
    item = check("needs", complete(need_areas=(), need_descriptions={}))
    assert (item.ok, item.reason) == (False, "No area of need is recorded.")


def test_health_and_social_care() -> None:
    item = check("health_social_care", complete())
    assert (item.ok, item.reason) == (
        True,
        'Recorded: "Sees the community paediatrician yearly." (5 words).',
    )
    item = check("health_social_care", complete(health_info="", health_none_known=True))
    assert (item.ok, item.reason) == (True, "Recorded as none known.")
    item = check("health_social_care", complete(health_info=None))
    assert not item.ok
    assert item.reason == "Nothing recorded; record what is known, or that none is known."


# --- attendance and attainment -----------------------------------------------------------


def test_attendance() -> None:
    item = check("attendance", complete(attendance_percent=91.25))
    assert (item.ok, item.reason) == (True, "91.3% for the year to 13/02/2026.")
    item = check("attendance", complete(attendance_percent=None))
    assert (item.ok, item.reason) == (False, "No figure is recorded.")
    item = check("attendance", complete(attendance_to=None))
    assert not item.ok
    assert item.reason == "94.0%, but the date the figure runs to is not recorded."


def test_attendance_more_than_a_term_old() -> None:
    # 92 days (about a term) is still current; 93 days is not.
    assert check("attendance", complete(attendance_to=date(2025, 12, 13))).ok
    item = check("attendance", complete(attendance_to=date(2025, 12, 12)))
    assert not item.ok
    assert item.reason == "94.0%, but only to 12/12/2025; give the figure for the year to date."


def test_attainment_now_6_and_12_months_ago() -> None:
    item = check("attainment", complete())
    assert item.ok
    assert item.reason == (
        "Snapshots from now (27/02/2026), 6 months ago (20/09/2025) and 12 months ago (20/03/2025)."
    )
    assert item.detail == ()


def test_attainment_now_and_one_earlier_point_is_enough() -> None:
    item = check("attainment", complete(attainment_dates=(date(2026, 3, 1), date(2025, 3, 1))))
    assert item.ok
    assert item.reason == "Snapshots from now (01/03/2026) and 12 months ago (01/03/2025)."
    assert item.detail == ("Nothing from about 6 months ago (around 15/09/2025).",)


def test_attainment_with_only_one_point_is_flagged() -> None:
    item = check("attainment", complete(attainment_dates=(date(2026, 3, 1),)))
    assert not item.ok
    assert item.reason == (
        "Only one snapshot (01/03/2026); add data from 6 and 12 months ago to show progress."
    )
    # Several subjects on one day are one point in time; two recent days are still "now".
    item = check("attainment", complete(attainment_dates=(date(2026, 3, 1), date(2026, 3, 1))))
    assert item.reason.startswith("Only one snapshot")
    item = check("attainment", complete(attainment_dates=(date(2026, 3, 1), date(2026, 1, 9))))
    assert not item.ok
    assert item.reason == "Nothing from 6 or 12 months ago; add it to show progress over time."


def test_attainment_without_a_recent_point_is_flagged() -> None:
    item = check("attainment", complete(attainment_dates=(date(2025, 9, 1), date(2025, 3, 1))))
    assert not item.ok
    assert item.reason == (
        "Nothing recent (the latest is from 01/09/2025); add where the pupil is now."
    )
    item = check("attainment", complete(attainment_dates=()))
    assert (item.ok, item.reason) == (False, "No data is recorded.")
    # A snapshot dated after the check is a typing slip, not data.
    item = check("attainment", complete(attainment_dates=(date(2026, 4, 1),)))
    assert item.reason == "No data is recorded."


# --- cycles and interventions ------------------------------------------------------------


def test_cycles_reviewed_against_the_las_number() -> None:
    item = check("cycles", complete())
    assert item.ok
    assert item.reason == "2 of 3 plans reviewed; Cumbria looks for 2."
    assert item.detail == (
        "The plan starting 05/01/2026 is not reviewed yet, so it does not count.",
    )
    three = LaRules("Leeds", reviewed_cycles=3)
    item = check("cycles", complete(), three)
    assert not item.ok
    assert item.reason == "Only 2 of 3 plans reviewed; Leeds looks for 3."
    assert item.detail[-1].startswith("An LA's own number of cycles is not part of the legal test")


def test_cycles_without_a_review_do_not_count() -> None:
    facts = complete(
        cycles=(
            cycle(date(2025, 9, 8), date(2025, 12, 5)),
            cycle(date(2026, 1, 5), None),
            cycle(date(2026, 2, 2), date(2026, 4, 30)),  # a review still to come
        )
    )
    item = check("cycles", facts)
    assert not item.ok
    assert item.reason == "Only 1 of 3 plans reviewed; Cumbria looks for 2."
    assert item.detail[:2] == (
        "The plan starting 05/01/2026 is not reviewed yet, so it does not count.",
        "The plan starting 02/02/2026 is not reviewed yet, so it does not count.",
    )
    item = check("cycles", complete(cycles=facts.cycles[1:2]))
    assert item.reason == "None of 1 plan reviewed yet; Cumbria looks for 2."
    item = check("cycles", complete(cycles=()))
    assert item.reason == "No support plan is recorded; Cumbria looks for 2."
    item = check("cycles", complete(cycles=()), LaRules(" "))
    assert item.reason == "No support plan is recorded; the LA looks for 2."


def test_interventions() -> None:
    item = check("interventions", complete())
    assert (item.ok, item.reason) == (
        True,
        "Lexia and Precision teaching both have them, so their impact can be shown.",
    )
    one = (InterventionFact("Lexia", True, True),)
    assert check("interventions", complete(interventions=one)).reason == (
        "Lexia has both, so its impact can be shown."
    )
    three = (*one, InterventionFact("Toe by Toe", True, True), InterventionFact(" ", True, True))
    assert check("interventions", complete(interventions=three)).reason == (
        "All 3 have them, so their impact can be shown."
    )
    item = check("interventions", complete(interventions=()))
    assert (item.ok, item.reason) == (False, "None recorded.")


def test_a_running_intervention_is_in_progress_not_missing() -> None:
    facts = complete(
        interventions=(
            InterventionFact("Lexia", True, True),
            InterventionFact("Precision teaching", True, False, running=True),
        )
    )
    item = check("interventions", facts)
    assert (item.ok, item.reason) == (
        True,
        "1 finished intervention with both, so its impact can be shown. "
        "In progress, with its exit measure to come when it ends: Precision teaching.",
    )
    only = complete(interventions=(InterventionFact("Lexia", True, False, running=True),))
    assert check("interventions", only).reason == (
        "Each has its entry measure. "
        "In progress, with its exit measure to come when it ends: Lexia."
    )
    # Running or not, an entry measure is needed to show impact.
    item = check(
        "interventions",
        complete(interventions=(InterventionFact("Zones", False, False, running=True),)),
    )
    assert not item.ok
    assert item.reason == (
        "No entry measure for: Zones. "
        "In progress, with its exit measure to come when it ends: Zones."
    )
    assert item.detail == ("Zones: no entry measure.",)


def test_interventions_name_those_without_an_exit_measure() -> None:
    facts = complete(
        interventions=(
            InterventionFact("Lexia", True, False),
            InterventionFact("Toe by Toe", True, True),
            InterventionFact("Precision teaching", True, False),
            InterventionFact("Zones of Regulation", False, False),
        )
    )
    item = check("interventions", facts)
    assert not item.ok
    assert item.reason == (
        "No exit measure for: Lexia; Precision teaching; Zones of Regulation. "
        "No entry measure for: Zones of Regulation."
    )
    assert item.detail == (
        "Lexia: no exit measure.",
        "Precision teaching: no exit measure.",
        "Zones of Regulation: no entry or exit measure.",
    )


# --- cost --------------------------------------------------------------------------------


def test_cost_below_the_threshold_is_stated_not_missing() -> None:
    """Costs under £6,000 are there: the pack says what they are against it, and the cover
    does not list them as missing (CFA 2014 s36(8) asks for no sum spent)."""
    facts = complete(
        provision_cost_per_year=Decimal("4320"),
        provision_cost_basis="the full-year cost of the provision in place now",
    )
    item = check("cost", facts)
    assert item.ok
    assert item.reason == (
        "£4,320 a year against the notional SEN threshold of £6,000: £1,680 below it."
    )
    assert item.detail[0] == "The figure is the full-year cost of the provision in place now."
    assert "s36(8)" in item.detail[-1]
    assert "cost" not in [i.key for i in missing(readiness(facts, LA, TODAY))]


def test_cost_at_or_above_the_threshold() -> None:
    item = check("cost", complete(provision_cost_per_year=Decimal("6000")))
    assert (item.ok, item.reason) == (
        True,
        "£6,000 a year against the notional SEN threshold of £6,000: exactly the threshold.",
    )
    item = check("cost", complete(provision_cost_per_year=Decimal("7250.5")))
    assert (item.ok, item.reason) == (
        True,
        "£7,250.50 a year against the notional SEN threshold of £6,000: £1,250.50 above it.",
    )
    item = check("cost", complete(provision_cost_per_year=None))
    assert (item.ok, item.reason) == (False, "None recorded.")


def test_cost_uses_the_las_threshold() -> None:
    facts = complete(provision_cost_per_year=Decimal("6500"))
    item = check("cost", facts, LaRules("Kent", notional_threshold=Decimal("7000")))
    assert item.reason == (
        "£6,500 a year against the notional SEN threshold of £7,000: £500 below it."
    )


def test_school_contact_and_sign_off() -> None:
    item = check("school_contact", complete())
    assert (item.ok, item.reason) == (
        True,
        "Ms Priya Shah, 01632 960 123, senco@school.example.",
    )
    item = check("school_contact", complete(senco_phone=" ", senco_email=""))
    assert (item.ok, item.reason) == (
        False,
        "No SENCo phone number and email address recorded; add them under File, School details.",
    )
    item = check("sign_off", complete())
    assert (item.ok, item.reason) == (True, "By Mr Tom Reed (Head teacher) on 10/03/2026.")
    item = check("sign_off", complete(signed_off_on=None))
    assert not item.ok
    assert item.reason.startswith("Not recorded (the date); LA forms ask for the head")


def test_annual_cost_rounds_half_up_to_the_penny() -> None:
    assert annual_cost(600, Decimal("15.50")) == Decimal("5890.00")
    assert annual_cost(20, Decimal("12.35")) == Decimal("156.43")  # 156.4333…
    assert annual_cost(50, Decimal("12.35")) == Decimal("391.08")  # 391.0833…
    assert annual_cost(1, Decimal("0.03"), weeks=10) == Decimal("0.01")  # exactly 0.005
    assert annual_cost(1, Decimal("0.09"), weeks=10) == Decimal("0.02")  # exactly 0.015
    assert annual_cost(0, Decimal("20")) == Decimal("0.00")
    assert str(annual_cost(90, Decimal("18"), weeks=39)) == "1053.00"
    with pytest.raises(ValueError, match="negative"):
        annual_cost(-5, Decimal("10"))
    with pytest.raises(ValueError, match="negative"):
        annual_cost(5, Decimal("-10"))


def test_money() -> None:
    assert money(Decimal("4320")) == "£4,320"
    assert money(Decimal("4320.00")) == "£4,320"
    assert money(Decimal("1234.5")) == "£1,234.50"
    assert money(Decimal("0.005")) == "£0.01"
    assert money(Decimal("-12")) == "-£12"


# --- professional advice and report age --------------------------------------------------


def test_professional_advice() -> None:
    item = check("professional_advice", complete())
    assert (item.ok, item.reason) == (True, "2 reports from 2 agencies, all attached.")
    assert item.detail == (
        "Educational psychology: Cognitive assessment",
        "Speech and language therapy",
    )
    item = check("professional_advice", complete(reports=()))
    assert not item.ok
    assert item.reason == (
        "None recorded; panels look for a report from an outside professional, such as an "
        "educational psychologist."
    )


def test_professional_advice_names_reports_not_attached() -> None:
    facts = complete(
        reports=(
            ReportFact("Educational psychology", "Cognitive assessment", date(2025, 11, 3), True),
            ReportFact("CAMHS", "Assessment letter", date(2025, 12, 1), False),
        )
    )
    item = check("professional_advice", facts)
    assert not item.ok
    assert item.reason == "1 of 2 reports is not attached: CAMHS: Assessment letter."


def test_report_exactly_at_the_limit_is_within_it() -> None:
    """ "Older than 12 months" is more than 12 calendar months to the day."""
    report = ReportFact("Educational psychology", "Cognitive assessment", date(2025, 3, 15), True)
    facts = complete(reports=(report,))
    assert current_until(date(2025, 3, 15), 12) == date(2026, 3, 15)
    item = check("report_age", facts, today=date(2026, 3, 15))
    assert item.ok
    assert item.reason == (
        "Every report is dated within the last 12 months (the limit for Cumbria)."
    )
    item = check("report_age", facts, today=date(2026, 3, 16))
    assert not item.ok
    assert item.reason == "1 report is older than 12 months (the limit for Cumbria)."
    assert item.detail == ("Educational psychology: Cognitive assessment, dated 15/03/2025.",)


def test_report_age_limit_differs_by_la() -> None:
    facts = complete(
        reports=(
            ReportFact("Educational psychology", "Cognitive assessment", date(2024, 11, 3), True),
            ReportFact("Occupational therapy", "Sensory profile", date(2024, 4, 30), True),
            ReportFact("Speech and language therapy", "", date(2025, 6, 1), True),
        )
    )
    item = check("report_age", facts, LaRules("Cumbria", report_max_age_months=12))
    assert not item.ok
    assert item.reason == "2 reports are older than 12 months (the limit for Cumbria)."
    assert item.detail == (
        "Educational psychology: Cognitive assessment, dated 03/11/2024.",
        "Occupational therapy: Sensory profile, dated 30/04/2024.",
    )
    item = check("report_age", facts, LaRules("Devon", report_max_age_months=18))
    assert not item.ok
    assert item.detail == ("Occupational therapy: Sensory profile, dated 30/04/2024.",)
    item = check("report_age", facts, LaRules("Devon", report_max_age_months=24))
    assert item.ok


def test_undated_reports_are_flagged() -> None:
    facts = complete(reports=(ReportFact("CAMHS", "Letter", None, True),))
    item = check("report_age", facts)
    assert not item.ok
    assert item.reason == "1 report has no date, so its age is unknown."
    assert item.detail == ("CAMHS: Letter: undated.",)
    item = check("report_age", facts, LaRules(""))
    assert item.reason == "1 report has no date, so its age is unknown."


def test_add_months_clamps_to_the_month_end() -> None:
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    assert add_months(date(2026, 1, 15), -12) == date(2025, 1, 15)
    assert current_until(date(2025, 8, 31), 6) == date(2026, 2, 28)


# --- vague wording -----------------------------------------------------------------------


def test_vague_phrases_found_with_position_and_suggestion() -> None:
    text = "Sam will have regular access to a laptop, and support with writing as needed."
    found = vague_phrases(text)
    assert [(f.phrase, f.matched) for f in found] == [
        ("regular", "regular"),
        ("access to", "access to"),
        ("support with", "support with"),
        ("as needed", "as needed"),
    ]
    assert [text[f.start : f.end] for f in found] == [f.matched for f in found]
    assert found[0].start == text.index("regular")
    assert found[0].suggestion == (
        'Replace "regular" with how often and for how long (e.g. "3 × 20 minutes a week").'
    )


@pytest.mark.parametrize(
    ("text", "phrase", "matched"),
    [
        ("Up To 3 sessions a week", "up to", "Up To"),
        ("REGULARLY checked", "regularly", "REGULARLY"),
        ("Opportunities\nfor social play", "opportunities for", "Opportunities\nfor"),
        ("help when  necessary", "when necessary", "when  necessary"),
        ("reading where appropriate.", "where appropriate", "where appropriate"),
        ("a scribe as required", "as required", "as required"),
        ("some adult help", "some", "some"),
        ("(regular) checks", "regular", "regular"),
    ],
)
def test_vague_phrases_match_case_and_whitespace(text: str, phrase: str, matched: str) -> None:
    (finding,) = vague_phrases(text)
    assert (finding.phrase, finding.matched) == (phrase, matched)


@pytest.mark.parametrize(
    "text",
    [
        "upregular",
        "groupup to",
        "irregular spellings",
        "someone reads the questions",
        "sometimes, handsome",
        "support within the class",
        "accessto",
        "build up-to-date word lists",
        "keep the records up to date",
        "spell regular and irregular past-tense verbs",
        "read regular words and regular plurals",
        "tools to give access to the curriculum",
        "Lexia in a group of up to 6, 3 × 20 minutes a week",
        "Groups of\nup to 4",
        "group size up to 8",
        "spell the common exception words 'some', 'come' and “said”",
        "",
    ],
)
def test_vague_phrases_not_found(text: str) -> None:
    assert vague_phrases(text) == []


def test_up_to_a_number_is_a_range_in_an_outcome_but_vague_in_provision() -> None:
    outcome = "Sam will count up to 20 and make amounts up to £5"
    assert vague_phrases(outcome, outcome=True) == []
    assert [f.phrase for f in vague_phrases(outcome)] == ["up to", "up to"]
    assert [f.phrase for f in vague_phrases("work up to the target", outcome=True)] == ["up to"]


def test_up_to_after_group_is_the_groups_size_not_a_hedge() -> None:
    assert vague_phrases("Zones of Regulation group: once a week, group of up to 5") == []
    # What the pupil gets is still a hedge, in or out of a group.
    text = "Group work up to 3 times a week in a small group of up to 4"
    assert [(f.phrase, f.start) for f in vague_phrases(text)] == [("up to", 11)]


def test_every_phrase_has_a_suggestion_to_quantify() -> None:
    for phrase in VAGUE_PHRASES:
        text = suggestion(phrase)
        assert text.startswith(f'Replace "{phrase}" with ')
        assert text.endswith(").")
        assert [f.phrase for f in vague_phrases(f"x {phrase} y")] == [phrase]
    assert suggestion("up to") == (
        'Replace "up to" with the amount the pupil will get '
        '(e.g. "3 sessions a week", not "up to 3").'
    )


def test_advice_groups_phrases_with_the_same_suggestion() -> None:
    assert advice(["as needed", "regular", "where appropriate", "as needed"]) == (
        'Replace "as needed" or "where appropriate" with when it happens and who decides '
        '(e.g. "at the start of every maths lesson, by the class teacher"). '
        'Replace "regular" with how often and for how long (e.g. "3 × 20 minutes a week").'
    )


def test_excerpt() -> None:
    assert excerpt("short text", 0, 5) == "short text"
    text = " ".join(f"word{i}" for i in range(40))
    start = text.index("word20")
    quoted = excerpt(text, start, start + 6, width=30)
    assert quoted.startswith("…") and quoted.endswith("…")
    assert "word20" in quoted
    assert len(quoted) <= 32
    assert excerpt(text, 0, 5, width=30).startswith("word0 word1")
    assert excerpt(text, len(text) - 6, len(text), width=30).endswith("word39")


def test_vague_wording_item_names_the_lines() -> None:
    facts = complete(
        cycles=(
            cycle(
                date(2025, 9, 8),
                date(2025, 12, 5),
                outcomes=(
                    "Sam will count up to 20",
                    "Sam will have regular reading practice",
                ),
                provision=(
                    "Phonics, 3 × 20 minutes a week",
                    "Access to a  quiet space where appropriate",
                ),
            ),
        )
    )
    item = check("vague_wording", facts)
    assert not item.ok
    assert item.reason == (
        "2 lines use wording too vague for a plan; say who does what, how often and for how long."
    )
    assert item.detail == (
        'Plan starting 08/09/2025, outcome 2: "Sam will have regular reading practice" — '
        'Replace "regular" with how often and for how long (e.g. "3 × 20 minutes a week").',
        'Plan starting 08/09/2025, provision 2: "Access to a quiet space where appropriate" — '
        'Replace "access to" with what the pupil will receive, from whom, how often and for '
        'how long (e.g. "1:1 with a teaching assistant, 3 × 20 minutes a week"). '
        'Replace "where appropriate" with when it happens and who decides '
        '(e.g. "at the start of every maths lesson, by the class teacher").',
    )


def test_vague_wording_quotes_a_short_excerpt_of_a_long_line() -> None:
    long_line = (
        "Sam will work with a teaching assistant in a small group on phonics, spelling and "
        "handwriting, with regular checks on progress against the phonics tracker each half term"
    )
    facts = complete(cycles=(cycle(date(2025, 9, 8), date(2025, 12, 5), provision=(long_line,)),))
    (line,) = check("vague_wording", facts).detail
    quoted = line.split('"')[1]
    assert quoted.startswith("…") and quoted.endswith("…")
    assert "regular checks" in quoted
    assert len(quoted) < len(long_line)


def test_vague_wording_clean() -> None:
    item = check("vague_wording", complete())
    assert (item.ok, item.reason) == (True, "No vague wording in 3 outcomes and 3 provision lines.")


# --- the LA's rules ----------------------------------------------------------------------


def test_sections() -> None:
    assert list(SECTION_TITLES) == list(DEFAULT_SECTION_ORDER)
    assert LA.section_order == DEFAULT_SECTION_ORDER
    assert all(SECTION_TITLES.values())


def test_default_la_rules() -> None:
    assert (LA.reviewed_cycles, LA.report_max_age_months, LA.weeks_per_year) == (2, 12, 38)
    assert LA.notional_threshold == Decimal("6000")
    assert LA.staff_rate_per_hour is None
    assert la_rules_problems(LA) == []
    reordered = LaRules("Leeds", section_order=tuple(reversed(DEFAULT_SECTION_ORDER)))
    assert la_rules_problems(reordered) == []
    edges = LaRules(
        "X", reviewed_cycles=6, report_max_age_months=36, staff_rate_per_hour=Decimal(0)
    )
    assert la_rules_problems(edges) == []
    assert la_rules_problems(LaRules("X", reviewed_cycles=1, report_max_age_months=6)) == []


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"name": " "}, "the local authority has no name"),
        ({"reviewed_cycles": 0}, "reviewed cycles must be a whole number from 1 to 6 (not 0)"),
        ({"reviewed_cycles": 7}, "reviewed cycles must be a whole number from 1 to 6 (not 7)"),
        (
            {"reviewed_cycles": True},
            "reviewed cycles must be a whole number from 1 to 6 (not True)",
        ),
        (
            {"report_max_age_months": 5},
            "the oldest report (in months) must be a whole number from 6 to 36 (not 5)",
        ),
        (
            {"report_max_age_months": 37},
            "the oldest report (in months) must be a whole number from 6 to 36 (not 37)",
        ),
        ({"weeks_per_year": 53}, "weeks a year must be a whole number from 1 to 52 (not 53)"),
        (
            {"notional_threshold": Decimal("-1")},
            "the notional SEN threshold cannot be negative (-£1)",
        ),
        (
            {"staff_rate_per_hour": Decimal("-0.5")},
            "the staff rate an hour cannot be negative (-£0.50)",
        ),
        (
            {"staff_rate_per_hour": Decimal("NaN")},
            "the staff rate an hour is not an amount of money",
        ),
        (
            {"section_order": (*DEFAULT_SECTION_ORDER, "appendix")},
            "unknown sections in the order: appendix",
        ),
        (
            {"section_order": (*DEFAULT_SECTION_ORDER, "views")},
            "sections appear twice in the order: views",
        ),
        (
            {"section_order": DEFAULT_SECTION_ORDER[:-2]},
            "the order leaves out: health_social_care, evidence_index",
        ),
    ],
)
def test_la_rules_problems(changes: dict[str, object], problem: str) -> None:
    assert la_rules_problems(replace(LA, **changes)) == [problem]  # type: ignore[arg-type]
