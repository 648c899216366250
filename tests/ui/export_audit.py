"""Reading the audit events exports leave (shared by the page tests)."""

from __future__ import annotations


def export_details(db) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """The audited exports, oldest first: what, how many pupils, the file's name (other
    keys, such as a seal of the pupil's rows on an event about a pupil, left out)."""
    import json

    from sqlalchemy import select

    from sendesk.models import AuditEvent

    with db.session() as s:
        query = select(AuditEvent.detail).where(AuditEvent.action == "export")
        details = [json.loads(d) for d in s.scalars(query.order_by(AuditEvent.id))]
    return [{k: d[k] for k in ("what", "pupils", "file")} for d in details]
