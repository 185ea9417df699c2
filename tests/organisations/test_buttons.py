"""Buttons say what they do: the student list is imported, not "loaded" ("Lataa")."""

import pytest

from lms.organisations.enums import Role
from lms.organisations.models import Membership

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "label"), [("fi", "Tuo opiskelijat"), ("sv", "Importera studerande"), ("en", "Import students")]
)
def test_the_student_list_button_says_it_imports_students(client, two_orgs, language, label):
    _organisation, admin, cohort = two_orgs[0]
    assert Membership.objects.filter(user=admin, role=Role.ADMIN).exists()
    client.force_login(admin)

    html = client.get(f"/{language}/organisation/cohorts/{cohort.pk}/").content.decode()

    assert f'<button type="submit" class="button">{label}</button>' in html
    assert ">Lataa<" not in html
