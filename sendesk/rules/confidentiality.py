"""Who may read an agency's advice or a document: the SENCo only, or the staff who work
with the pupil.

Why: SEND records hold special-category data, and some of it — a CAMHS letter, the school
nurse's notes, a social worker's report — is for the SENCo, not for every teacher of the
child (DESIGN.md; issue 13: "teachers reading CAMHS letters"). So every agency involvement
and evidence document carries a level, chosen when it is added and changeable by the SENCo.
Health (CAMHS, the school nurse, a paediatrician, the therapies) and social care start as
SENCo only; an educational psychologist's or a specialist teacher's advice, which teachers
act on, starts as staff.
"""

from __future__ import annotations

SENCO_ONLY = "senco"
STAFF = "staff"

LEVELS: dict[str, str] = {
    SENCO_ONLY: "SENCo only",
    STAFF: "Staff who work with the pupil",
}
"""Every level, with the words the screens use."""

SENCO_ONLY_AGENCIES: frozenset[str] = frozenset(
    {
        "CAMHS",
        "Paediatrician",
        "School nurse",
        "Speech and language therapy",
        "Occupational therapy",
        "Physiotherapy",
        "Social care",
        "Early help",
    }
)
"""Health and social care: their advice and documents start as SENCo only."""


def default_level(agency: str) -> str:
    """The level an involvement with ``agency`` starts at (the SENCo may change it)."""
    return SENCO_ONLY if agency.strip() in SENCO_ONLY_AGENCIES else STAFF


def check_level(level: str) -> str | None:
    """Why ``level`` is not a level (one sentence), or None."""
    if level not in LEVELS:
        return f"'{level}' is not a confidentiality level (senco or staff)"
    return None


def may_read(level: str, *, is_senco: bool) -> bool:
    """Whether a reader may see something at ``level``; anything unknown is SENCo only."""
    return is_senco or level == STAFF


__all__ = [
    "LEVELS",
    "SENCO_ONLY",
    "SENCO_ONLY_AGENCIES",
    "STAFF",
    "check_level",
    "default_level",
    "may_read",
]
