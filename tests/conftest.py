import os
from pathlib import Path

import pytest
from django.db import connection
from wagtail.models import Locale

from lms.cms.services import site_setup

from .factories import TrainingIndexPageFactory, UserFactory, build_training

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


@pytest.fixture
def homes(db):
    return site_setup()


@pytest.fixture
def index(homes):
    """The Finnish training catalogue page."""
    return TrainingIndexPageFactory(parent=homes["fi"])


@pytest.fixture
def locales(homes):
    return {locale.language_code: locale for locale in Locale.objects.all()}


@pytest.fixture
def training(index):
    return build_training(index, modules=2, lessons=2)


@pytest.fixture
def learner(db):
    return UserFactory(certificate_name="Liisa Oppija")


@pytest.fixture
def other_learner(db):
    return UserFactory(certificate_name="Olli Muu")


@pytest.fixture
def user_factory(db):
    return UserFactory


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


requires_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL (set DATABASE_URL): SQLite serialises writes and has no row locks",
)


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    """Every test writes its public and private files under its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Service-level messages in English; requests still follow their URL's language."""
    from django.utils import translation

    with translation.override("en"):
        yield
