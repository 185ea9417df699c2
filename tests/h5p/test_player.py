"""The H5P player's own origin: what it serves, to whom, and what it never carries."""

import json
import time

import pytest
from django.test import Client

from lms.courses import services as courses
from lms.h5p import player, services
from lms.h5p.player_views import embed_policy
from tests.h5p.conftest import library_json, make_package

pytestmark = pytest.mark.django_db
PLAYER = "player.testserver"
PARENT = "http://testserver"


def grant(activity, parent=PARENT, **kwargs):
    return player.grant_token(activity_id=activity.pk, parent_origin=parent, **kwargs)


def get(path, **headers):
    return Client().get(path, HTTP_HOST=PLAYER, **headers)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_lesson_page_embeds_the_player_from_its_own_origin_in_a_sandbox(client, h5p_lesson, activity, learner):
    training, lesson = h5p_lesson
    courses.enrolment_create(user=learner, training=training)
    client.force_login(learner)
    html = client.get(lesson.url).content.decode()
    assert f'src="http://{PLAYER}/h5p/play/' in html
    assert 'sandbox="allow-scripts allow-same-origin allow-popups' in html
    assert "allow-top-navigation" not in html
    assert "/h5p/content/" not in html
    assert "/h5p/libraries/" not in html
    assert learner.email not in html.split("data-h5p-player")[1].split(">")[0]  # nothing personal in the URL


def test_the_player_page_is_framed_only_by_the_origin_in_its_grant(activity):
    response = get(f"/h5p/play/{grant(activity)}/")
    assert response.status_code == 200
    assert f"frame-ancestors {PARENT}" in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response
    assert response["Referrer-Policy"] == "no-referrer"
    assert f'data-parent-origin="{PARENT}"' in response.content.decode()


def test_a_forged_or_expired_grant_opens_nothing(activity):
    token = grant(activity)
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    assert get(f"/h5p/play/{forged}/").status_code == 404
    assert get(f"/h5p/play/{forged}/content/content.json").status_code == 404
    old = grant(activity, now=time.time() - 24 * 3600)
    assert get(f"/h5p/play/{old}/h5p.json").status_code == 404
    assert get("/h5p/play/not-a-token/h5p.json").status_code == 404


def test_grants_are_stable_within_the_hour_so_browsers_can_cache_files(activity):
    now = (int(time.time()) // 3600) * 3600 + 10
    assert grant(activity, now=now) == grant(activity, now=now + 3000)
    read = player.grant_read(grant(activity))
    assert read.activity_id == activity.pk
    assert read.parent_origin == PARENT
    assert read.seconds_left > 2 * 3600 - 5


def test_a_grant_for_one_activity_does_not_open_another(installer, activity):
    other = services.activity_create(
        upload=make_package(files={"content/content.json": json.dumps({"question": "B"})}), title="B", user=installer
    )
    token = grant(activity)
    assert json.loads(body(get(f"/h5p/play/{token}/content/content.json"))) == {"question": "Onko tämä testi?"}
    assert get(f"/h5p/play/{token}/content/../../{other.content_path}/content/content.json").status_code == 404
    assert get(f"/h5p/play/{token}/content/%2e%2e/%2e%2e/x.json").status_code == 404


def test_libraries_outside_the_activitys_closure_are_not_served(installer, activity):
    lib = library_json(name="H5P.Other")
    services.activity_create(upload=make_package(library=lib), title="Other", user=installer)
    token = grant(activity)
    assert get(f"/h5p/play/{token}/libraries/H5P.Tiny-1.0/tiny.js").status_code == 200
    assert get(f"/h5p/play/{token}/libraries/H5P.Other-1.0/tiny.js").status_code == 404
    assert get(f"/h5p/play/{token}/libraries/H5P.Tiny-1.0/../../secret").status_code == 404


def test_files_are_served_inert_and_only_to_the_player_origin(installer):
    package = make_package(files={"content/notes.pdf": b"%PDF-1.4 <script>alert(1)</script>"})
    activity = services.activity_create(upload=package, title="Files", user=installer)
    token = grant(activity)
    image = get(f"/h5p/play/{token}/content/images/pixel.png")
    assert image["Content-Type"] == "image/png"
    assert image["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in image["Content-Security-Policy"]
    assert image["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "attachment" not in image.get("Content-Disposition", "")
    pdf = get(f"/h5p/play/{token}/content/notes.pdf")
    assert pdf["Content-Type"] == "application/octet-stream"
    assert pdf["Content-Disposition"].startswith("attachment")
    script = get(f"/h5p/play/{token}/libraries/H5P.Tiny-1.0/tiny.js")
    assert script["Content-Type"].startswith(("text/javascript", "application/javascript"))


def test_the_player_origin_never_reads_or_sets_a_platform_cookie(client, learner, activity):
    """A learner's session cookie, should a browser ever send it to the player's host, opens nothing."""
    client.force_login(learner)
    session = client.cookies["sessionid"].value
    export = Client().get("/fi/accounts/profile/my-data.json", HTTP_HOST=PLAYER, HTTP_COOKIE=f"sessionid={session}")
    assert export.status_code == 302
    assert export["Location"].startswith("http://testserver/")  # sent to the platform, not answered here
    page = get(f"/h5p/play/{grant(activity)}/", HTTP_COOKIE=f"sessionid={session}; csrftoken=x")
    assert page.status_code == 200
    assert not page.cookies
    assert learner.email.encode() not in page.content


def test_the_platform_does_not_serve_the_player_or_package_files(client, learner, activity):
    client.force_login(learner)
    assert client.get(f"/h5p/play/{grant(activity)}/").status_code == 404
    assert client.get(f"/h5p/content/{activity.pk}/content/content.json").status_code == 404
    assert client.get("/h5p/libraries/H5P.Tiny-1.0/tiny.js").status_code == 404


def test_the_player_policy_names_only_the_granted_parent():
    policy = embed_policy("https://kyky.example.fi")
    assert "frame-ancestors https://kyky.example.fi" in policy
    assert "form-action 'none'" in policy
    assert "object-src 'none'" in policy
