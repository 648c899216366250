"""Counting the generated cases the property tests feed SENDesk, and the crashes.

A *crash* is any exception other than a SendeskError (the one-sentence errors a person
sees); issue 12 asks for none in at least 10,000 cases. ``check`` runs one case and
counts it, ``counted`` counts the generated examples; the conftest prints the totals at
the end of the run ("hypothesis: N cases, 0 crashes"), which benchmarks/hostile_files.py
quotes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from sendesk.errors import SendeskError

T = TypeVar("T")

TOTALS = {"cases": 0, "checks": 0, "crashes": 0, "refused": 0, "written": 0}
"""cases: generated examples run (each test body once per example); checks: calls into
SENDesk made by them (an example may try several readers or validators); written:
database examples whose import or upload went through (the rest must write nothing)."""


def counted(test: Callable[..., None]) -> Callable[..., None]:
    """Count each generated example a test runs (put it under ``@given``)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        TOTALS["cases"] += 1
        test(*args, **kwargs)

    return run


def check(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """Run one generated case: its result, or None when SENDesk refused it in a sentence.

    Any other exception is a crash: counted, then raised so the test fails (hypothesis
    then shrinks it to the smallest input that does it).
    """
    TOTALS["checks"] += 1
    try:
        return fn(*args, **kwargs)
    except SendeskError as exc:
        TOTALS["refused"] += 1
        text = str(exc)
        assert text.strip(), "a refusal must say why"
        return None
    except Exception:
        TOTALS["crashes"] += 1
        raise


def checked_value_error(fn: Callable[..., T], *args: Any) -> T | None:
    """For the ``parse_*`` cell readers, whose contract is ValueError with a fragment the
    caller completes ("date of birth " + reason): that is their refusal, not a crash."""
    TOTALS["checks"] += 1
    try:
        return fn(*args)
    except (ValueError, SendeskError) as exc:
        TOTALS["refused"] += 1
        assert str(exc).strip()
        return None
    except Exception:
        TOTALS["crashes"] += 1
        raise


def examples(n: int) -> int:
    """A test's example count: ``n``, or a tenth under HYPOTHESIS_PROFILE=dev."""
    import os

    return max(1, n // 10) if os.environ.get("HYPOTHESIS_PROFILE") == "dev" else n
