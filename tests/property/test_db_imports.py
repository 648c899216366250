"""Generated hostile input through the real database (issue 12): the MIS pupil import, the
class-list import, the attainment import and the evidence upload either work or are
refused; a refused one leaves every table as it was (no half-write, no audit event).

A smaller share than the in-memory tests (a few hundred examples on each backend): the
readers and validators are the same code, exercised by thousands of cases there.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import cases
import pytest
from cases import check, counted, examples
from db_snapshot import table_counts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import DATES, NASTY, TEXT
from test_file_readers import ATTAINMENT_FILES, CLASS_FILES, CSV_FILES, written

from sendesk.db import Database
from sendesk.rules.upn import make
from sendesk.services.actor import Actor
from sendesk.services.evidence.evidence import add_document
from sendesk.services.graduated.progress_data import import_attainment_csv
from sendesk.services.register.pupil_import import import_pupils
from sendesk.services.staff.teaching_groups import import_classes
from tests.factories import add_test_pupil


def db_settings(n: int) -> settings:
    """``n`` examples on one database per test (its fixture is made once per test)."""
    return settings(
        max_examples=examples(n),
        suppress_health_check=[
            *settings.default.suppress_health_check,
            HealthCheck.function_scoped_fixture,
        ],
    )


TODAY = date(2026, 3, 2)
UPNS = [make(801, 2000, 24, n) for n in range(1, 4)]


@pytest.fixture
def school(db: Database, senco: Actor) -> int:
    """Three pupils (so class lists and assessments can name real UPNs); the first's id."""
    ids = [add_test_pupil(db, senco, n) for n in range(1, 4)]
    return ids[0]


def _all_or_nothing(db: Database, fn: Callable[..., object], *args: Any, **kw: Any) -> None:
    """Run one generated case through ``fn``: it writes (counted), or it is refused in a
    sentence and every table is as it was."""
    before = table_counts(db)
    result = check(fn, *args, **kw)
    written = getattr(result, "written", result is not None)
    if written:
        cases.TOTALS["written"] += 1
    else:
        assert table_counts(db) == before


def _with_real_upns(data: bytes, seed: int) -> bytes:
    """Put a known pupil's UPN into some files, so some rows get past "not in SENDesk"."""
    return data.replace(b"A", UPNS[seed % 3].encode(), 1) if seed % 2 else data


@db_settings(80)
@given(data=CSV_FILES, skip=st.booleans())
@counted
def test_pupil_import(
    db: Database, senco: Actor, tmp_path_factory: pytest.TempPathFactory, data: bytes, skip: bool
) -> None:
    path = written(tmp_path_factory.getbasetemp() / "db-export.csv", data)
    _all_or_nothing(db, import_pupils, db, senco, path, skip_invalid=skip, today=TODAY)


@pytest.mark.parametrize(
    ("files", "name", "importer"),
    [
        pytest.param(CLASS_FILES, "db-classes.csv", import_classes, id="class"),
        pytest.param(
            ATTAINMENT_FILES,
            "db-attainment.csv",
            partial(import_attainment_csv, today=TODAY),
            id="attainment",
        ),
    ],
)
@db_settings(60)
@given(data=st.data(), seed=st.integers(0, 9))
@counted
def test_import_naming_pupils(
    db: Database,
    senco: Actor,
    school: int,
    tmp_path_factory: pytest.TempPathFactory,
    files: st.SearchStrategy[bytes],
    name: str,
    importer: Callable[[Database, Actor, Path], object],
    data: st.DataObject,
    seed: int,
) -> None:
    """The class-list and attainment imports, whose rows name pupils by UPN."""
    path = written(tmp_path_factory.getbasetemp() / name, _with_real_upns(data.draw(files), seed))
    _all_or_nothing(db, importer, db, senco, path)


DOCUMENTS = st.one_of(
    st.binary(max_size=300),
    st.sampled_from([b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0"]).flatmap(
        lambda head: st.binary(max_size=200).map(lambda tail: head + tail)
    ),
)


@db_settings(60)
@given(
    content=DOCUMENTS,
    filename=st.none() | TEXT | st.sampled_from(["report.pdf", "scan.PNG", "x.exe", *NASTY]),
    title=TEXT,
    on=st.none() | DATES,
)
@counted
def test_document_upload(
    db: Database,
    senco: Actor,
    school: int,
    content: bytes,
    filename: str | None,
    title: str,
    on: date | None,
) -> None:
    _all_or_nothing(
        db, add_document, db, senco, school, content, title, on, filename=filename, today=TODAY
    )
