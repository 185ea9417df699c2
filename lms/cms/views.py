"""The contact and feedback form (the accessibility statement and the privacy notice are Wagtail pages)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lms.ratelimit import client_bucket, limited

from . import services
from .enums import FeedbackTopic
from .forms import FeedbackForm, local_path
from .models import service_contacts

RATE_WINDOW = 600  # seconds: KYKY_FEEDBACK_RATE_LIMIT messages per client in ten minutes


@require_http_methods(["GET", "POST"])
def contact(request):
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        if form.is_valid():
            # Counted only when a message would be stored: a mistyped form costs the sender nothing.
            if limited("feedback", client_bucket(request), limit=settings.KYKY_FEEDBACK_RATE_LIMIT, window=RATE_WINDOW):
                form.add_error(
                    None, _("You have sent several messages in a short time. Wait ten minutes and send it again.")
                )
                response = _page(request, form, status=429)
                response["Retry-After"] = str(RATE_WINDOW)
                return response
            feedback = services.feedback_submit(
                **form.cleaned_data, language=translation.get_language(), user=request.user
            )
            messages.success(request, _("Thank you! Your message has reached us."))
            if feedback.wants_reply:
                messages.info(request, _("We will reply to %(email)s.") % {"email": feedback.email})
            return redirect(reverse("cms:contact"))
        return _page(request, form)
    topic = request.GET.get("topic", "")
    initial = {"topic": topic if topic in FeedbackTopic.values else "", "page_url": _came_from(request)}
    return _page(request, FeedbackForm(initial=initial))


def _page(request, form, status=200):
    return render(request, "cms/contact.html", {"form": form, "contacts": service_contacts()}, status=status)


def _came_from(request) -> str:
    """The page the footer link was followed from: ``?from=``, else a Referer on this site."""
    given = request.GET.get("from", "")
    if local_path(given):
        return given[:500]
    referer = urlsplit(request.headers.get("Referer", ""))
    if referer.netloc == request.get_host() and local_path(referer.path):
        return (referer.path + (f"?{referer.query}" if referer.query else ""))[:500]
    return ""
