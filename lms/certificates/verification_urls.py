"""The verification pages again under a language prefix (``/sv/verify/...``), inside ``i18n_patterns``.

The addresses printed on certificates and in QR codes and credentials stay the unprefixed ones
(``lms.certificates.urls``), which answer in the visitor's own language; these are where the
language menu and the typed-code form lead, so a visitor can choose the language.
"""

from django.urls import path

from . import views

app_name = "verification"

urlpatterns = [
    path("verify/", views.verify_form, name="form"),
    path("verify/<str:code>/", views.verify, name="certificate"),
]
