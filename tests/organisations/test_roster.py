"""Student lists as Finnish offices make them: encodings, separators, headers, cases, errors."""

import io

import pytest
from openpyxl import Workbook

from lms.organisations.roster import RosterError, read_roster


def emails(rows):
    return [row.email for row in rows]


@pytest.mark.parametrize(
    "data",
    [
        "Nimi;Sähköposti;Opiskelijanumero;Kieli\nÄijä Öhman;Aija.Ohman@Example.FI;1234;suomi\n".encode(),
        "\ufeffNimi;Sähköposti;Opiskelijanumero;Kieli\nÄijä Öhman;Aija.Ohman@Example.FI;1234;suomi\n".encode(),
        "Nimi;Sähköposti;Opiskelijanumero;Kieli\r\nÄijä Öhman;Aija.Ohman@Example.FI;1234;suomi\r\n".encode("cp1252"),
        'Namn,E-post,Studentnummer,Språk\n"Äijä Öhman",aija.ohman@example.fi,1234,fi\n'.encode(),
        b"Full name,E-mail,Student number,Language\nAija Ohman,AIJA.OHMAN@EXAMPLE.FI,1234,Finnish\n",
    ],
    ids=["utf8", "utf8-bom", "cp1252-crlf", "swedish-comma", "english"],
)
def test_real_world_csv_variants_read_the_same(data):
    rows = read_roster(data, "lista.csv")
    assert len(rows) == 1
    assert rows[0].ok, rows[0].errors
    assert rows[0].email == "aija.ohman@example.fi"
    assert rows[0].student_number == "1234"
    assert rows[0].language == "fi"
    assert rows[0].name in {"Äijä Öhman", "Aija Ohman"}


def test_first_and_last_name_columns_combine():
    rows = read_roster(b"Etunimi;Sukunimi;Sahkoposti\nMatti;Virtanen;matti@example.fi\n", "x.csv")
    assert rows[0].name == "Matti Virtanen"


def test_row_errors_are_reported_with_their_line_and_others_stay_good():
    data = (
        "Nimi;Sähköposti;Kieli\n"
        "Hyvä Rivi;hyva@example.fi;fi\n"
        ";puuttuu.nimi@example.fi;\n"
        "Huono Osoite;ei-osoite;fi\n"
        "Outo Kieli;kieli@example.fi;klingon\n"
        "Tupla;HYVA@example.fi;sv\n"
        "\n"
    ).encode()
    rows = read_roster(data, "x.csv")
    assert [row.line for row in rows] == [2, 3, 4, 5, 6]
    assert rows[0].ok
    assert "The name is missing." in rows[1].errors
    assert "'ei-osoite' is not an e-mail address." in rows[2].errors
    assert "Unknown language 'klingon' (use fi, sv or en)." in rows[3].errors
    assert "The same e-mail address is already on line 2." in rows[4].errors


def test_xlsx_with_numbers_and_empty_cells():
    book = Workbook()
    sheet = book.active
    sheet.append(["Nimi", "Sähköposti", "Opiskelijanumero"])
    sheet.append(["Liisa Oppija", "Liisa@Example.fi", 20231234])
    sheet.append([None, None, None])
    sheet.append(["Olli Oppija", "olli@example.fi", None])
    buffer = io.BytesIO()
    book.save(buffer)

    rows = read_roster(buffer.getvalue(), "opiskelijat.xlsx")

    assert emails(rows) == ["liisa@example.fi", "olli@example.fi"]
    assert rows[0].student_number == "20231234"
    assert all(row.ok for row in rows)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "x.csv", "The file is empty."),
        (b"Nimi;Puhelin\nMatti;040\n", "x.csv", "No e-mail column found"),
        (b"Sahkoposti\nmatti@example.fi\n", "x.csv", "No name column found"),
        (b"PK\x03\x04 not really a workbook", "x.xlsx", "The Excel file cannot be read"),
    ],
)
def test_unusable_files_say_why(data, name, message):
    with pytest.raises(RosterError, match=message):
        read_roster(data, name)
