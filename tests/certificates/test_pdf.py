"""The certificate PDF: tagged PDF/UA-1 in its own language, dates and credits as its reader writes them."""

import datetime
import io
import logging
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from pypdf.generic import BooleanObject

from lms.certificates import services
from lms.courses.models import Enrolment
from tests.certificates.trainings import build_backed_training
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PDFUA_ID = "http://www.aiim.org/pdfua/ns/id/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def training(index):
    return build_backed_training(index, title="Työkyvyn tuki", ects_credits=Decimal("2.5"), lessons=1)


def issued_pdf(training, language: str) -> tuple[PdfReader, str]:
    """A certificate issued in ``language`` for a training completed on 30.11.2026, and its PDF's text."""
    learner = UserFactory(certificate_name="Liisa Oppija", preferred_language=language)
    enrolment = Enrolment.objects.create(
        user=learner,
        training=training,
        completed_at=datetime.datetime(2026, 11, 30, 14, 5, tzinfo=ZoneInfo("Europe/Helsinki")),
    )
    certificate = services.certificate_issue(enrolment_id=enrolment.pk)
    reader = PdfReader(io.BytesIO(certificate.pdf.open("rb").read()))
    return reader, " ".join(page.extract_text() for page in reader.pages)


def pdfua_identification(reader: PdfReader) -> dict:
    """The PDF/UA identification schema's properties in the PDF's XMP metadata (``{"part": "1"}``)."""
    nodes = reader.xmp_metadata.get_nodes_in_namespace("", PDFUA_ID)
    return {
        node.localName: node.value if node.nodeType == node.ATTRIBUTE_NODE else node.firstChild.data for node in nodes
    }


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_pdf_is_tagged_pdf_ua_in_the_certificates_language(training, language, caplog):
    # given a learner who studies in `language`
    # when their certificate is issued
    with caplog.at_level(logging.ERROR, logger="weasyprint"):
        reader, _text = issued_pdf(training, language)

    # then screen readers get a tagged document in that language, with a title and PDF/UA's identifier
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == language
    assert catalog["/MarkInfo"]["/Marked"] == BooleanObject(True)
    assert "/StructTreeRoot" in catalog
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] == BooleanObject(True)
    assert "Työkyvyn tuki" in reader.metadata.title
    assert "Liisa Oppija" in reader.metadata.title
    assert pdfua_identification(reader)["part"] == "1"
    assert reader.xmp_metadata.dc_title["x-default"] == reader.metadata.title
    # and WeasyPrint found nothing missing (an image without alternative text, a missing language)
    assert [record.getMessage() for record in caplog.records if record.name.startswith("weasyprint")] == []


def test_the_qr_code_has_alternative_text(training):
    reader, _text = issued_pdf(training, "en")

    figures = [
        element
        for element in _struct_elements(reader.trailer["/Root"]["/StructTreeRoot"])
        if element.get("/S") == "/Figure"
    ]
    assert [str(figure["/Alt"]) for figure in figures] == [
        "QR code: the address of this certificate's verification page"
    ]


def _struct_elements(node):
    node = node.get_object()
    kids = node.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, list) else [kids]:
        kid = kid.get_object()
        if isinstance(kid, dict) and kid.get("/Type") == "/StructElem":
            yield kid
            yield from _struct_elements(kid)


@pytest.mark.parametrize(
    ("language", "date", "credits"),
    [
        ("fi", "30.11.2026", "2,5 op"),  # waits for the catalogue merge: "%(credits)s ECTS credits"
        ("sv", "30.11.2026", "2,5 sp"),  # the same; Finland-Swedish date, not Sweden's 2026-11-30
        ("en", "30 Nov 2026", "2.5 ECTS credits"),
    ],
)
def test_the_pdf_writes_the_date_and_credits_as_its_language_does(training, language, date, credits):
    _reader, text = issued_pdf(training, language)

    assert date in text
    assert credits in text
    assert "2026-11-30" not in text
