"""A small school for the meeting tests: a pupil on SEN support with a plan, a pupil with
an EHC plan, the SENCo's contact details, and a teacher who teaches the first."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, time, timedelta

from sendesk.db import Database
from sendesk.models import Role
from sendesk.rules.census import Area
from sendesk.rules.meetings import KIND_ANNUAL, KIND_PLAN, InviteeDraft, MeetingDraft
from sendesk.services.actor import Actor, acting_user
from sendesk.services.graduated import support_plans
from sendesk.services.school.school_details import SchoolDetails, save_school_details
from sendesk.services.staff import users
from tests.factories import add_test_pupil, works_with

TODAY = date(2026, 11, 2)  # a Monday


@dataclass
class MeetingSchool:
    db: Database
    senco: Actor
    teacher: Actor
    amy: int  # SEN support, a support plan, taught by the teacher
    ben: int  # an EHC plan, not taught by the teacher
    plan: int


def make_school(db: Database, senco: Actor) -> MeetingSchool:
    users.create_user(db, senco, "teacher", "Mr Teacher", Role.TEACHER, "first-password-1")
    teacher = acting_user(db, "teacher")
    amy = add_test_pupil(
        db, senco, 1, provision="K", needs=("SPLD",), forename="Amelia",
        preferred_forename="Amy", surname="Nowak",
    )  # fmt: skip
    ben = add_test_pupil(
        db, senco, 2, provision="E", needs=("ASD",), plan=True, forename="Ben", surname="Okafor",
        since=date(2026, 1, 10),
    )  # fmt: skip
    works_with(db, teacher, amy)
    cl = Area.COGNITION_LEARNING.value
    plan = support_plans.create_plan(
        db,
        senco,
        amy,
        support_plans.PlanDraft(
            start_date=date(2026, 9, 14),
            review_due=date(2026, 12, 11),
            assessment="Reading well below age",
            outcomes=(
                support_plans.OutcomeDraft("Reads 40 common words on sight", cl),
                support_plans.OutcomeDraft("Asks for help when stuck in maths", cl),
            ),
            provisions=(
                support_plans.ProvisionDraft("strategy", "Word mat on her desk in every lesson"),
                support_plans.ProvisionDraft("staff", "Reading with a teaching assistant", 90),
            ),
        ),
    )
    save_school_details(
        db,
        senco,
        SchoolDetails(
            senco_name="Ms Senco", senco_phone="01632 960123", senco_email="senco@test.sch.uk"
        ),
    )
    return MeetingSchool(db, senco, teacher, amy, ben, plan)


def draft(kind: str = KIND_PLAN, days: int = 30, **over: object) -> MeetingDraft:
    return replace(
        MeetingDraft(
            kind=kind,
            meeting_on=TODAY + timedelta(days=days),
            starts_at=time(15, 30),
            place="The SENCo's room, main building",
            invitees=(
                InviteeDraft("Mrs Nowak", "Parent", parent=True),
                InviteeDraft("Mr Teacher", "Class teacher"),
                InviteeDraft("Dr Green", "Educational psychologist (EP)"),
            ),
        ),
        **over,
    )


__all__ = ["KIND_ANNUAL", "KIND_PLAN", "TODAY", "MeetingSchool", "draft", "make_school"]
