from wagtail.snippets.views.snippets import CreateView

from . import services


class H5PActivityCreateView(CreateView):
    def save_instance(self):
        """Install through the service (files first, rows in one transaction, cleanup on failure)."""
        data = self.form.cleaned_data
        return services.activity_create(
            upload=data["package"],
            title=data.get("title") or "",
            pass_mark=data.get("pass_mark"),
            user=self.request.user,
            package=self.form.parsed,
        )
