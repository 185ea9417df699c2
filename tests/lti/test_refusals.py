"""Launches Kyky must refuse, each named for the attack it stops. None signs anyone in or changes anything."""

import base64
import json
import logging

import pytest
from django.contrib.auth import get_user_model

from lms.accounts.models import ExternalIdentity
from lms.organisations.models import CohortLearner

from .platform import Login, rsa_pem_pair

pytestmark = pytest.mark.django_db


@pytest.fixture
def refusals(caplog):
    """What the launch view logged as its reason for refusing: each test checks it is refused for its attack."""
    caplog.set_level(logging.INFO, logger="lms.lti.views")
    return caplog


def _nothing_happened(response, client, refusals=None, reason: str = ""):
    assert response.status_code == 400
    if refusals is not None:
        assert reason in refusals.text
    assert "_auth_user_id" not in client.session
    assert not ExternalIdentity.objects.exists()
    assert not get_user_model().objects.exists()
    assert not CohortLearner.objects.exists()


def _with_body(token: str, **changes) -> str:
    header, body, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims.update(changes)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_a_launch_whose_claims_were_changed_after_signing_is_refused(moodle, linked, course_custom, refusals):
    """Bad signature: someone edits ``sub`` to become another learner."""
    form = moodle.prepare(custom=course_custom)
    form["id_token"] = _with_body(form["id_token"], sub="moodle-admin")

    _nothing_happened(moodle.post(form), moodle.client, refusals, "Signature verification failed")


def test_a_launch_signed_with_another_key_under_the_platforms_key_id_is_refused(
    moodle, linked, course_custom, refusals
):
    """Bad signature: a key the platform never published, claiming the platform's ``kid``."""
    private, _public = rsa_pem_pair()
    kid = moodle.platform.registration.get_kid()
    moodle.platform.registration.set_platform_private_key(private)  # the key set still publishes the real key
    moodle.platform.registration.get_kid = lambda: kid
    form = moodle.prepare(custom=course_custom)

    _nothing_happened(moodle.post(form), moodle.client, refusals, "Signature verification failed")


def test_a_launch_meant_for_another_tool_is_refused(moodle, linked, course_custom, refusals):
    """Wrong audience: a token the platform issued to another tool, replayed at Kyky."""
    form = moodle.prepare(custom=course_custom, extra={"aud": "another-tool", "azp": "another-tool"})

    _nothing_happened(moodle.post(form), moodle.client, refusals, "Registration not found")


def test_a_launch_for_several_audiences_without_kyky_as_authorised_party_is_refused(
    moodle, linked, course_custom, refusals
):
    """Wrong audience: Kyky is one of several audiences, but ``azp`` names another tool."""
    form = moodle.prepare(custom=course_custom, extra={"aud": ["kyky-client-1", "other"], "azp": "other"})

    _nothing_happened(moodle.post(form), moodle.client, refusals, "Several audiences and no azp")


def test_a_replayed_launch_is_refused(moodle, linked, course_custom, refusals):
    """Reused nonce: the same signed launch posted a second time (a captured form, the back button)."""
    form = moodle.prepare(custom=course_custom)
    assert moodle.post(form).status_code == 302  # the same browser keeps its cookies of the login round

    replay = moodle.post(form)

    assert replay.status_code == 400
    assert "Invalid Nonce" in refusals.text  # pylti1p3 alone would accept it: lms.lti.tool.SingleUseNonces


def test_a_launch_whose_nonce_kyky_never_issued_is_refused(moodle, linked, course_custom, refusals):
    """Reused nonce, another way: a token minted for another login round."""
    form = moodle.prepare(custom=course_custom, preflight={"nonce": "a-nonce-kyky-never-issued"})

    _nothing_happened(moodle.post(form), moodle.client, refusals, "Invalid Nonce")


def test_a_launch_from_an_unknown_deployment_is_refused(moodle, linked, course_custom, refusals):
    """Unknown deployment: the tool added in a Moodle category the university did not register."""
    moodle.platform.registration.set_deployment_id("99")

    _nothing_happened(moodle.launch(custom=course_custom), moodle.client, refusals, "Unable to find deployment")


def test_a_launch_from_an_unknown_issuer_is_refused(moodle, linked, course_custom, refusals):
    """Unknown issuer: a token from a platform no organisation registered, in a login round of a known one."""
    form = moodle.prepare(custom=course_custom, extra={"iss": "https://moodle.attacker.example"})

    _nothing_happened(moodle.post(form), moodle.client, refusals, "Registration not found")


def test_a_login_from_an_unknown_issuer_is_refused(moodle, client):
    moodle.platform.registration.set_iss("https://moodle.attacker.example")
    login = Login(None, moodle.platform.conf)
    login.set_lti_message_hint(hint="rl-1")

    response = client.get(login.initiate_login("moodle-7"), secure=True)

    assert response.status_code == 400


def test_a_login_to_a_disabled_registration_is_refused(moodle, registration, client):
    registration.enabled = False
    registration.save()
    login = Login(None, moodle.platform.conf)
    login.set_lti_message_hint(hint="rl-1")

    assert client.get(login.initiate_login("moodle-7"), secure=True).status_code == 400


def test_an_expired_launch_is_refused(moodle, linked, course_custom, refusals):
    """Expired token: a launch form kept past its ``exp`` and posted later."""
    form = moodle.prepare(custom=course_custom, expiration=-60)

    _nothing_happened(moodle.post(form), moodle.client, refusals, "Signature has expired")


def test_a_launch_without_the_state_cookie_of_its_login_round_is_refused(
    moodle, linked, course_custom, client, refusals
):
    """Login CSRF: a victim's browser is made to post the attacker's valid launch (no login round of its own)."""
    form = moodle.prepare(custom=course_custom)
    client.cookies.clear()

    _nothing_happened(moodle.post(form), client, refusals, "cookie")


@pytest.mark.parametrize(
    "token", ["", "not-a-jwt", "a.b.c", "W10.W10.x", base64.urlsafe_b64encode(b"{}").decode() + ".e30.x"]
)
def test_a_malformed_launch_is_refused_without_an_error(moodle, linked, token):
    form = moodle.prepare()
    form["id_token"] = token

    assert moodle.post(form).status_code == 400
