"""Writing a CTF-shaped file: the structure of ctf.md §4-§6, named as the DfE names them.

Why this shape: what DfE's own CTF writers produce — root ``CTfile``, no namespace, a
``Header`` (document name, version, date-time, qualifier "partial": SEN only, supplier,
source and destination schools) and ``CTFpupilData`` with each ``Pupil``'s core details
(UPN, names, date of birth, ``Sex`` as from CTF 25) and ``SENhistory``: every ``SEN``
entry oldest first (``StartDate``, ``EndDate`` on all but the current one,
``SENprovision``) and ``SENneeds`` ranked from 1. Dates are ``YYYY-MM-DD``. SENDesk's own
importer (:mod:`sendesk.services.transfer.ctf_import`) reads it back, which the tests check.

The file is named ``LLLEEEE_CTF_LLLEEEE_NNN.xml`` — sender, "CTF", receiver, and the next
free three-digit sequence number in the folder.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

from sendesk.reports.atomic import atomic_output
from sendesk.rules import dfe_number
from sendesk.services.transfer.ctf_export import CTF_VERSION, CtfExport, CtfOutPupil

SUPPLIER = "SENDesk"


def ctf_file_name(folder: Path, source: str, dest: str) -> Path:
    """The next free ``LLLEEEE_CTF_LLLEEEE_NNN.xml`` in ``folder``."""
    stem = f"{dfe_number.compact(source)}_CTF_{dfe_number.compact(dest)}"
    for sequence in range(1, 1000):
        path = folder / f"{stem}_{sequence:03d}.xml"
        if not path.exists():
            return path
    raise FileExistsError(f"{folder} already holds 999 CTFs to that school.")


def _add(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if text is not None:
        element.text = text
    return element


def _school(parent: ET.Element, tag: str, number: str, urn: str = "", name: str = "") -> None:
    la, estab = dfe_number.parse(number) or ("", "")
    school = _add(parent, tag)
    _add(school, "LEA", la)
    _add(school, "Estab", estab)
    if urn:
        _add(school, "URN", urn)
    if name:
        _add(school, "SchoolName", name)


def _pupil(parent: ET.Element, pupil: CtfOutPupil) -> None:
    element = _add(parent, "Pupil")
    _add(element, "UPN", pupil.upn)
    _add(element, "Surname", pupil.surname)
    _add(element, "Forename", pupil.forename)
    _add(element, "DOB", pupil.dob.isoformat())
    _add(element, "Sex", pupil.sex)
    history = _add(element, "SENhistory")
    for entry in pupil.entries:
        sen = _add(history, "SEN")
        _add(sen, "StartDate", entry.start.isoformat())
        if entry.end is not None:
            _add(sen, "EndDate", entry.end.isoformat())
        _add(sen, "SENprovision", entry.provision)
    if pupil.needs:
        needs = _add(history, "SENneeds")
        for code, rank in pupil.needs:
            need = _add(needs, "SENneed")
            _add(need, "SENtype", code)
            _add(need, "SENtypeRank", str(rank))


def ctf_bytes(data: CtfExport, *, now: datetime | None = None) -> bytes:
    """The file's bytes (UTF-8, with an XML declaration)."""
    root = ET.Element("CTfile")
    header = _add(root, "Header")
    _add(header, "DocumentName", "Common Transfer File")
    _add(header, "CTFversion", CTF_VERSION)
    _add(header, "DateTime", (now or datetime.now()).strftime("%Y-%m-%dT%H:%M:%S"))
    _add(header, "DocumentQualifier", "partial")
    _add(header, "SupplierID", SUPPLIER)
    source = _add(header, "SourceSchool")
    la, estab = dfe_number.parse(data.source_dfe) or ("", "")
    _add(source, "LEA", la)
    _add(source, "Estab", estab)
    if data.source_urn:
        _add(source, "URN", data.source_urn)
    _add(source, "SchoolName", data.school_name)
    _add(source, "AcademicYear", str(data.academic_year))
    _school(header, "DestSchool", data.dest_dfe)
    pupils = _add(root, "CTFpupilData")
    for pupil in data.pupils:
        _pupil(pupils, pupil)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def write_ctf(data: CtfExport, folder: Path, *, now: datetime | None = None) -> Path:
    """Write the CTF into ``folder`` under its DfE name; returns the path."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise FileNotFoundError(f"The folder {folder} does not exist.")
    path = ctf_file_name(folder, data.source_dfe, data.dest_dfe)
    with atomic_output(path) as tmp:
        tmp.write_bytes(ctf_bytes(data, now=now))
    return path


__all__ = ["ctf_bytes", "ctf_file_name", "write_ctf"]
