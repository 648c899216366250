#!/usr/bin/env bash
# Build SENDesk's release (build.spec: PyInstaller, one folder) in a virtual environment of
# its own, so the build holds only what the app needs (not the test tools of .venv).
#
#   scripts/build.sh            -> dist/sendesk/sendesk (command line) and sendesk-gui (the app)
#
# The venv (build/venv) is kept between runs; pip reinstalls the app from this checkout each
# time. PYTHON picks the interpreter (default python3; SENDesk needs 3.11 or newer).
# On Windows: the same spec, from PowerShell (see the README).
set -euo pipefail
cd "$(dirname "$0")/.."

venv=build/venv
if [ ! -x "$venv/bin/python" ]; then
  "${PYTHON:-python3}" -m venv "$venv"
fi
echo "== build: installing PyInstaller and SENDesk into $venv"
# setuptools stages the wheel in build/lib and never empties it: a module deleted from the
# checkout would still be built in. Start from nothing.
rm -rf build/lib build/bdist.*
"$venv/bin/python" -m pip install -q --disable-pip-version-check "pyinstaller>=6.3,<7" .
echo "== build: PyInstaller (build.spec)"
"$venv/bin/python" -m PyInstaller --noconfirm --log-level WARN \
  --distpath dist --workpath build/pyinstaller build.spec
echo "== build: done. SENDesk is in $PWD/dist/sendesk ($(du -sh dist/sendesk | cut -f1)):"
echo "   dist/sendesk/sendesk      the command line (no command: opens the app)"
echo "   dist/sendesk/sendesk-gui  the app, without a console window on Windows"
