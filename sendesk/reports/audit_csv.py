"""The audit trail as a CSV file: the events the SENCo listed, and the chain's anchor.

A file writer, so it sits with the reports (above the services it reads: the listing from
:func:`sendesk.services.store.audit_log.audit_listing`, the export's own audit event from
:func:`sendesk.services.evidence.exports.record_export`).
"""

from __future__ import annotations

import csv
from pathlib import Path

from sendesk.db import Database
from sendesk.reports.atomic import atomic_output
from sendesk.reports.tabular import csv_row
from sendesk.services.actor import Actor
from sendesk.services.evidence.exports import record_export
from sendesk.services.permissions import Action, permit
from sendesk.services.store.audit_log import AuditListing

CSV_HEADERS = ("Event", "When (UTC)", "User", "Action", "Record", "Record id", "UPN")


def write_audit_csv(db: Database, actor: Actor, listing: AuditListing, path: Path) -> Path:
    """The SENCo saves the events listed as CSV (all or nothing), with the chain's length
    and newest hash as a last line; the export is itself audited.

    Cells go through :func:`sendesk.reports.tabular.csv_row` (a UPN or name cannot run as
    a spreadsheet formula); utf-8-sig so Excel shows names such as Zoë correctly.
    """
    permit(actor, Action.READ_AUDIT)
    with atomic_output(Path(path)) as tmp, tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(CSV_HEADERS)
        for line in listing.lines:
            out.writerow(
                csv_row(
                    [
                        line.event_id,
                        f"{line.at:%Y-%m-%d %H:%M:%S}",
                        line.username,
                        line.action,
                        line.entity,
                        "" if line.entity_id is None else line.entity_id,
                        line.upn,
                    ]
                )
            )
        anchor = listing.anchor
        out.writerow(csv_row([f"Audit trail: {anchor.length} events; newest hash {anchor.head}"]))
    pupils = len({line.upn for line in listing.lines if line.upn})
    record_export(db, actor, "audit trail", pupils, path)
    return Path(path)
