import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms import EraseForm, ProfileForm
from .personal_data import account_erase, personal_data_export


@login_required
def profile(request):
    """Let a learner correct the name printed on certificates, organisation and language."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        with translation.override(user.preferred_language):
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form, "erase_form": EraseForm(user=request.user)})


@login_required
def data_export(request):
    """Download everything Kyky keeps about you, as JSON."""
    data = personal_data_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="kyky-my-data.json"'
    return response


@login_required
@require_POST
def erase(request):
    """Delete the account and its data, after the password is typed again."""
    form = EraseForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(
            request, "accounts/profile.html", {"form": ProfileForm(instance=request.user), "erase_form": form}
        )
    user = request.user
    logout(request)
    account_erase(user=user)
    messages.success(request, _("Your account and your data have been deleted."))
    return redirect("/")
