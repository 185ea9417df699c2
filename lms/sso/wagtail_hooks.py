"""Identity providers in the Wagtail admin: programme staff and superusers only.

Which identity provider may sign people in is a decision about the whole platform's security (a
wrong key lets someone log in as anyone of that organisation), so organisation admins, teachers and
trainers do not get it, whatever Django permissions a group grants them.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from lms.organisations.enums import OrganisationKind

from .models import IdentityProvider


class ProgrammeStaffOnly(BasePermissionPolicy):
    """Every action for programme staff (``staff_areas``: superusers and the TTL organisation's members)."""

    def user_has_permission(self, user, action):
        return user.is_authenticated and user.is_active and "programme" in user.staff_areas

    def user_has_any_permission(self, user, actions):
        return self.user_has_permission(user, None)

    def users_with_any_permission(self, actions):
        return (
            get_user_model()
            .objects.filter(is_active=True)
            .filter(Q(is_superuser=True) | Q(memberships__organisation__kind=OrganisationKind.TTL))
            .distinct()
        )

    def users_with_permission(self, action):
        return self.users_with_any_permission([action])


class IdentityProviderViewSet(ModelViewSet):
    model = IdentityProvider
    icon = "key"
    menu_label = _("Organisation logins (SAML)")
    add_to_admin_menu = True
    menu_order = 290
    form_fields = ["organisation", "button_label", "entity_id", "metadata_xml", "enabled"]
    list_display = ["button_label", "organisation", "entity_id", "enabled"]
    list_filter = ["enabled"]
    search_fields = ["button_label", "entity_id"]
    copy_view_enabled = False
    inspect_view_enabled = False

    def get_permissions_to_register(self):
        """None: a group's Django permissions grant nothing here (``ProgrammeStaffOnly`` decides)."""
        return Permission.objects.none()


register_permission_policy(IdentityProvider, ProgrammeStaffOnly(IdentityProvider), exact_class=True)


@hooks.register("register_admin_viewset")
def register_identity_provider_viewset():
    return IdentityProviderViewSet("sso_identityprovider")
