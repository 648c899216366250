"""The package list, for setuptools (everything else is in pyproject.toml).

Why this file: SENDesk's fonts, icons, census rules and demo-school recipe live in the
repository's top-level ``resources/`` folder (DESIGN.md), and a wheel must carry them. The
wheel gets them as the data-only package ``sendesk.resources``, mapped from ``resources/``
with ``package_dir``; pyproject.toml's ``packages.find`` cannot add a package that lives in
another folder, so the list is made here. sendesk/resource_files.py finds the folder in a
checkout, in an installed wheel and in the PyInstaller build.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["sendesk", "sendesk.*"]), "sendesk.resources"],
    package_dir={"sendesk.resources": "resources"},
)
