"""Reading the student lists that organisations upload: CSV or XLSX, as Finnish offices make them.

Real files arrive as UTF-8 with or without a byte-order mark, or as Windows-1252 from older Excel;
with ``;`` (Excel's separator in Finnish locales) or ``,``; with headers in Finnish, Swedish or
English; with e-mail addresses in any case. ``read_roster`` turns any of them into rows with their
line numbers and the problems of each row, in the uploader's language; it writes nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from lms.jsonbody import has_nul_or_surrogate

MAX_ROWS = 20_000

# Normalised header text -> field. Lower-cased, with spaces, dots, hyphens and underscores removed.
HEADERS = {
    "name": {"name", "fullname", "nimi", "kokonimi", "namn", "fulltnamn", "opiskelija", "student", "studerande"},
    "first_name": {"firstname", "givenname", "etunimi", "etunimet", "förnamn", "fornamn"},
    "last_name": {"lastname", "surname", "familyname", "sukunimi", "efternamn"},
    "email": {
        "email",
        "emailaddress",
        "mail",
        "sähköposti",
        "sahkoposti",
        "sähköpostiosoite",
        "sahkopostiosoite",
        "epost",
        "epostadress",
        "spost",
    },
    "student_number": {
        "studentnumber",
        "studentid",
        "studentno",
        "opiskelijanumero",
        "opiskelijanro",
        "opnro",
        "studentnummer",
        "studienummer",
        "matrikelnummer",
    },
    "language": {"language", "lang", "kieli", "asiointikieli", "språk", "sprak"},
}
LANGUAGES = {
    "fi": "fi",
    "fin": "fi",
    "suomi": "fi",
    "finnish": "fi",
    "finska": "fi",
    "sv": "sv",
    "swe": "sv",
    "ruotsi": "sv",
    "svenska": "sv",
    "swedish": "sv",
    "en": "en",
    "eng": "en",
    "englanti": "en",
    "english": "en",
    "engelska": "en",
}


class RosterError(Exception):
    """The file as a whole cannot be read; the message says why, in the uploader's language."""


@dataclass
class Row:
    line: int
    name: str = ""
    email: str = ""
    student_number: str = ""
    language: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _normalise_header(text) -> str:
    return "".join(ch for ch in str(text or "").strip().lower() if ch not in " ._-")


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _csv_rows(data: bytes) -> list[list[str]]:
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        raise RosterError(
            _("The Excel file cannot be read (%(reason)s).") % {"reason": error.__class__.__name__}
        ) from None
    sheet = workbook.worksheets[0]
    rows = []
    for values in sheet.iter_rows(values_only=True):
        rows.append(
            ["" if v is None else str(int(v)) if isinstance(v, float) and v.is_integer() else str(v) for v in values]
        )
        if len(rows) > MAX_ROWS + 1:
            break
    workbook.close()
    return rows


def read_roster(data: bytes, filename: str) -> list[Row]:
    """Parse an uploaded list; raise ``RosterError`` if the file as a whole is unusable."""
    if filename.lower().endswith(".xlsx") or data.startswith(b"PK\x03\x04"):
        table = _xlsx_rows(data)
    else:
        table = _csv_rows(data)
    table = [row for row in table if any(cell.strip() for cell in row)]
    if not table:
        raise RosterError(_("The file is empty."))
    if len(table) > MAX_ROWS + 1:
        raise RosterError(_("The file has more than %(max)d rows; split it.") % {"max": MAX_ROWS})
    columns: dict[str, int] = {}
    for index, header in enumerate(table[0]):
        key = _normalise_header(header)
        for field_name, names in HEADERS.items():
            if key in names and field_name not in columns:
                columns[field_name] = index
    if "email" not in columns:
        raise RosterError(
            _("No e-mail column found. Name the columns e.g. 'Nimi; Sähköposti; Opiskelijanumero; Kieli'.")
        )
    if "name" not in columns and not {"first_name", "last_name"} <= set(columns):
        raise RosterError(_("No name column found (name, or first and last name)."))

    rows, seen = [], {}
    for number, cells in enumerate(table[1:], start=2):

        def cell(name, cells=cells):
            index = columns.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        row = Row(line=number)
        if any(has_nul_or_surrogate(str(value)) for value in cells):
            # A NUL or a broken character cannot be stored; the line is refused, the others go in.
            row.errors.append(
                _(
                    "The line holds characters that are not text (a NUL byte or broken encoding). Correct the line "
                    "in the file and upload the list again."
                )
            )
            row.name = row.email = ""
            rows.append(row)
            continue
        row.name = cell("name") or " ".join(part for part in (cell("first_name"), cell("last_name")) if part)
        row.email = cell("email").lower()
        row.student_number = cell("student_number")
        language = cell("language").lower()
        if not row.name:
            row.errors.append(_("The name is missing."))
        try:
            validate_email(row.email)
        except ValidationError:
            row.errors.append(_("'%(email)s' is not an e-mail address.") % {"email": row.email or "—"})
        if language:
            row.language = LANGUAGES.get(language, "")
            if not row.language:
                row.errors.append(_("Unknown language '%(language)s' (use fi, sv or en).") % {"language": language})
        if row.email in seen and not row.errors:
            row.errors.append(_("The same e-mail address is already on line %(line)d.") % {"line": seen[row.email]})
        seen.setdefault(row.email, number)
        rows.append(row)
    return rows
