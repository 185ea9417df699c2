"""The interface catalogues are complete: every string the code can show has its Finnish and Swedish.

``polib`` reads the catalogues (the gettext tools write them; polib is the maintained pure-Python
reader, so the test needs no gettext binaries beyond what ``makemessages`` itself uses). The
extraction test runs Django's ``makemessages`` over a copy of the sources, so that a string added to
the code but never extracted fails here as surely as one extracted and left untranslated.
"""

import os
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "lms" / "locale"
LANGUAGES = ("fi", "sv")
IGNORED = [".venv/*", "node_modules/*", "var/*", "content/*", "tests/*", "bench/*", "docs/*"]


def _catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def _key(entry) -> tuple[str | None, str]:
    return entry.msgctxt, entry.msgid


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(language):
    catalogue = _catalogue(language)
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    obsolete = [entry.msgid for entry in catalogue.obsolete_entries()]
    assert not untranslated, f"{language}: untranslated: {untranslated[:20]}"
    assert not fuzzy, f"{language}: fuzzy: {fuzzy[:20]}"
    assert not obsolete, f"{language}: obsolete entries left behind: {obsolete[:20]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_source(language):
    """The committed ``.mo`` is what ``compilemessages`` makes of the ``.po`` (no stale binaries)."""
    source = {_key(e): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in _catalogue(language) if e.msgid}
    compiled = polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))
    binary = {_key(e): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in compiled if e.msgid}
    assert source == binary, "run `make messages` to compile the catalogues"


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language):
    """A translation that drops or renames ``%(name)s`` would raise, or show the wrong value, at runtime."""
    placeholder = re.compile(r"%\(\w+\)[sd]|\{\w*\}")
    wrong = []
    for entry in _catalogue(language).translated_entries():
        expected = sorted(placeholder.findall(entry.msgid))
        if entry.msgid_plural:
            got = [sorted(placeholder.findall(s)) for s in entry.msgstr_plural.values()]
            ok = all(set(g) <= set(expected + sorted(placeholder.findall(entry.msgid_plural))) for g in got)
        else:
            ok = sorted(placeholder.findall(entry.msgstr)) == expected
        if not ok:
            wrong.append(entry.msgid)
    assert not wrong, f"{language}: placeholders differ: {wrong[:10]}"


def test_every_string_in_the_code_is_in_the_catalogues(tmp_path, settings):
    """``makemessages`` over a copy of the sources finds no msgid that the catalogues lack (or keep extra)."""
    if not shutil.which("xgettext"):
        if os.environ.get("CI"):
            pytest.fail("xgettext is missing: install Debian's gettext package")
        pytest.skip("xgettext is not installed (apt-get install gettext)")
    for name in ("lms", "templates"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    settings.LOCALE_PATHS = [tmp_path / "lms" / "locale"]
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        call_command("makemessages", locale=list(LANGUAGES), ignore_patterns=IGNORED, verbosity=0)
    finally:
        os.chdir(cwd)
    for language in LANGUAGES:
        fresh = polib.pofile(str(tmp_path / "lms" / "locale" / language / "LC_MESSAGES" / "django.po"))
        wanted = {_key(e) for e in fresh if not e.obsolete}
        have = {_key(e) for e in _catalogue(language) if not e.obsolete}
        assert not wanted - have, (
            f"{language}: not in the catalogue (run `make messages`): {sorted(wanted - have)[:20]}"
        )
        assert not have - wanted, f"{language}: no longer in the code: {sorted(have - wanted)[:20]}"
