"""The roles of DESIGN.md (and the exams officer, issue 13) and their names for people.

Kept apart from the models so that the main window and the signed-in actor can know a
role without importing SQLAlchemy (see :mod:`sendesk.db` on start-up).
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """The roles of DESIGN.md and the exams officer; the service layer enforces them."""

    SENCO = "senco"
    LEARNING_SUPPORT = "learning_support"
    TEACHER = "teacher"
    # The exams officer sees the exams officer's list and each candidate's arrangements,
    # nothing else about a pupil (issue 13, least privilege): they run the exam rooms, so
    # they need who has what arrangement, not the picture of need behind it.
    EXAMS_OFFICER = "exams_officer"
    READ_ONLY = "read_only"


ROLE_LABELS: dict[Role, str] = {
    Role.SENCO: "SENCo",
    Role.LEARNING_SUPPORT: "Learning support",
    Role.TEACHER: "Teacher",
    Role.EXAMS_OFFICER: "Exams officer",
    Role.READ_ONLY: "Read-only",
}

NAMED_READERS: tuple[Role, ...] = (Role.SENCO, Role.LEARNING_SUPPORT, Role.TEACHER)
"""The roles that may see pupils by name (read-only accounts see only figures)."""
