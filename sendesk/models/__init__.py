"""SQLAlchemy 2.0 typed models: the schema. Alembic migrations are made from these."""

from sendesk.models.access import (
    AccessArrangement,
    AccessAssessment,
    AssessmentScore,
    ExamEntry,
    NwwEvidence,
    TeachingGroup,
    TeachingGroupMember,
)
from sendesk.models.audit import AuditEvent
from sendesk.models.base import Base, utcnow
from sendesk.models.concern import Concern, ConcernStep
from sendesk.models.ehc import AnnualReview, EhcClockException, EhcPlan, EhcRequest, LaProfile
from sendesk.models.graduated import (
    AgencyInvolvement,
    AttainmentSnapshot,
    AttendanceRecord,
    DeliveredSession,
    Enrolment,
    EvidenceDocument,
    Intervention,
    InterventionGroup,
    Measurement,
    PlannedProvision,
    PlanOutcome,
    SessionAttendance,
    Setting,
    SupportPlan,
)
from sendesk.models.meeting import MeetingPerson, PupilProfile, ReviewMeeting
from sendesk.models.pupil import Contact, NeedProfile, Pupil
from sendesk.models.register import Need, RegisterEntry
from sendesk.models.school import School
from sendesk.models.user import PupilAssignment, User
from sendesk.roles import ROLE_LABELS, Role

__all__ = [
    "ROLE_LABELS",
    "AccessArrangement",
    "AccessAssessment",
    "AgencyInvolvement",
    "AnnualReview",
    "AssessmentScore",
    "AttainmentSnapshot",
    "AttendanceRecord",
    "AuditEvent",
    "Base",
    "Concern",
    "ConcernStep",
    "Contact",
    "DeliveredSession",
    "EhcClockException",
    "EhcPlan",
    "EhcRequest",
    "Enrolment",
    "EvidenceDocument",
    "ExamEntry",
    "Intervention",
    "InterventionGroup",
    "LaProfile",
    "Measurement",
    "MeetingPerson",
    "Need",
    "NeedProfile",
    "NwwEvidence",
    "PlanOutcome",
    "PlannedProvision",
    "Pupil",
    "PupilAssignment",
    "PupilProfile",
    "RegisterEntry",
    "ReviewMeeting",
    "Role",
    "School",
    "SessionAttendance",
    "Setting",
    "SupportPlan",
    "TeachingGroup",
    "TeachingGroupMember",
    "User",
    "utcnow",
]
