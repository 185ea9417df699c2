from django.contrib import messages
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.snippets.views.snippets import CreateView

from . import services

SHOWN_REMOVALS = 10


class H5PActivityCreateView(CreateView):
    def save_instance(self):
        """Install through the service (files first, rows in one transaction, cleanup on failure)."""
        data = self.form.cleaned_data
        activity = services.activity_create(
            upload=data["package"],
            title=data.get("title") or "",
            pass_mark=data.get("pass_mark"),
            user=self.request.user,
            package=self.form.parsed,
        )
        if activity.filter_report:
            removed = activity.filter_report
            lines = "; ".join(removed[:SHOWN_REMOVALS]) + (" …" if len(removed) > SHOWN_REMOVALS else "")
            messages.warning(
                self.request,
                ngettext(
                    "Kyky removed %(count)d thing from the content that its H5P libraries do not allow: %(lines)s",
                    "Kyky removed %(count)d things from the content that its H5P libraries do not allow: %(lines)s",
                    len(removed),
                )
                % {"count": len(removed), "lines": lines}
                + " "
                + _("The full list is on the activity's edit page."),
            )
        return activity
