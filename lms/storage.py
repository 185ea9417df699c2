"""Where private files live: certificate PDFs, uploaded student lists, H5P packages and their files.

Django's default storage is public by convention: whatever is in ``MEDIA_ROOT`` is served under
``MEDIA_URL`` (by ``runserver`` in development, by the web server in production). Files that hold
personal data or uploaded code must never be reachable that way, whatever the configuration, so
they go to a second storage, ``STORAGES["private"]``, kept outside ``MEDIA_ROOT`` and without any
URL: views that check who may see a file read it and stream it (certificates, student lists), or
the H5P player's origin serves it behind a signed URL.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.deconstruct import deconstructible
from whitenoise.storage import CompressedManifestStaticFilesStorage


@deconstructible(path="lms.storage.PrivateFileSystemStorage")
class PrivateFileSystemStorage(FileSystemStorage):
    """A file system storage under ``PRIVATE_ROOT`` whose files have no URL."""

    def __init__(self, location=None, **kwargs):
        kwargs.pop("base_url", None)
        super().__init__(location=location, **kwargs)

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no URL: serve them through a view that checks who may see them.")


def private_storage() -> Storage:
    """The private storage; a callable so that FileFields and migrations name it, not a copy of it."""
    return storages["private"]


def move_to_private(names) -> int:
    """Move files named ``names`` from the default (public) storage into the private one.

    For data migrations of installations that kept private files under ``MEDIA_ROOT``. Safe to run
    again: a name already in private storage is only removed from the public one.
    """
    from django.core.files.storage import default_storage

    private, moved = private_storage(), 0
    for name in names:
        if not name or not default_storage.exists(name):
            continue
        if not private.exists(name):
            with default_storage.open(name, "rb") as handle:
                private.save(name, handle)
            moved += 1
        default_storage.delete(name)
    return moved


def tree(storage: Storage, folder: str) -> list[str]:
    """Every file name under ``folder`` in ``storage``."""
    if not storage.exists(folder):
        return []
    folders, files = storage.listdir(folder)
    names = [f"{folder}/{name}" for name in files]
    for sub in folders:
        names.extend(tree(storage, f"{folder}/{sub}"))
    return names


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed, content-hashed static files, each file's URL worked out once a process.

    The manifest is read when the process starts and does not change while it runs (a deployment
    starts new processes), so neither does the URL of a name; working it out (splitting, looking up
    the hashed name, joining, unquoting) cost 20-60 µs a ``{% static %}`` tag, with four on a page.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force or settings.DEBUG:
            return super().url(name, force)
        found = self._urls.get(name)
        if found is None:
            found = self._urls[name] = super().url(name)  # a name not in the manifest raises, and is not kept
        return found
