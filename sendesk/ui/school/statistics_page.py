"""Anonymised statistics: the only register view read-only users (SLT, governors) get."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from sendesk.rules.census import PROVISION_LABELS, Provision
from sendesk.services.school.statistics import SMALL_NUMBERS_NOTE, register_statistics, shown
from sendesk.ui.context import AppContext


def _year_label(year: int) -> str:
    return "Unknown" if year == -99 else ("Reception" if year == 0 else f"Year {year}")


class StatisticsPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        self.body = QLabel()
        self.body.setAccessibleName("Register statistics")
        self.body.setWordWrap(True)
        layout.addWidget(self.body)
        layout.addStretch(1)
        self.reload()

    def reload(self) -> None:
        stats = register_statistics(self.ctx.db, self.ctx.actor)
        rows = "".join(
            f"<tr><td>{PROVISION_LABELS[Provision(p)]} ({p})</td><td align=right>{shown(n)}"
            "</td></tr>"
            for p, n in stats.by_provision.items()
        )
        areas = "".join(
            f"<tr><td>{area}</td><td align=right>{shown(n)}</td></tr>"
            for area, n in stats.by_area.items()
        )
        years = "".join(
            f"<tr><td>{_year_label(y)}</td>"
            + "".join(f"<td align=right>{shown(c.get(p))}</td>" for p in ("N", "K", "E"))
            + "</tr>"
            for y, c in stats.by_year.items()
        )
        self.body.setText(
            f"<h2>SEND register at a glance</h2><p>{stats.pupils:,} pupils. No child can be "
            f"identified: {SMALL_NUMBERS_NOTE}.</p>"
            f"<h3>SEN provision</h3><table cellpadding=4>{rows}</table>"
            f"<h3>Primary need, by broad area</h3><table cellpadding=4>{areas}</table>"
            "<h3>By year group</h3><table cellpadding=4><tr><th></th><th>N</th><th>K</th>"
            f"<th>E</th></tr>{years}</table>"
        )
