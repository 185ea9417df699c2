"""Staff pages for the LRSs statements are forwarded to: programme staff and organisation admins."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lms.organisations.selectors import organisations_managed_by, sees_programme

from . import selectors, services
from .forms import EndpointForm


def _gate(user) -> None:
    if not selectors.may_configure(user):
        raise Http404


@login_required
@require_GET
def endpoints(request):
    _gate(request.user)
    return render(request, "lrs/endpoints.html", {"endpoints": selectors.endpoints_for(request.user)})


def _form(request, endpoint=None):
    _gate(request.user)
    form = EndpointForm(
        request.POST or None,
        instance=endpoint,
        organisations=organisations_managed_by(request.user),
        programme=sees_programme(request.user),
    )
    if request.method == "POST" and form.is_valid():
        endpoint = services.endpoint_save(
            endpoint=form.save(commit=False),
            by=request.user,
            trainings=form.cleaned_data["trainings"],
            changed=form.changed_data,
        )
        messages.success(request, _("The LRS is saved. New statements are sent to it within a minute or two."))
        return redirect("lrs:endpoint_status", endpoint_id=endpoint.pk)
    return render(request, "lrs/endpoint_form.html", {"form": form, "endpoint": endpoint})


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_add(request):
    return _form(request)


@login_required
@require_http_methods(["GET", "POST"])
def endpoint_edit(request, endpoint_id: int):
    return _form(request, selectors.endpoint_for(request.user, endpoint_id))


@login_required
@require_GET
def endpoint_status(request, endpoint_id: int):
    endpoint = selectors.endpoint_for(request.user, endpoint_id)
    return render(
        request, "lrs/endpoint_status.html", {"endpoint": endpoint, "errors": selectors.last_errors(endpoint)}
    )


@login_required
@require_POST
def endpoint_retry(request, endpoint_id: int):
    endpoint = selectors.endpoint_for(request.user, endpoint_id)
    count = services.failed_retry(endpoint=endpoint, by=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)s refused statement will be sent again.", "%(count)s refused statements will be sent again.", count
        )
        % {"count": count},
    )
    return redirect("lrs:endpoint_status", endpoint_id=endpoint.pk)
