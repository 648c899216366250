"""Evidence documents: reports, letters and work samples kept inside the encrypted database.

An EHC request pack is only as good as its evidence, and an EP report or a speech and
language assessment is special-category data about a child. So the document itself is
stored in the database (encrypted with it, backed up with it), never as a loose file in a
shared folder, together with the SHA-256 taken when it was added, its size and its media
type. Reading it back checks the SHA-256: a document altered or damaged in storage is an
error, not something quietly handed to a panel.

Only PDF, Word (.docx), PNG and JPEG files are accepted, recognised by their contents as
well as their name (a ``.pdf`` that is really something else is refused), up to 20 MB.
The SENCo adds and removes documents; learning support staff and teachers may read them;
read-only accounts may not. Every addition, removal and opening is audited ("who accessed
what" is part of accountability under UK GDPR).

Opening a document in the operating system's viewer
----------------------------------------------------
A viewer needs a file. :func:`viewer_copy` writes the document to a private folder made
for this run of SENDesk (``tempfile.mkdtemp``: mode 0700 on macOS and Linux, inside the
user's own temporary folder on Windows), as a read-only file (0400), and returns its path
for the UI to open (``QDesktopServices.openUrl``). The folder and everything in it is
removed when the window locks, on signing out and when the app exits: the UI calls
:func:`remove_viewer_copies` then (and from ``QApplication.aboutToQuit``), and an
``atexit`` hook does the same as a fallback. A copy that could not be removed (a viewer on
Windows still holding it open) or that survived a crash is swept at the next start by
:func:`sweep_stale_viewer_folders`: the folder's name carries the process id of the
SENDesk that made it, so a crashed run's folder goes at once (no such process is
running). The copies exist only while someone is reading the document; nothing else in
SENDesk writes plain-text pupil data to temporary files.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import io
import os
import re
import shutil
import stat
import tempfile
import threading
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.errors import NotFoundError, PermissionDeniedError, SendeskError, ValidationError
from sendesk.models import AgencyInvolvement, EvidenceDocument, Role, User, utcnow
from sendesk.rules.confidentiality import STAFF, check_level, may_read
from sendesk.services.actor import Actor
from sendesk.services.common import add_audited, pupil_or_gone, refuse
from sendesk.services.permissions import Action, permit, permit_pupil, permit_pupils
from sendesk.services.store.audit import AuditWriter
from sendesk.temp_folders import sweep_folders

MAX_BYTES = 20 * 1024 * 1024
TITLE_MAX = 200
FILENAME_MAX = 200

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PNG = "image/png"
JPEG = "image/jpeg"

EXTENSIONS: dict[str, str] = {
    ".pdf": PDF,
    ".docx": DOCX,
    ".png": PNG,
    ".jpg": JPEG,
    ".jpeg": JPEG,
}
"""File name endings accepted, and the media type each must contain."""

KIND_NAMES: dict[str, str] = {
    PDF: "PDF",
    DOCX: "Word (.docx)",
    PNG: "PNG image",
    JPEG: "JPEG image",
}
_DEFAULT_EXTENSION = {PDF: ".pdf", DOCX: ".docx", PNG: ".png", JPEG: ".jpg"}
ACCEPTED = "a PDF, a Word document (.docx), a PNG or a JPEG image"


SENCO_ONLY_TEXT = "That document is for the SENCo only."


class DocumentIntegrityError(SendeskError):
    """A stored document no longer matches the SHA-256 taken when it was added."""


@dataclass(frozen=True)
class DocumentItem:
    """A stored document's details (never its contents), for lists and the pack."""

    id: int
    pupil_id: int
    involvement_id: int | None
    title: str
    filename: str
    media_type: str
    size: int
    sha256: str
    document_date: date | None
    added_by: str
    added_at: datetime
    confidentiality: str = STAFF  # "senco" or "staff": rules.confidentiality

    @property
    def kind(self) -> str:
        return KIND_NAMES.get(self.media_type, self.media_type)


# --- recognising a file -----------------------------------------------------------------


def sniff_media_type(content: bytes) -> str | None:
    """The accepted media type ``content`` really is, from its first bytes (None if none)."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return DOCX
    return None


def media_type_for(filename: str, content: bytes) -> str:
    """The media type of a file to store, or a ValidationError in one sentence.

    The name's ending must be one SENDesk accepts, and the contents must be of that kind.
    Messages do not repeat the file name: names of reports often hold the pupil's name.
    """
    ext = Path(filename).suffix.lower()
    if ext not in EXTENSIONS:
        shown = f"'{ext}' files" if ext else "Files without a type ending (.pdf, .docx…)"
        raise ValidationError(f"{shown} cannot be stored as evidence: add {ACCEPTED}.")
    expected = EXTENSIONS[ext]
    found = sniff_media_type(content)
    if found != expected:
        raise ValidationError(
            f"The file is named as a {KIND_NAMES[expected]} but its contents are not one, so it "
            f"was not stored: add {ACCEPTED}."
        )
    return expected


def _safe_filename(name: str, media_type: str, title: str) -> str:
    """A plain file name (no folders, no control or reserved characters), ≤200 characters."""
    base = Path(name.replace("\\", "/")).name if name else ""
    base = re.sub(r'[\x00-\x1f<>:"/\\|?*]', "_", base).strip(" .")
    ext = Path(base).suffix.lower()
    if not base or ext not in EXTENSIONS:
        stem = re.sub(r'[\x00-\x1f<>:"/\\|?*]', "_", title).strip(" .") or "document"
        base, ext = stem + _DEFAULT_EXTENSION[media_type], _DEFAULT_EXTENSION[media_type]
    if len(base) > FILENAME_MAX:
        stem = Path(base).stem[: FILENAME_MAX - len(ext)]
        base = stem + ext
    return base


def _size_text(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _read_source(source: Path | str | bytes, filename: str | None) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray | memoryview):
        content = bytes(source)
        if len(content) > MAX_BYTES:
            raise ValidationError(
                f"The document is {_size_text(len(content))}; documents over 20 MB cannot be "
                "stored (save or scan it at a lower resolution, or split it)."
            )
        return content, filename or ""
    path = Path(source).expanduser()
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise ValidationError("That is a folder, not a file: choose the document itself.")
        if size > MAX_BYTES:
            raise ValidationError(
                f"The document is {_size_text(size)}; documents over 20 MB cannot be stored "
                "(save or scan it at a lower resolution, or split it)."
            )
        with path.open("rb") as fh:
            content = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise ValidationError("The document could not be found: it may have been moved.") from None
    except OSError as exc:
        raise ValidationError(
            f"The document could not be read ({exc.strerror or type(exc).__name__})."
        ) from None
    if len(content) > MAX_BYTES:  # grew while being read
        raise ValidationError("Documents over 20 MB cannot be stored.")
    return content, filename or path.name


# --- storing and reading ---------------------------------------------------------------


@dataclass(frozen=True)
class CheckedDocument:
    """A document's bytes and details, checked and ready to store (no database yet)."""

    content: bytes
    title: str
    filename: str
    media_type: str
    sha256: str
    document_date: date | None


def check_document(
    path_or_bytes: Path | str | bytes,
    title: str,
    document_date: date | None,
    *,
    filename: str | None = None,
    today: date | None = None,
    confidentiality: str | None = None,
) -> CheckedDocument:
    """Read and check a document before any transaction (ValidationError, one sentence).

    Shared by :func:`add_document` and the work samples of a cause for concern
    (:mod:`sendesk.services.graduated.concerns`): one set of checks for every stored file.
    """
    content, name = _read_source(path_or_bytes, filename)
    problems: list[str] = []
    clean_title = " ".join(title.split())
    if not clean_title:
        problems.append("the document's title is missing")
    elif len(clean_title) > TITLE_MAX:
        problems.append(f"the title is longer than {TITLE_MAX} characters")
    elif any(ord(c) < 32 or ord(c) == 127 for c in clean_title):
        # a control character (NUL above all: PostgreSQL refuses it in text) is never
        # part of a title a person typed; say so rather than fail at the database
        problems.append("the title contains a control character")
    if document_date is not None:
        if isinstance(document_date, datetime) or not isinstance(document_date, date):
            raise TypeError("document_date must be a date or None")
        if document_date > (today or date.today()):
            problems.append(f"the document's date {document_date:%d/%m/%Y} is in the future")
    if not content:
        problems.append("the file is empty")
    if confidentiality is not None and (problem := check_level(confidentiality)):
        problems.append(problem)
    refuse(problems)
    if name:
        media_type = media_type_for(name, content)
    else:
        found = sniff_media_type(content)
        if found is None:
            raise ValidationError(f"That is not a document SENDesk can store: add {ACCEPTED}.")
        media_type = found
    return CheckedDocument(
        content=content,
        title=clean_title,
        filename=_safe_filename(name, media_type, clean_title),
        media_type=media_type,
        sha256=hashlib.sha256(content).hexdigest(),
        document_date=document_date,
    )


def added_at_problem(added_at: datetime | None) -> str | None:
    """What is wrong with when a document of the past was added (it is never after now:
    the audit trail records when the row was really written), or None. Shared by
    :func:`store_document` and the batch of past involvements."""
    if added_at is not None and added_at > utcnow():
        return "the document's time of adding is in the future"
    return None


def store_document(
    session: Session,
    actor: Actor,
    pupil_id: int,
    doc: CheckedDocument,
    level: str,
    *,
    involvement_id: int | None = None,
    concern_id: int | None = None,
    added_at: datetime | None = None,
) -> int:
    """Insert a checked document for ``pupil_id`` and audit it; the caller has checked
    permission and the pupil, inside its own transaction. Returns the document's id.

    ``added_at`` is when it was added, for a record of the past (the demo school's
    history, written today as if over the years); now when not given. It is never after
    now: the audit trail records when the row was really written."""
    if (problem := added_at_problem(added_at)) is not None:
        refuse([problem])
    extra: dict[str, datetime] = {} if added_at is None else {"added_at": added_at}
    row = EvidenceDocument(
        pupil_id=pupil_id,
        involvement_id=involvement_id,
        concern_id=concern_id,
        title=doc.title,
        filename=doc.filename,
        media_type=doc.media_type,
        size=len(doc.content),
        sha256=doc.sha256,
        document_date=doc.document_date,
        content=doc.content,
        added_by_id=actor.user_id or None,
        confidentiality=level,
        **extra,
    )
    detail: dict[str, object] = {
        "pupil_id": pupil_id,
        "involvement_id": involvement_id,
        "media_type": doc.media_type,
        "size": len(doc.content),
        "sha256": doc.sha256,
        "confidentiality": level,
    }
    if concern_id is not None:
        detail["concern_id"] = concern_id
    return add_audited(session, AuditWriter(session, actor), row, "evidence_document", detail)


def add_document(
    db: Database,
    actor: Actor,
    pupil_id: int,
    path_or_bytes: Path | str | bytes,
    title: str,
    document_date: date | None,
    involvement_id: int | None = None,
    *,
    filename: str | None = None,
    today: date | None = None,
    confidentiality: str | None = None,
) -> int:
    """The SENCo stores a document as evidence for a pupil; returns its id.

    ``path_or_bytes`` is a file to read, or the document's bytes (then ``filename`` gives
    its name; without one, the type is taken from the contents and the title names it).
    ``involvement_id`` links it to an agency involvement of the same pupil.
    ``confidentiality`` ("senco" or "staff"): by default the involvement's level (a CAMHS
    letter is SENCo only like the CAMHS advice), or staff for a document of its own.
    """
    permit(actor, Action.MANAGE_DOCUMENTS)
    doc = check_document(
        path_or_bytes,
        title,
        document_date,
        filename=filename,
        today=today,
        confidentiality=confidentiality,
    )
    with db.transaction() as s:
        pupil_or_gone(s, pupil_id)
        level = confidentiality or STAFF
        if involvement_id is not None:
            found = s.execute(
                select(AgencyInvolvement.pupil_id, AgencyInvolvement.confidentiality).where(
                    AgencyInvolvement.id == involvement_id
                )
            ).first()
            if found is None:
                raise NotFoundError("That agency involvement is no longer in this database.")
            if found[0] != pupil_id:
                raise ValidationError("That agency involvement is another pupil's.")
            level = confidentiality or found[1]
        return store_document(s, actor, pupil_id, doc, level, involvement_id=involvement_id)


_ITEM_COLUMNS = (
    EvidenceDocument.id,
    EvidenceDocument.pupil_id,
    EvidenceDocument.involvement_id,
    EvidenceDocument.title,
    EvidenceDocument.filename,
    EvidenceDocument.media_type,
    EvidenceDocument.size,
    EvidenceDocument.sha256,
    EvidenceDocument.document_date,
    User.display_name,
    EvidenceDocument.added_at,
    EvidenceDocument.confidentiality,
)


def _item(row: tuple[object, ...]) -> DocumentItem:
    values = list(row)
    values[9] = values[9] or "Unknown"
    return DocumentItem(*values)  # type: ignore[arg-type]


def list_documents(
    db: Database, actor: Actor, pupil_id: int, *, involvement_id: int | None = None
) -> list[DocumentItem]:
    """A pupil's documents (newest document date first), without their contents.

    One query. With ``involvement_id``, only the documents of that involvement.
    """
    stmt = (
        select(*_ITEM_COLUMNS)
        .outerjoin(User, User.id == EvidenceDocument.added_by_id)
        .where(EvidenceDocument.pupil_id == pupil_id)
    )
    if involvement_id is not None:
        stmt = stmt.where(EvidenceDocument.involvement_id == involvement_id)
    if actor.role is not Role.SENCO:  # SENCo-only documents are not even listed for others
        stmt = stmt.where(EvidenceDocument.confidentiality == STAFF)
    with db.session() as s:
        permit_pupil(s, actor, Action.OPEN_DOCUMENTS, pupil_id)
        items = [_item(tuple(r)) for r in s.execute(stmt)]
    items.sort(key=lambda d: (d.document_date or date.min, d.added_at, d.id), reverse=True)
    return items


def get_document(db: Database, actor: Actor, doc_id: int) -> DocumentItem:
    """One document's details (NotFoundError when it has been removed)."""
    permit(actor, Action.OPEN_DOCUMENTS)
    with db.session() as s:
        row = s.execute(
            select(*_ITEM_COLUMNS)
            .outerjoin(User, User.id == EvidenceDocument.added_by_id)
            .where(EvidenceDocument.id == doc_id)
        ).first()
        if row is None:
            raise NotFoundError("That document is no longer in this database.")
        item = _item(tuple(row))
        permit_pupil(s, actor, Action.OPEN_DOCUMENTS, item.pupil_id)
    if not may_read(item.confidentiality, is_senco=actor.role is Role.SENCO):
        raise PermissionDeniedError(SENCO_ONLY_TEXT)
    return item


def document_bytes(db: Database, actor: Actor, doc_id: int) -> bytes:
    """A document's contents, checked against its SHA-256 and size; the opening is audited.

    Raises DocumentIntegrityError when the stored bytes no longer match what was added.
    """
    return documents_bytes(db, actor, [doc_id])[0]


def documents_bytes(db: Database, actor: Actor, doc_ids: Sequence[int]) -> list[bytes]:
    """:func:`document_bytes` for several documents, in the order given, read and audited
    in one transaction (the EHC request pack appends them all): all of them, or an error."""
    permit(actor, Action.OPEN_DOCUMENTS)
    with db.transaction() as s:
        rows = {
            row.id: row
            for row in s.execute(
                select(
                    EvidenceDocument.id,
                    EvidenceDocument.pupil_id,
                    EvidenceDocument.sha256,
                    EvidenceDocument.size,
                    EvidenceDocument.content,
                    EvidenceDocument.confidentiality,
                ).where(EvidenceDocument.id.in_(set(doc_ids)))
            )
        }
        permit_pupils(s, actor, Action.OPEN_DOCUMENTS, (r.pupil_id for r in rows.values()))
        audit = AuditWriter(s, actor)
        contents: list[bytes] = []
        for doc_id in doc_ids:
            row = rows.get(doc_id)
            if row is None:
                raise NotFoundError("That document is no longer in this database.")
            if not may_read(row.confidentiality, is_senco=actor.role is Role.SENCO):
                raise PermissionDeniedError(SENCO_ONLY_TEXT)
            content = bytes(row.content)  # memoryview on PostgreSQL
            if len(content) != row.size or hashlib.sha256(content).hexdigest() != row.sha256:
                raise DocumentIntegrityError(
                    "The stored copy of this document does not match the fingerprint (SHA-256) "
                    "taken when it was added, so it has been altered or damaged: restore it "
                    "from a backup or add the original again."
                )
            audit.record("open", "evidence_document", doc_id, {"pupil_id": row.pupil_id})
            contents.append(content)
        return contents


def set_document_confidentiality(db: Database, actor: Actor, doc_id: int, level: str) -> None:
    """The SENCo changes who may read a document (audited with the old and new level)."""
    permit(actor, Action.MANAGE_DOCUMENTS)
    if (problem := check_level(level)) is not None:
        raise ValidationError(problem[0].upper() + problem[1:] + ".")
    with db.transaction() as s:
        row = s.execute(
            select(EvidenceDocument.pupil_id, EvidenceDocument.confidentiality).where(
                EvidenceDocument.id == doc_id
            )
        ).first()
        if row is None:
            raise NotFoundError("That document is no longer in this database.")
        if row[1] == level:
            return
        s.execute(
            update(EvidenceDocument)
            .where(EvidenceDocument.id == doc_id)
            .values(confidentiality=level)
        )
        AuditWriter(s, actor).record(
            "update",
            "evidence_document",
            doc_id,
            {"pupil_id": row[0], "confidentiality": {"from": row[1], "to": level}},
        )


def remove_document(db: Database, actor: Actor, doc_id: int) -> None:
    """The SENCo removes a document (audited with its SHA-256, so the record of it stays)."""
    permit(actor, Action.MANAGE_DOCUMENTS)
    with db.transaction() as s:
        row = s.execute(
            select(
                EvidenceDocument.pupil_id,
                EvidenceDocument.sha256,
                EvidenceDocument.size,
                EvidenceDocument.media_type,
            ).where(EvidenceDocument.id == doc_id)
        ).first()
        if row is None:
            raise NotFoundError("That document is no longer in this database.")
        pupil_id, digest, size, media_type = row
        s.execute(delete(EvidenceDocument).where(EvidenceDocument.id == doc_id))
        AuditWriter(s, actor).record(
            "delete",
            "evidence_document",
            doc_id,
            {"pupil_id": pupil_id, "sha256": digest, "size": size, "media_type": media_type},
        )


# --- copies for the operating system's viewer -------------------------------------------

VIEWER_PREFIX = "sendesk-view-"
STALE_AFTER_SECONDS = 12 * 60 * 60

_viewer_lock = threading.Lock()
_viewer_folder: Path | None = None
_hooked = False


def _folder() -> Path:
    global _viewer_folder, _hooked
    with _viewer_lock:
        if _viewer_folder is None or not _viewer_folder.is_dir():
            # mkdtemp: readable, writable and searchable only by this user (0700).
            # The process id in the name lets the next start tell a crashed run's folder
            # from a running SENDesk's (see sweep_stale_viewer_folders).
            _viewer_folder = Path(tempfile.mkdtemp(prefix=f"{VIEWER_PREFIX}{os.getpid()}-"))
            if not _hooked:
                atexit.register(remove_viewer_copies)
                _hooked = True
        return _viewer_folder


def viewer_folder() -> Path | None:
    """This run's private folder of viewer copies (None until a document is opened)."""
    return _viewer_folder


def viewer_copy(db: Database, actor: Actor, doc_id: int) -> Path:
    """Write a checked copy of a document for the OS viewer; returns the file's path.

    The copy is read-only (0400) in this run's private folder (0700), named as the
    document was; :func:`remove_viewer_copies` deletes it (the UI calls it on quitting).
    """
    item = get_document(db, actor, doc_id)
    content = document_bytes(db, actor, doc_id)
    folder = _folder()
    stem, ext = Path(item.filename).stem or "document", Path(item.filename).suffix
    for n in range(1, 1000):
        path = folder / (f"{stem}{ext}" if n == 1 else f"{stem} ({n}){ext}")
        try:
            fd = os.open(
                path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600
            )
        except FileExistsError:
            continue
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        os.chmod(path, stat.S_IRUSR)
        return path
    raise SendeskError("Too many copies of this document are open; close some and try again.")


def _remove_tree(folder: Path) -> bool:
    """Remove ``folder`` and its (read-only) copies as far as possible; True when gone."""
    for root, dirs, files in os.walk(folder):
        for name in (*dirs, *files):
            with contextlib.suppress(OSError):
                os.chmod(Path(root) / name, stat.S_IRWXU)  # Windows refuses read-only files
    shutil.rmtree(folder, ignore_errors=True)
    return not folder.exists()


def remove_viewer_copies() -> bool:
    """Delete this run's viewer copies and their folder; True when nothing is left.

    Safe to call more than once. A file a viewer still holds open (Windows) may survive;
    :func:`sweep_stale_viewer_folders` removes it at a later start.
    """
    global _viewer_folder
    with _viewer_lock:
        folder, _viewer_folder = _viewer_folder, None
    if folder is None or not folder.exists():
        return True
    return _remove_tree(folder)


def sweep_stale_viewer_folders(max_age_seconds: float = STALE_AFTER_SECONDS) -> int:
    """Remove this user's viewer folders left by earlier runs (a crash, a locked file).

    Only folders named ``sendesk-view-*`` in the temporary folder and owned by this user;
    of those, a folder whose SENDesk is no longer running (the process id in its name, on
    macOS and Linux) or untouched for ``max_age_seconds`` (another SENDesk window may be
    using a newer one). Returns how many were removed. Call it once at start-up.
    """
    return sweep_folders(
        VIEWER_PREFIX, max_age_seconds=max_age_seconds, keep=_viewer_folder, remove=_remove_tree
    )


__all__ = [
    "ACCEPTED",
    "EXTENSIONS",
    "MAX_BYTES",
    "DocumentIntegrityError",
    "DocumentItem",
    "add_document",
    "document_bytes",
    "documents_bytes",
    "get_document",
    "list_documents",
    "media_type_for",
    "remove_document",
    "remove_viewer_copies",
    "set_document_confidentiality",
    "sniff_media_type",
    "sweep_stale_viewer_folders",
    "viewer_copy",
    "viewer_folder",
]
