"""Property-based tests (hypothesis) of the imports, the upload and the form validators.

Profiles: "sendesk" (the default) runs each test's own example count with no deadline
(file and database work varies on a shared 2-core machine) and no example database (no
.hypothesis folder in the work tree); under CI (CI=true) it is derandomized, so a run is
repeatable. HYPOTHESIS_PROFILE=dev runs a tenth of the examples for a quick look.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services"))

import cases  # noqa: F401  (tests/conftest.py prints its totals from sys.modules)

settings.register_profile(
    "sendesk",
    deadline=None,
    database=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("dev", parent=settings.get_profile("sendesk"))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "sendesk"))
