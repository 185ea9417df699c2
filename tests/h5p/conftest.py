import io
import json
import zipfile

import pytest

from lms.courses.enums import CompletionRule
from lms.h5p import services
from tests.conftest import SHARED
from tests.factories import (
    H5P_INSTALLER,
    LessonPageFactory,
    ModulePageFactory,
    TrainingPageFactory,
    UserFactory,
    user_with_permissions,
)

H5P_DIR = SHARED / "h5p"
H5P_BAD_DIR = SHARED / "h5p-bad"
# A 1x1 PNG, so image checks see a real image.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002"
    "000154a24f5d0000000049454e44ae426082"
)


# What the tiny test library's content may hold: a question that allows a little markup, and an image.
TINY_SEMANTICS = [
    {"name": "question", "type": "text", "tags": ["p", "strong", "em", "a"]},
    {"name": "image", "type": "image", "optional": True},
]


def library_json(name="H5P.Tiny", major=1, minor=0, patch=0, **extra):
    return {
        "title": name,
        "machineName": name,
        "majorVersion": major,
        "minorVersion": minor,
        "patchVersion": patch,
        "runnable": 1,
        "preloadedJs": [{"path": "tiny.js"}],
        **extra,
    }


def make_package(
    *, files: dict | None = None, drop=(), h5p: dict | None = None, library: dict | None = None
) -> io.BytesIO:
    """A small valid .h5p built in memory; ``files`` adds or replaces entries, ``drop`` removes."""
    lib = library or library_json()
    folder = f"{lib['machineName']}-{lib['majorVersion']}.{lib['minorVersion']}"
    entries = {
        "h5p.json": json.dumps(
            h5p
            or {
                "title": "Tiny",
                "language": "fi",
                "mainLibrary": lib["machineName"],
                "embedTypes": ["iframe"],
                "preloadedDependencies": [
                    {
                        "machineName": lib["machineName"],
                        "majorVersion": lib["majorVersion"],
                        "minorVersion": lib["minorVersion"],
                    }
                ],
            }
        ),
        "content/content.json": json.dumps({"question": "Onko tämä testi?"}),
        "content/images/pixel.png": PNG,
        f"{folder}/library.json": json.dumps(lib),
        f"{folder}/semantics.json": json.dumps(TINY_SEMANTICS),
        f"{folder}/tiny.js": "H5P.Tiny = function () {};",
    }
    entries.update(files or {})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            if name not in drop:
                archive.writestr(name, data)
    buffer.seek(0)
    buffer.name = "tiny.h5p"
    return buffer


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def admin_user(db):
    user = UserFactory()
    user.is_superuser = True
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def installer(db):
    return user_with_permissions(*H5P_INSTALLER)


@pytest.fixture
def activity(installer):
    return services.activity_create(upload=make_package(), title="Pieni tehtävä", user=installer)


@pytest.fixture
def h5p_lesson(index, activity):
    """A training whose only lesson holds ``activity`` and completes when it is completed."""
    training = TrainingPageFactory(parent=index, slug="h5p-koulutus")
    module = ModulePageFactory(parent=training)
    lesson = LessonPageFactory(
        parent=module,
        completion_rule=CompletionRule.H5P_COMPLETED,
        body=[{"type": "h5p", "value": {"activity": activity.pk, "title": "", "pass_mark": None}}],
    )
    return training, lesson
