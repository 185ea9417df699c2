"""Identity providers in the Wagtail admin: programme staff and superusers edit them, nobody else."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.utils import translation

from lms.courses.permissions import TRAINERS, trainers_group_ensure
from lms.organisations.enums import OrganisationKind, Role
from lms.organisations.models import Membership, Organisation
from lms.sso.metadata import idp_metadata_read
from lms.sso.models import IdentityProvider
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADMIN_ACCESS = {"content_type__app_label": "wagtailadmin", "codename": "access_admin"}


def with_admin_access(user, *extra: Permission):
    user.user_permissions.add(Permission.objects.get(**ADMIN_ACCESS), *extra)
    return user


@pytest.fixture
def programme_staff(db):
    ttl = Organisation.objects.create(name="Työterveyslaitos", kind=OrganisationKind.TTL)
    user = with_admin_access(UserFactory())
    Membership.objects.create(organisation=ttl, user=user, role=Role.ADMIN)
    return user


@pytest.fixture
def trainer(db):
    trainers_group_ensure()
    user = UserFactory()
    user.groups.add(Group.objects.get(name=TRAINERS))
    return user


@pytest.fixture
def org_admin_with_admin_access(university):
    """An organisation admin who was given admin access and every Django permission on the model anyway."""
    user = with_admin_access(UserFactory(), *Permission.objects.filter(content_type__app_label="sso"))
    Membership.objects.create(organisation=university, user=user, role=Role.ADMIN)
    return user


def form(university, idp, **changes):
    data = {
        "organisation": university.pk,
        "button_label": "Tampereen korkeakoulut",
        "entity_id": idp.entity_id,
        "metadata_xml": idp.metadata,
        "enabled": "on",
    }
    return {**data, **changes}


def test_programme_staff_add_an_identity_provider(client, programme_staff, university, idp):
    client.force_login(programme_staff)
    assert client.get("/admin/sso_identityprovider/").status_code == 200

    response = client.post("/admin/sso_identityprovider/new/", form(university, idp))

    assert response.status_code == 302, response.content.decode()[:2000]
    provider = IdentityProvider.objects.get()
    assert (provider.organisation, provider.entity_id, provider.enabled) == (university, idp.entity_id, True)


@pytest.mark.parametrize(
    ("case", "changes", "error"),
    [
        ("not XML", {"metadata_xml": "<md:EntityDescriptor"}, "SAML metadata"),
        ("another entity", {"entity_id": "https://idp.other.example/idp"}, "does not describe"),
        ("no IdP", {"metadata_xml": "SP"}, "IdPSSODescriptor"),
        ("no signing key", {"metadata_xml": "NOKEY"}, "signing certificate"),
    ],
)
def test_unusable_metadata_is_refused_with_a_message(
    client, programme_staff, university, idp, sp_metadata, case, changes, error
):
    if changes.get("metadata_xml") == "SP":  # Kyky's own metadata: an SP, no IdPSSODescriptor
        changes = {"metadata_xml": sp_metadata, "entity_id": "http://testserver/saml2/metadata/"}
    if changes.get("metadata_xml") == "NOKEY":
        # (the namespace prefix pysaml2 writes depends on what it serialised before: md: or ns0:)
        without_keys = re.sub(r"<(\w+:)?KeyDescriptor\b.*?</(\w+:)?KeyDescriptor>", "", idp.metadata, flags=re.DOTALL)
        assert without_keys != idp.metadata
        changes = {"metadata_xml": without_keys}
    client.force_login(programme_staff)

    response = client.post("/admin/sso_identityprovider/new/", form(university, idp, **changes))

    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"metadata_xml"}  # shown in the admin's language
    assert not IdentityProvider.objects.exists()
    data = form(university, idp, **changes)
    with translation.override("en"), pytest.raises(ValidationError) as refusal:
        idp_metadata_read(data["metadata_xml"], data["entity_id"])
    assert error in refusal.value.messages[0]


def test_trainer_cannot_see_or_edit_identity_providers(client, trainer, provider, university, idp):
    client.force_login(trainer)
    for url in ("/admin/sso_identityprovider/", f"/admin/sso_identityprovider/edit/{provider.pk}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == "/admin/"  # Wagtail's "Sorry, you do not have permission"
    response = client.post(
        f"/admin/sso_identityprovider/edit/{provider.pk}/", form(university, idp, button_label="Hijacked")
    )
    assert response["Location"] == "/admin/"
    assert client.post(f"/admin/sso_identityprovider/delete/{provider.pk}/").status_code == 302
    provider.refresh_from_db()
    assert provider.button_label == "Tampereen korkeakoulut"


def test_organisation_staff_cannot_edit_even_their_own_organisations_identity_provider(
    client, org_admin_with_admin_access, provider, university, idp
):
    client.force_login(org_admin_with_admin_access)
    assert client.get("/admin/sso_identityprovider/")["Location"] == "/admin/"
    response = client.post(f"/admin/sso_identityprovider/edit/{provider.pk}/", form(university, idp, enabled=""))
    assert response["Location"] == "/admin/"
    provider.refresh_from_db()
    assert provider.enabled
    assert IdentityProvider.objects.count() == 1


def test_the_admin_menu_shows_the_item_only_to_programme_staff(client, programme_staff, trainer):
    client.force_login(programme_staff)
    assert "/admin/sso_identityprovider/" in client.get("/admin/").content.decode()
    client.force_login(trainer)
    assert "/admin/sso_identityprovider/" not in client.get("/admin/").content.decode()


def test_metadata_is_checked_on_every_save(university, idp):
    with pytest.raises(ValidationError):
        IdentityProvider.objects.create(
            organisation=university, entity_id=idp.entity_id, metadata_xml="<x/>", button_label="X"
        )
