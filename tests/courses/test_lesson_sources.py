"""A lesson's "valid as of" date, review date, external readings and cited sources: from files, in the
admin, and as learners see them."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from lms.courses import services
from lms.courses.blocks import SourcesBlock, sources_of
from lms.courses.content_import import ContentError, import_content
from lms.courses.models import LessonPage, TrainingPage
from lms.courses.rendering import lesson_segments
from tests.courses.test_content_check import READING, SOURCES, lesson, same, write_training

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(tmp_path, homes):
    content = lesson(header="valid_as_of: 2026-12-01\nreview_by: 2027-06-30\n", blocks=READING.format(minutes=20))
    write_training(tmp_path, lessons=same(content + SOURCES))
    import_content(tmp_path)
    return tmp_path


def test_dates_readings_and_sources_are_imported_in_every_language(imported):
    for page in LessonPage.objects.all():
        assert page.valid_as_of == datetime.date(2026, 12, 1)
        assert page.review_by == datetime.date(2027, 6, 30)
        kinds = [block.block_type for block in page.body]
        assert kinds == ["text", "reading", "sources"]  # the sources end the lesson
        assert [(s.kind, s.publisher, s.accessed) for s in sources_of(page.body)] == [
            ("reading", "Kela", ""),
            ("cited", "Finlex", "2026-01-15"),
        ]
    assert LessonPage.objects.count() == 3


def test_a_rerun_of_the_import_changes_nothing(imported):
    report = import_content(imported)

    assert (report.created, report.updated) == (0, 0)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("url: https://www.finlex.fi/fi/laki/ajantasa/2023/20230381", "url: javascript:alert(1)"),
        ("url: https://www.finlex.fi/fi/laki/ajantasa/2023/20230381", "url: http://www.finlex.fi/laki"),
        ("    accessed: 2026-01-15\n", ""),
    ],
    ids=["script-address", "plain-http", "no-accessed-date"],
)
def test_a_source_without_an_https_address_or_accessed_date_is_refused_by_the_import(tmp_path, homes, change, reason):
    write_training(tmp_path, lessons=same(lesson() + SOURCES.replace(change, reason)))

    with pytest.raises(ContentError, match=r"'url' must be an https:// address|missing field 'accessed'"):
        import_content(tmp_path)
    assert not LessonPage.objects.exists()


def test_a_reading_with_a_script_address_is_refused_by_the_import(tmp_path, homes):
    reading = READING.format(minutes=5).replace("https://www.kela.fi/osatyokykyiset", "javascript:alert(1)")
    write_training(tmp_path, lessons=same(lesson(blocks=reading)))

    with pytest.raises(ContentError, match="'url' must be an https:// address"):
        import_content(tmp_path)


def test_a_review_date_before_the_valid_as_of_date_is_refused_by_the_import(tmp_path, homes):
    write_training(tmp_path, lessons=same(lesson(header="valid_as_of: 2026-12-01\nreview_by: 2026-01-01\n")))

    with pytest.raises(ContentError, match="'review_by' is before 'valid_as_of'"):
        import_content(tmp_path)


def test_a_review_date_before_the_valid_as_of_date_is_refused_in_the_admin(imported):
    page = LessonPage.objects.filter(locale__language_code="fi").get()
    page.review_by = datetime.date(2026, 1, 1)

    with pytest.raises(ValidationError) as error:
        page.clean()
    assert "review_by" in error.value.message_dict


def test_a_source_address_other_than_https_is_refused_in_the_admin():
    block = SourcesBlock()
    value = block.to_python(
        {"sources": [{"title": "T", "publisher": "P", "url": "http://example.org/", "accessed": "2026-01-15"}]}
    )

    with pytest.raises(ValidationError):
        block.clean(value)


def test_learners_see_when_the_facts_were_checked_and_the_sources_in_their_languages_format(imported, client, learner):
    training = TrainingPage.objects.get(locale__language_code="fi")
    services.enrolment_create(user=learner, training=training)
    client.force_login(learner)
    pages = {page.locale.language_code: page for page in LessonPage.objects.select_related("locale")}

    finnish = client.get(pages["fi"].url).content.decode()
    english = client.get(pages["en"].url).content.decode()

    assert 'data-testid="valid-as-of"' in finnish
    assert "1.12.2026" in finnish
    assert "15.1.2026" in finnish  # the source's accessed date
    assert 'href="https://www.finlex.fi/fi/laki/ajantasa/2023/20230381"' in finnish
    assert "1 Dec 2026" in english
    assert "15 Jan 2026" in english


def test_a_lesson_without_a_valid_as_of_date_shows_none(tmp_path, homes, client, learner):
    write_training(tmp_path, lessons=same(lesson(header="")))
    import_content(tmp_path)
    services.enrolment_create(user=learner, training=TrainingPage.objects.get(locale__language_code="fi"))
    client.force_login(learner)

    html = client.get(LessonPage.objects.get(locale__language_code="fi").url).content.decode()

    assert 'data-testid="valid-as-of"' not in html


def test_the_kept_markup_of_a_lesson_is_in_the_readers_language(imported):
    """An untranslated lesson is shown in Finnish to every reader: the blocks' own words and dates that
    are kept with its markup must be the reader's, not the first visitor's."""
    page = LessonPage.objects.get(locale__language_code="fi")

    with translation.override("en"):
        english = "".join(str(segment.html) for segment in lesson_segments(page))
    with translation.override("fi"):
        finnish = "".join(str(segment.html) for segment in lesson_segments(page))

    assert "15 Jan 2026" in english
    assert "15.1.2026" in finnish
    assert "15 Jan 2026" not in finnish
