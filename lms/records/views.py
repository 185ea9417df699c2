"""The programme's export of learners' xAPI statements (JSON Lines), per training and period.

Programme staff only (TTL's staff and superusers, the rule of every programme page); everyone else
gets a 404, as for the other programme pages. The download is audited on the training's history.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from lms import audit
from lms.courses.structure import default_language, language_of, live_trainings
from lms.organisations.forms import PeriodForm
from lms.organisations.selectors import sees_programme

from . import exports


def _trainings(language: str) -> list[tuple[int, str]]:
    """The live trainings as (id of the default-language page, title in ``language``)."""
    trainings = live_trainings()
    rule = default_language()
    return [
        (page.pk, trainings.localised(page, language).title)
        for page in trainings.by_id.values()
        if language_of(page.locale_id) == rule
    ]


class ExportForm(PeriodForm):
    training = forms.TypedChoiceField(label=gettext_lazy("Training"), coerce=int)
    research = forms.BooleanField(
        label=gettext_lazy("Pseudonymised, for research"),
        required=False,
        initial=True,
        help_text=gettext_lazy(
            "Learners become pseudonyms that hold only within this file; their free-text answers are left out."
        ),
    )
    field_order = ["training", "from_date", "to_date", "research"]

    def __init__(self, *args, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["training"].choices = _trainings(language)


@login_required
def export(request):
    """The form; with ``download=1`` and valid fields, the statements as a JSON Lines file."""
    if not sees_programme(request.user):
        raise Http404
    form = ExportForm(request.GET if "training" in request.GET else None, language=request.LANGUAGE_CODE)
    if "download" in request.GET and form.is_valid():
        data = form.cleaned_data
        training = live_trainings().by_id[data["training"]]
        audit.log(
            instance=training,
            action=audit.STATEMENTS_EXPORT,
            user=request.user,
            data={
                "from": data["from_date"].isoformat() if data["from_date"] else "",
                "to": data["to_date"].isoformat() if data["to_date"] else "",
                "research": data["research"],
            },
        )
        response = StreamingHttpResponse(
            exports.lines(training.pk, data["from_date"], data["to_date"], research=data["research"]),
            content_type="application/x-ndjson; charset=utf-8",
        )
        kind = "research" if data["research"] else "statements"
        response["Content-Disposition"] = f'attachment; filename="kyky-{kind}-{training.slug}.jsonl"'
        return response
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "records/export.html", {"form": form}, status=status)
