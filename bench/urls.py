from django.http import HttpResponse
from django.urls import path

from lms.urls import urlpatterns as kyky_urlpatterns


def minimal(request):
    """The floor: Django's request cycle through the same middleware, no database, no template."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/minimal", minimal), *kyky_urlpatterns]
