"""A Content-Security-Policy on every kind of page: no inline script anywhere, framing only by us."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from lms.courses import services as courses
from lms.h5p import player, services
from tests.factories import (
    H5P_INSTALLER,
    TrainingPageFactory,
    UserFactory,
    build_training,
    question,
    user_with_permissions,
)
from tests.h5p.conftest import make_package

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parts = [part.strip().split() for part in header.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


def assert_strict(response):
    policy = directives(response)
    assert policy["script-src"] == ["'self'"], "scripts only from our own files"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy.get("script-src", [])
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert "http://player.testserver" in policy["frame-src"]
    return policy


def test_learner_pages_carry_a_strict_policy(client, index, learner):
    training = build_training(index, modules=1, lessons=1, body=[question("q")])
    courses.enrolment_create(user=learner, training=training)
    client.force_login(learner)
    lesson = training.get_children().first().get_children().first()
    for url in ["/fi/", "/fi/learn/", "/fi/accounts/profile/", training.url, lesson.url]:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        policy = assert_strict(response)
        assert "'unsafe-inline'" not in policy["style-src"], url


def test_no_template_has_an_inline_script_or_style_attribute():
    """The policy allows neither; a template that adds one would break silently in browsers."""
    root = Path(__file__).resolve().parent.parent / "templates"
    offenders = []
    for template in root.rglob("*.html"):
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\sstyle=\"", text):
            offenders.append(str(template.relative_to(root)))
        if re.search(r"\son[a-z]+=\"", text):
            offenders.append(f"{template.relative_to(root)} (inline event handler)")
    assert offenders == []


def test_anonymous_and_verification_pages_carry_the_policy(client):
    for url in ["/fi/accounts/login/", "/verify/", "/verify/0000-0000-0000-0000/", "/.well-known/did.json"]:
        assert_strict(client.get(url))


def test_json_answers_carry_the_policy_too(client, learner):
    client.force_login(learner)
    assert_strict(client.post("/xapi/statements/1/", "{}", content_type="application/json"))


def test_the_admin_keeps_inline_styles_but_never_inline_scripts(client):
    trainer = UserFactory()
    trainer.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(trainer)
    response = client.get("/admin/")
    assert response.status_code == 200
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" in policy["style-src"]


def test_the_player_origin_has_its_own_policy(activity_grant):
    response = Client().get(f"/h5p/play/{activity_grant}/", HTTP_HOST="player.testserver")
    policy = directives(response)
    assert policy["frame-ancestors"] == ["http://testserver"]
    assert policy["form-action"] == ["'none'"]


@pytest.fixture
def activity_grant(db):
    activity = services.activity_create(upload=make_package(), title="T", user=user_with_permissions(*H5P_INSTALLER))
    return player.grant_token(activity_id=activity.pk, parent_origin="http://testserver")


def test_admin_pages_carry_no_inline_script(client, index):
    """Wagtail's own inline scripts (choosers, inline panels, date pickers) are started from a file."""
    admin = UserFactory(is_superuser=True, is_staff=True)
    training = TrainingPageFactory(parent=index)
    client.force_login(admin)
    for url in [f"/admin/pages/{training.pk}/edit/", f"/admin/pages/add/courses/modulepage/{training.pk}/", "/admin/"]:
        html = client.get(url).content.decode()
        scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
        assert [attrs for attrs in scripts if "json" not in attrs] == [], url
    assert 'data-kyky-init="PageChooser"' in client.get(f"/admin/pages/{training.pk}/edit/").content.decode()


@pytest.mark.parametrize("path", ["/fi/", "/admin/"])
def test_the_prebuilt_header_is_the_policy_django_csp_would_build(rf, path):
    """The fast path must not weaken (or drift from) the policy the settings and the request say."""
    from django.http import HttpResponse

    from lms.middleware import ContentSecurityPolicyMiddleware

    middleware = ContentSecurityPolicyMiddleware(lambda request: HttpResponse())
    fast = middleware.process_response(rf.get(path), HttpResponse())
    slow_response = HttpResponse()
    slow_response._csp_update = {}  # any policy of the response's own takes django-csp's own path
    slow = middleware.process_response(rf.get(path), slow_response)
    assert fast["Content-Security-Policy"] == slow["Content-Security-Policy"]


def test_a_changed_player_origin_is_framed_at_once(client, settings):
    settings.H5P_ORIGIN = "https://player.example.org"
    assert "https://player.example.org" in directives(client.get("/fi/accounts/login/"))["frame-src"]
