"""Static files: WhiteNoise's hashed names, each URL worked out once a process (lms.storage)."""

import json

import pytest

from lms.storage import StaticFilesStorage


@pytest.fixture
def storage(tmp_path, settings):
    settings.DEBUG = False
    manifest = {"version": "1.1", "hash": "x", "paths": {"css/kyky.css": "css/kyky.0123abcd.css"}}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    return StaticFilesStorage(location=tmp_path, base_url="/static/")


def test_a_static_url_is_the_hashed_name_from_the_manifest_every_time(storage):
    assert storage.url("css/kyky.css") == "/static/css/kyky.0123abcd.css"
    assert storage.url("css/kyky.css") == "/static/css/kyky.0123abcd.css"  # kept


def test_a_name_missing_from_the_manifest_is_refused_every_time_not_remembered_as_found(storage):
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("js/puuttuu.js")


def test_in_debug_the_url_is_the_plain_name_and_nothing_is_kept(storage, settings):
    settings.DEBUG = True
    assert storage.url("css/kyky.css") == "/static/css/kyky.css"
    settings.DEBUG = False
    assert storage.url("css/kyky.css") == "/static/css/kyky.0123abcd.css"
