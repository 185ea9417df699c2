"""Kyky's own translations of allauth's texts win over allauth's (lms/accounts/allauth_texts.py).

The page tests hold once the lead has merged /work/notes/i18n/links.json into the catalogues.
"""

from pathlib import Path

import allauth
import polib
import pytest
from django.conf import settings
from django.utils import translation

from lms.accounts.allauth_texts import ALLAUTH_TEXTS

pytestmark = pytest.mark.django_db

ALLAUTH_CATALOGUE = Path(allauth.__file__).parent / "locale" / "{language}" / "LC_MESSAGES" / "django.po"


def test_every_overridden_text_is_still_allauths_own_msgid():
    """A text allauth has reworded would no longer be overridden, and allauth's wrong one would be back."""
    allauth_msgids = {entry.msgid for entry in polib.pofile(str(ALLAUTH_CATALOGUE).format(language="sv"))}

    assert set(ALLAUTH_TEXTS) <= allauth_msgids


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_kykys_catalogue_translates_every_overridden_text(language):
    catalogue = polib.pofile(str(Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / "django.po"))
    translated = {entry.msgid for entry in catalogue.translated_entries() if "fuzzy" not in entry.flags}

    assert set(ALLAUTH_TEXTS) - translated == set()


@pytest.mark.parametrize(
    ("language", "hint", "wrong"),
    [
        ("sv", "Har du inget konto ännu?", "Har du redan ett konto? Då kan du"),
        ("fi", "Eikö sinulla ole vielä tiliä?", "niin"),
    ],
)
def test_the_login_pages_hint_invites_to_sign_up(client, homes, language, hint, wrong):
    html = client.get(f"/{language}/accounts/login/").content.decode()

    assert hint in html
    assert f'href="/{language}/accounts/signup/"' in html
    assert wrong not in html


def test_swedish_says_e_post_not_epost(client, homes):
    html = client.get("/sv/accounts/login/").content.decode()

    assert "E-post" in html
    assert "Epost" not in html
    with translation.override("sv"):
        assert translation.gettext("Removed email address %(email)s.") == "E-postadressen %(email)s har tagits bort."
