"""What one part of the demo wrote, counted, and the one audit event that says so.

The access, graduated-response and EHC histories each end the same way: a frozen summary
of what they wrote, table by table, recorded against the school with the seed and the
day, so the audit trail tells anyone reading it that these rows are the demo's and how
to make them again. One base class keeps the three events the same shape.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sendesk.services.store.audit import AuditWriter


@dataclass(frozen=True)
class DemoCounts:
    """The base of each part's summary; its fields are the counts."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def record(
        self, audit: AuditWriter, action: str, school_id: int | None, *, seed: int, today: date
    ) -> None:
        """The part's one audit event: ``action`` on the school, with the seed, the day and
        the counts."""
        audit.record(action, "school", school_id, {"seed": seed, "today": today, **self.as_dict()})
