from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from lms.cms import routing
from lms.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("lms.h5p.urls")),
    path("", include("lms.certificates.urls")),
    path("lti/", include("lms.lti.urls")),
    path("", include("lms.schedule.feed_urls")),  # calendar feeds: fixed URLs that calendar apps poll
    path("saml2/", include("lms.sso.urls")),  # SAML sign-in: fixed URLs registered with the federation
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += i18n_patterns(
    path("accounts/", include("allauth.urls")),
    path("accounts/", include("lms.accounts.urls")),
    path("learn/", include("lms.courses.urls")),
    path("organisation/", include("lms.organisations.urls")),
    path("", include("lms.assignments.urls")),  # handing in work, and the reviewers' queue
    path("", include("lms.exams.urls")),  # exam attempts
    path("", include("lms.selfassessment.urls")),  # self-assessments and their aggregates
    path("", include("lms.schedule.urls")),  # contact sessions, check-in, attendance
    path("", include("lms.records.urls")),  # the programme's export of learning records
    path("lti/", include("lms.lti.staff_urls")),
    path("lrs/", include("lms.lrs.urls")),  # the LRSs statements are forwarded to
    path("", include("lms.cms.urls")),  # contact and feedback
    path("", include("lms.certificates.verification_urls")),  # /verify/ in a language the visitor chose
    # Wagtail's page serving, with the route from the cache (lms/cms/routing.py): Wagtail's own
    # pattern and name, so that it answers exactly the URLs Wagtail's would. Wagtail's patterns stay
    # below for the rest (its _util/ views).
    re_path(r"^(?!_util/)((?:[\w\-]+/)*)$", routing.serve, name="wagtail_serve"),
    path("", include(wagtail_urls)),
)
