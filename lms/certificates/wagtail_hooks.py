from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("certificates/", admin_views.certificate_list, name="certificates_admin_list"),
        path("certificates/<int:pk>/revoke/", admin_views.certificate_revoke, name="certificates_admin_revoke"),
        path("certificates/<int:pk>/reissue/", admin_views.certificate_reissue, name="certificates_admin_reissue"),
        path(
            "certificates/regenerate/<int:training_id>/", admin_views.regenerate, name="certificates_admin_regenerate"
        ),
        path("certificates/jobs/<int:job_id>/", admin_views.job, name="certificates_admin_job"),
    ]


class CertificatesMenuItem(MenuItem):
    def is_shown(self, request):
        return bool(admin_views._visible_trainings(request.user))


@hooks.register("register_admin_menu_item")
def register_certificates_menu_item():
    return CertificatesMenuItem(
        _("Certificates"), reverse("certificates_admin_list"), icon_name="tick-inverse", order=270
    )
