"""Sign-up asks for the name fields that the profile shows and the certificate prints."""

import re

import pytest

from lms.accounts.models import User
from lms.certificates.models import Certificate
from lms.courses import services as courses
from lms.courses.models import LessonPage
from tests.factories import build_training

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "saga@example.fi",
    "first_name": "Saga",
    "last_name": "Virtanen",
    "password1": "pitkä salasana 123",
    "password2": "pitkä salasana 123",
}


def labels(html: str) -> dict[str, str]:
    """``{field name: label text}`` of a rendered form."""
    return {
        name: re.sub(r"<[^>]+>", "", text).strip().rstrip(":")
        for name, text in re.findall(r'<label for="id_(\w+)"[^>]*>(.*?)</label>', html, re.S)
    }


def test_sign_up_and_profile_ask_the_same_name_fields_with_the_same_labels(client, homes, learner):
    signup = labels(client.get("/fi/accounts/signup/").content.decode())
    client.force_login(learner)
    profile = labels(client.get("/fi/accounts/profile/").content.decode())

    for field in ("first_name", "last_name", "certificate_name"):
        assert signup[field] == profile[field]
    assert signup["certificate_name"] == "Nimi todistuksissa"


def sign_up_and_complete(client, index, captured, **fields) -> Certificate:
    """Sign up with ``fields``, confirm the address, complete a one-lesson training: its certificate."""
    response = client.post("/fi/accounts/signup/", {**SIGNUP, **fields})
    assert response.status_code == 302
    user = User.objects.get(email=SIGNUP["email"])
    user.emailaddress_set.update(verified=True)
    training = build_training(index, title="Työkyvyn tuki", lessons=1)
    with captured(execute=True):
        enrolment = courses.enrolment_create(user=user, training=training)
        courses.lesson_open(enrolment=enrolment, lesson=LessonPage.objects.descendant_of(training).get())
    return Certificate.objects.get(enrolment=enrolment)


def test_sign_up_stores_the_names_and_the_certificate_prints_them(client, index, django_capture_on_commit_callbacks):
    certificate = sign_up_and_complete(
        client, index, django_capture_on_commit_callbacks, certificate_name="Saga Maria Virtanen"
    )

    user = User.objects.get(email=SIGNUP["email"])
    assert (user.first_name, user.last_name, user.certificate_name) == ("Saga", "Virtanen", "Saga Maria Virtanen")
    assert certificate.facts["name"] == "Saga Maria Virtanen"


def test_without_a_certificate_name_the_certificate_prints_the_first_and_last_name(
    client, index, django_capture_on_commit_callbacks
):
    certificate = sign_up_and_complete(client, index, django_capture_on_commit_callbacks)

    assert User.objects.get(email=SIGNUP["email"]).certificate_name == "Saga Virtanen"  # shown in the profile
    assert certificate.facts["name"] == "Saga Virtanen"


@pytest.mark.parametrize("missing", ["first_name", "last_name"])
def test_a_sign_up_without_a_name_is_refused_so_no_certificate_is_nameless(client, homes, missing):
    response = client.post("/fi/accounts/signup/", {**SIGNUP, missing: ""})

    assert response.status_code == 200
    assert not User.objects.filter(email=SIGNUP["email"]).exists()
