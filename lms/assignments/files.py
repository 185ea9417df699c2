"""What a learner may attach to a submission, checked by what the file is, not what it is called.

The extension must be one the assignment allows, and the first bytes must say the same: a PDF
starts as a PDF, a Word document is a ZIP with Word's parts, a text file is UTF-8 without NUL
bytes. ``filetype`` (a small, maintained, pure-Python signature table) reads the signatures; no
libmagic is needed on the server. The stored name is random and the type sent back when the file
is downloaded comes from this table, never from the upload, so a file cannot choose how a browser
treats it.
"""

import hashlib
import os
import uuid
import zipfile
from dataclasses import dataclass

import filetype
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

MAX_FILE_MB = 50  # the block's limit can be set up to this
SNIFF_BYTES = 64 * 1024  # enough for filetype to see a ZIP's first parts (word/, xl/, ppt/)
# An office document is a ZIP: one that would unpack to far more than any real document is refused
# (a reviewer's office program would unpack it).
MAX_ZIP_ENTRIES = 5_000
MAX_UNPACKED_BYTES = 500 * 2**20


@dataclass(frozen=True)
class FileKind:
    label: str
    content_type: str
    signatures: tuple[str, ...]  # filetype's extensions that the content may have; () for plain text
    zipped: bool = False


FILE_TYPES: dict[str, FileKind] = {
    "pdf": FileKind(_("PDF"), "application/pdf", ("pdf",)),
    "docx": FileKind(
        _("Word (.docx)"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ("docx",),
        zipped=True,
    ),
    "odt": FileKind(_("OpenDocument text (.odt)"), "application/vnd.oasis.opendocument.text", ("odt",), zipped=True),
    "xlsx": FileKind(
        _("Excel (.xlsx)"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",), zipped=True
    ),
    "pptx": FileKind(
        _("PowerPoint (.pptx)"),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ("pptx",),
        zipped=True,
    ),
    "txt": FileKind(_("Plain text (.txt)"), "text/plain; charset=utf-8", ()),
    "png": FileKind(_("PNG image"), "image/png", ("png",)),
    "jpg": FileKind(_("JPEG image"), "image/jpeg", ("jpg",)),
}
ALIASES = {"jpeg": "jpg"}


class FileRefused(Exception):
    """The upload is not a file this assignment takes; the message says why, in the learner's language."""


@dataclass(frozen=True)
class CheckedFile:
    kind: str
    name: str  # the learner's name for it, made safe to show and to offer as a download name
    stored_name: str  # random: nothing of the upload's name reaches the file system
    size: int
    content_type: str
    sha256: str


def file_check(upload: UploadedFile, *, allowed: list[str], max_bytes: int) -> CheckedFile:
    """Check ``upload`` against the assignment's allowed kinds and size; raise ``FileRefused``."""
    original = os.path.basename(upload.name or "")[:200]
    stem, dot, extension = original.rpartition(".")
    kind = ALIASES.get(extension.lower(), extension.lower()) if dot else ""
    if kind not in FILE_TYPES or kind not in allowed:
        names = ", ".join(str(FILE_TYPES[k].label) for k in allowed if k in FILE_TYPES)
        raise FileRefused(
            _("%(name)s: this assignment takes only these file types: %(types)s.")
            % {"name": original or "?", "types": names}
        )
    if not upload.size:
        raise FileRefused(_("%(name)s is empty.") % {"name": original})
    if upload.size > max_bytes:
        raise FileRefused(_("%(name)s is larger than %(mb)s MB.") % {"name": original, "mb": max_bytes // 2**20})
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    spec = FILE_TYPES[kind]
    if not _content_matches(spec, head, upload):
        raise FileRefused(
            _("%(name)s is not a %(type)s file inside, whatever its name says.")
            % {"name": original, "type": spec.label}
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    safe = get_valid_filename(f"{stem[:150]}.{kind}") if stem else f"file.{kind}"
    return CheckedFile(
        kind=kind,
        name=safe,
        stored_name=f"{uuid.uuid4().hex}.{kind}",
        size=upload.size,
        content_type=spec.content_type,
        sha256=digest.hexdigest(),
    )


def _content_matches(spec: FileKind, head: bytes, upload: UploadedFile) -> bool:
    if not spec.signatures:  # plain text: UTF-8 without NUL bytes, and nothing binary it claims to be
        if b"\x00" in head or filetype.guess(head) is not None:
            return False
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            return error.start >= len(head) - 3  # a character cut at the end of what was read
        return True
    guessed = filetype.guess(head)
    if guessed is None or guessed.extension not in spec.signatures:
        return False
    if spec.zipped:
        try:
            upload.seek(0)
            with zipfile.ZipFile(upload) as archive:  # reads the directory only: nothing is unpacked
                entries = archive.infolist()
                return len(entries) <= MAX_ZIP_ENTRIES and sum(e.file_size for e in entries) <= MAX_UNPACKED_BYTES
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
            return False
        finally:
            upload.seek(0)
    return True
